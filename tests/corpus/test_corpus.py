"""Corpus sources, excerpt rendering and the scale benchmark's resumable data build."""

from __future__ import annotations

import json

import numpy as np
import pretty_midi
import pytest

from seqretrieve.corpus import render, sources
from seqretrieve.corpus.fonts import available_fonts
from seqretrieve.evaluation import scale


@pytest.fixture(scope="module")
def synth():
    from seqretrieve.synth.tinysf import TinySoundFontSynth

    return TinySoundFontSynth()


def song(seconds: float = 60.0, program: int = 0):
    """A PrettyMIDI with a melody of 0.5-s notes, a held bass note, a volume change and a bend."""
    midi = pretty_midi.PrettyMIDI()
    lead = pretty_midi.Instrument(program)
    lead.notes = [pretty_midi.Note(90, 60 + (k % 12), k * 0.5, k * 0.5 + 0.45) for k in range(int(seconds * 2))]
    lead.control_changes = [pretty_midi.ControlChange(7, 100, 0.0), pretty_midi.ControlChange(7, 60, 20.0)]
    lead.pitch_bends = [pretty_midi.PitchBend(500, 10.0)]
    bass = pretty_midi.Instrument(33)
    bass.notes = [pretty_midi.Note(80, 40, 0.0, seconds)]
    midi.instruments += [lead, bass]
    return midi


def test_crop_keeps_the_window_and_what_applies_there():
    window = render.crop(song(), 20.2, 30.2)
    lead, bass = window.instruments
    assert [round(n.start, 2) for n in lead.notes[:2]] == [0.0, 0.3]  # 20.0-20.45 sounds at 20.2
    assert max(n.end for n in lead.notes) <= 10.0 + 1e-9
    assert (bass.notes[0].start, round(bass.notes[0].end, 6)) == (0.0, 10.0)  # held note cut to the window
    assert [(c.value, c.time) for c in lead.control_changes] == [(60, 0.0)]  # the volume in force
    assert [(b.pitch, b.time) for b in lead.pitch_bends] == [(500, 0.0)]


def test_crop_drops_instruments_silent_in_the_window():
    midi = song(30.0)
    midi.instruments[1].notes[0].end = 5.0
    assert len(render.crop(midi, 10.0, 20.0).instruments) == 1


@pytest.mark.parametrize("tempo", [0.5, 2.0])
def test_excerpt_has_the_asked_length_at_any_tempo(synth, tempo):
    excerpt = render.render_excerpt(song(90.0), synth, np.random.default_rng(1), seconds=10.0,
                                    sample_rate=11025, tempo=tempo)
    assert excerpt.samples.shape == (10 * 11025,)
    assert np.isfinite(excerpt.samples).all() and np.abs(excerpt.samples).max() > 0.1
    assert excerpt.info["tempo"] == tempo


def test_excerpt_is_deterministic_per_seed(synth):
    first, second = (render.render_excerpt(song(), synth, np.random.default_rng(7), seconds=5.0, sample_rate=11025)
                     for _ in range(2))
    assert np.array_equal(first.samples, second.samples)


def test_mp3_round_trip_keeps_timing():
    samples = np.zeros(3 * 22050, np.float32)
    samples[22050] = 1.0
    coded = render.mp3_round_trip(samples, 22050, 0.5)
    assert coded.shape == samples.shape
    assert abs(int(np.argmax(np.abs(coded))) - 22050) <= 2


def test_fonts_always_include_the_default():
    assert "timgm6mb" in available_fonts()


def test_music21_split_is_stable_and_covers_all_splits():
    names = [f"work{k}" for k in range(200)]
    splits = [sources.music21_split(name) for name in names]
    assert splits == [sources.music21_split(name) for name in names]
    assert set(splits) == {"train", "validation", "test"}


def test_pop909_pieces_keep_versions_with_their_song(tmp_path):
    for number in ("002", "004"):
        (tmp_path / number / "versions").mkdir(parents=True)
        song().write(str(tmp_path / number / f"{number}.mid"))
        song().write(str(tmp_path / number / "versions" / f"{number}-v1.mid"))
    train = sources.pop909_pieces(tmp_path, "train")
    assert [(p.piece, p.source) for p in train] == [("pop909-002", "pop909"), ("pop909-002", "pop909-version")]
    assert [p.piece for p in sources.pop909_pieces(tmp_path, "test", versions=False)] == ["pop909-004"]


