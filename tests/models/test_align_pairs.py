"""``seqretrieve train align-pairs``: training pairs from confident real alignments (no TensorFlow)."""

from __future__ import annotations

import json

import numpy as np

from seqretrieve.testing import run_cli
from seqretrieve.training.pairs import load_pairs


def test_confident_alignments_become_aligned_pairs(small_index, example_queries, tmp_path):
    recordings = small_index.parent / "recordings"
    rows = tmp_path / "rows.csv"
    own = [(q, recordings / f"{q.stem}.wav") for q in example_queries[:2]]
    wrong = (example_queries[0], recordings / f"{example_queries[3].stem}.wav")
    rows.write_text("midi,audio\n" + "".join(f"{m},{a}\n" for m, a in [*own, wrong, (tmp_path / "gone.mid", own[0][1])]))
    result = run_cli("train", "align-pairs", rows, "--out", tmp_path / "pairs", "--json", check=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["skipped"] is None for line in lines] == [True, True, False, False]
    assert "confidence" in lines[2]["skipped"] and "gone.mid" in lines[3]["skipped"]
    pairs = load_pairs(tmp_path / "pairs" / "train")
    assert len(pairs) == 2
    for pair in pairs:
        assert pair.midi.shape[1] == pair.audio.shape[1] == 48
        assert len(pair.audio_index) == len(pair.midi)
        assert np.all(np.diff(pair.audio_index) >= 0) and pair.audio_index[-1] < len(pair.audio)
        # Aligned frames are far more alike than frames of the recording paired at random.
        aligned = np.mean(np.sum(pair.midi * pair.audio[pair.audio_index], axis=1))
        shuffled = np.mean(np.sum(pair.midi * pair.audio[np.random.default_rng(0).permutation(pair.audio_index)], axis=1))
        assert aligned > shuffled + 0.05



def _melody(path, seconds: float = 30.0) -> None:
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(90, 55 + (k * 7) % 19, k * 0.3, k * 0.3 + 0.25) for k in range(int(seconds / 0.3))]
    bass = pretty_midi.Instrument(program=33)
    bass.notes = [pretty_midi.Note(80, 36 + (k * 5) % 12, k * 1.2, k * 1.2 + 1.1) for k in range(int(seconds / 1.2))]
    midi.instruments += [piano, bass]
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.write(str(path))


def test_scale_excerpts_pair_exactly_with_their_source_windows(tmp_path, monkeypatch):
    from seqretrieve.evaluation import scale
    from seqretrieve.training.scale_pairs import write_scale_pairs

    items = [{"id": f"e{k}", "path": path, "font": "timgm6mb", "seed": 11 + k} for k, path in enumerate(
        ["pop909/002/002.mid", "pop909/003/003.mid", "pop909/005/005.mid", "pop909/004/004.mid"])]  # 004: test
    for item in items:
        _melody(tmp_path / item["path"])
    root = tmp_path / "scale"
    root.mkdir()
    (root / "plan.json").write_text(json.dumps(items))
    monkeypatch.setattr(scale, "EXCERPT_SECONDS", 8.0)
    scale.render_all(root, [{**item, "path": str(tmp_path / item["path"])} for item in items])
    rows = list(write_scale_pairs(root, tmp_path / "pairs", tmp_path / "pop909", tmp_path, {"validation": None, "train": None}))
    assert [(row.excerpt, row.split, row.skipped) for row in rows] == [
        ("e0", "train", None), ("e1", "train", None), ("e2", "validation", None)]  # in plan order; no test song
    rng = np.random.default_rng(0)
    for pair in load_pairs(tmp_path / "pairs" / "train") + load_pairs(tmp_path / "pairs" / "validation"):
        midi, audio = pair.midi.astype(np.float32), pair.audio.astype(np.float32)
        assert np.all(np.diff(pair.audio_index) >= 0) and len(pair.audio_index) == len(midi)

        def likeness(index):
            return float(np.mean(np.sum(midi * audio[np.clip(index, 0, len(audio) - 1)], axis=1)))

        # exact: no shift of the recording frames (up to a third of a second) makes them more alike, to a frame
        lags = np.arange(-7, 8)
        assert abs(lags[np.argmax([likeness(pair.audio_index + lag) for lag in lags])]) <= 1
        assert likeness(pair.audio_index) > likeness(rng.permutation(pair.audio_index)) + 0.01
    assert json.loads((tmp_path / "pairs" / "meta.json").read_text())["extractor"] == "cqt"
    again = list(write_scale_pairs(root, tmp_path / "pairs", tmp_path / "pop909", tmp_path, {"train": 1}))
    assert [(row.excerpt, row.frames) for row in again] == [("e0", None)]  # written before; the limit holds
    items[1]["seed"] = 99  # a plan whose seed no longer rebuilds the rendered excerpt
    (root / "plan.json").write_text(json.dumps(items))
    (tmp_path / "pairs" / "train" / "e1.npz").unlink()
    (row,) = [row for row in write_scale_pairs(root, tmp_path / "pairs", tmp_path / "pop909", tmp_path,
                                                 {"train": None}) if row.excerpt == "e1"]
    assert "rebuilds another excerpt" in row.skipped


def test_scale_pairs_without_a_plan_is_a_clear_error(tmp_path):
    result = run_cli("train", "scale-pairs", "--scale", tmp_path / "nothing", "--out", tmp_path / "pairs")
    assert result.returncode != 0 and "no scale plan" in result.stderr