def test_load_cached_parses_once(tmp_path):
    path = tmp_path / "a.mid"
    song(5.0).write(str(path))
    first = sources.load_cached(path, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1
    second = sources.load_cached(path, tmp_path / "cache")
    assert [n.pitch for n in second.instruments[0].notes] == [n.pitch for n in first.instruments[0].notes]


def test_plan_file_holds_paths_relative_to_the_sources_and_loads_them_resolved(tmp_path):
    pop909, music21 = tmp_path / "pop909", tmp_path / "music21"
    for number in ("002", "004"):  # 002 is a train song, 004 a test song: never a distractor
        (pop909 / number).mkdir(parents=True)
        song(5.0).write(str(pop909 / number / f"{number}.mid"))
    music21.mkdir()
    song(5.0).write(str(music21 / "bach_bwv66.6.mid"))
    plan = scale.load_plan(tmp_path / "scale", pop909, music21)
    stored = json.loads((tmp_path / "scale" / "plan.json").read_text())
    assert {item["path"] for item in stored} == {"pop909/002/002.mid", "music21/bach_bwv66.6.mid"}
    assert {item["path"] for item in plan} == {str(pop909 / "002" / "002.mid"), str(music21 / "bach_bwv66.6.mid")}
    assert [item["id"] for item in plan] == [item["id"] for item in stored]


def test_shards_render_once_and_read_back_in_plan_order(tmp_path, monkeypatch):
    for k in range(3):
        song(40.0, program=k).write(str(tmp_path / f"s{k}.mid"))
    plan = [{"id": f"s{k}-w0-timgm6mb", "path": str(tmp_path / f"s{k}.mid"), "font": "timgm6mb", "seed": k}
            for k in range(3)]
    plan.append({"id": "broken", "path": str(tmp_path / "missing.mid"), "font": "timgm6mb", "seed": 9})
    monkeypatch.setattr(scale, "SHARD_SIZE", 2)
    monkeypatch.setattr(scale, "EXCERPT_SECONDS", 5.0)
    root = tmp_path / "scale"
    scale.render_all(root, plan)
    shard = scale.shard_path(root, 1)
    stamp = shard.stat().st_mtime_ns
    scale.render_all(root, plan)  # resumes: nothing to do
    assert shard.stat().st_mtime_ns == stamp
    with np.load(shard) as data:
        assert "missing.mid" in json.loads(str(data["failed"]))["broken"]
    read = list(scale.iter_distractors(root, plan))
    assert [entry_id for entry_id, _, _ in read] == [item["id"] for item in plan[:3]]
    assert all(frames.shape[1] == 48 and frames.dtype == np.float32 for _, frames, _ in read)


def test_training_pairs_follow_the_recipe(tmp_path):
    from seqretrieve.corpus.sources import music21_split
    from seqretrieve.training.data import Recipe, generate

    (tmp_path / "pop" / "002").mkdir(parents=True)
    song(20.0).write(str(tmp_path / "pop" / "002" / "002.mid"))
    work = next(f"work{k}" for k in range(100) if music21_split(f"work{k}") == "train")
    (tmp_path / "m21").mkdir()
    song(12.0, program=40).write(str(tmp_path / "m21" / f"{work}.mid"))
    fonts = tuple(str(path) for path in available_fonts().values())
    recipe = Recipe(fonts, (0.5, 2.0), 1.0, renderings=2)
    meta = generate(tmp_path / "pop", tmp_path / "pairs", splits=("train",), recipe=recipe, music21=tmp_path / "m21")
    assert meta["splits"] == {"train": 4} and "MP3 p=1" in meta["recording_side"]
    assert meta["midi_side"] == "cqt-templates"  # the MIDI side is made as queries are
    names = sorted(path.stem for path in (tmp_path / "pairs" / "train").glob("*.npz"))
    assert names == sorted(["002", "002-r1", work, f"{work}-r1"])
    for path in (tmp_path / "pairs" / "train").glob("*.npz"):
        with np.load(path) as pair:
            index = pair["audio_index"]
            assert np.all(np.diff(index) >= 0) and index.max() < len(pair["audio"])
            rate = (index[-1] - index[0]) / max(len(index) - 1, 1)  # recording frames per MIDI frame
            assert 0.4 < rate < 2.2


def test_missing_packages_name_the_debian_package_of_each_absent_font(monkeypatch):
    from seqretrieve.corpus import fonts

    monkeypatch.setattr(fonts, "available_fonts", lambda: {"timgm6mb": None, "opl3-fm": None})
    assert fonts.missing_packages() == ["csound-soundfont", "fluid-soundfont-gm", "fluidr3mono-gm-soundfont"]


def test_assembled_index_puts_right_entries_first_and_resumes(tmp_path, synth):
    import soundfile

    from seqretrieve.index.store import Index

    rights = []
    for k in range(2):
        path = tmp_path / f"right{k}.wav"
        soundfile.write(path, synth.render(song(8.0, program=k * 20), 22050), 22050)
        rights.append((f"right-{k}", path))
    rng = np.random.default_rng(0)
    distractors = [(f"d{k}", rng.random((50 + k, 48)).astype(np.float32), {"source": f"s{k}.mid"}) for k in range(5)]
    path = tmp_path / "index"
    assert scale.assemble_index(path, 4, rights, iter(distractors)) == 4
    assert scale.assemble_index(path, 6, rights, iter(distractors)) == 6  # grows, nothing twice
    with Index.open(path) as index:
        assert index.ids() == ["right-0", "right-1", "d0", "d1", "d2", "d3"]
        assert set(index.representations()) == {"dhs", "profile", "pse"}
        assert index.metadata("d1")["extra"] == {"source": "s1.mid"}


def test_training_pairs_rendered_by_several_workers_equal_one_workers(tmp_path):
    from seqretrieve.training.data import Recipe, generate

    for number in ("002", "003", "006"):
        (tmp_path / "pop" / number).mkdir(parents=True)
        song(10.0 + int(number)).write(str(tmp_path / "pop" / number / f"{number}.mid"))
    recipe = Recipe(tempo_range=(0.5, 2.0), renderings=2)
    reported = []
    meta = generate(tmp_path / "pop", tmp_path / "two", splits=("train",), recipe=recipe, workers=2,
                    on_song=lambda name, error: reported.append((name, error)))
    generate(tmp_path / "pop", tmp_path / "one", splits=("train",), recipe=recipe)
    assert meta["splits"] == {"train": 6} and json.loads((tmp_path / "two" / "meta.json").read_text()) == meta
    assert sorted(reported) == sorted((f"{n}{r}", None) for n in ("002", "003", "006") for r in ("", "-r1"))
    for path in (tmp_path / "one" / "train").glob("*.npz"):
        with np.load(path) as one, np.load(tmp_path / "two" / "train" / path.name) as two:
            assert all(np.array_equal(one[key], two[key]) for key in ("midi", "audio", "audio_index"))


@pytest.fixture
def fake_music21(monkeypatch, tmp_path):
    """A stand-in for music21 (not installed for tests): three corpus files, one unreadable."""
    import sys
    import types

    paths = [tmp_path / "corpus" / "bach" / f"{name}.mxl" for name in ("bwv1", "bwv2", "broken")]

    class Score:
        def __init__(self, name):
            self.name = name

        def write(self, fmt, fp):
            song(4.0).write(fp)

    def parse(path):
        if "broken" in str(path):
            raise ValueError("cannot parse this file\nsecond line")
        return Score(path)

    module = types.ModuleType("music21")
    module.corpus = types.SimpleNamespace(getCorePaths=lambda: list(paths))
    module.converter = types.SimpleNamespace(parse=parse)
    module.stream = types.SimpleNamespace(Opus=type("Opus", (), {}))
    monkeypatch.setitem(sys.modules, "music21", module)
    return paths


@pytest.mark.parametrize("workers", [1, 2])
def test_music21_export_records_every_file_once_and_resumes(tmp_path, fake_music21, workers):
    out = tmp_path / f"out{workers}"
    seen = []
    assert sources.export_music21(out, workers=workers, on_file=lambda *args: seen.append(args)) == 2
    assert sorted(seen) == [("bach_broken", 0, "ValueError: cannot parse this file"), ("bach_bwv1", 1, None),
                            ("bach_bwv2", 1, None)]
    assert sorted(path.name for path in out.glob("*.mid")) == ["bach_bwv1.mid", "bach_bwv2.mid"]
    assert sources.export_music21(out, workers=workers) == 0  # resumes: nothing left to do
    assert len((out / "done.jsonl").read_text().splitlines()) == 3
