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


def _scale_plan(tmp_path, rng):
    """A scale folder of four excerpts of one melody: "own" (train song 2: the window's own frames
    time-stretched by 1.1), "noise" (train song 6: random frames), "held" (validation song 5: own
    frames) and "test" (test song 4, never a pair); returns the folder."""
    import pretty_midi

    from seqretrieve.dtw.rates import resample_frames
    from seqretrieve.training.profile import ExcerptMidi

    items = {"own": "pop909/002/002.mid", "noise": "pop909/006/006.mid", "held": "pop909/005/005.mid",
             "test": "pop909/004/004.mid"}
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(90, 60 + (k * 7) % 19, k * 0.25, k * 0.25 + 0.4) for k in range(80)]
    midi.instruments.append(piano)
    for path in items.values():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        midi.write(str(tmp_path / path))
    info = {"start": 2.0, "seconds": 10.0, "tempo": 1.0}
    own = ExcerptMidi(tmp_path, "cqt", tmp_path / "pop909", tmp_path)(items["own"], info)
    stretched = resample_frames(own, 1.1)
    frames = {"own": stretched, "noise": rng.random(stretched.shape), "held": stretched, "test": stretched}
    (tmp_path / "shards").mkdir()
    (tmp_path / "plan.json").write_text(json.dumps([{"id": i, "path": p} for i, p in items.items()]))
    np.savez(tmp_path / "shards" / "shard-0000.npz", ids=np.array(list(items)),
             lengths=np.array([len(frames[i]) for i in items]),
             info=np.array([json.dumps({**info, "source": p}) for p in items.values()]),
             frames=np.concatenate([frames[i] for i in items]).astype(np.float16))
    return tmp_path


def test_scale_excerpts_become_pairs_aligned_to_their_source_windows(tmp_path, rng):
    scale = _scale_plan(tmp_path, rng)
    command = ("train", "scale-pairs", "--scale", scale, "--pop909", scale / "pop909", "--out", tmp_path / "pairs",
               "--json")
    lines = [json.loads(line) for line in run_cli(*command, check=True).stdout.splitlines()]
    assert {(line["excerpt"], line["split"]) for line in lines} == {("own", "train"), ("noise", "train"),
                                                                    ("held", "validation")}
    outcome = {line["excerpt"]: line for line in lines}
    assert outcome["own"]["skipped"] is None and outcome["own"]["confidence"] > 0.9
    assert "confidence" in outcome["noise"]["skipped"]
    (pair,) = load_pairs(tmp_path / "pairs" / "train")
    # The recording runs 1.1x slower than the window: its aligned frames follow at that slope.
    slope = np.polyfit(np.arange(len(pair.audio_index)), pair.audio_index, 1)[0]
    assert abs(slope - 1.1) < 0.05 and len(pair.audio_index) == len(pair.midi)
    assert [p.song for p in load_pairs(tmp_path / "pairs" / "validation")] == ["held"]
    meta = json.loads((tmp_path / "pairs" / "meta.json").read_text())
    assert meta["extractor"] == "cqt" and meta["min_confidence"] == 0.5
    again = [json.loads(line) for line in run_cli(*command, check=True).stdout.splitlines()]
    assert {line["excerpt"]: line["confidence"] for line in again if not line["skipped"]} == {"own": None, "held": None}


def test_scale_pairs_without_a_plan_is_a_clear_error(tmp_path):
    result = run_cli("train", "scale-pairs", "--scale", tmp_path / "nothing", "--out", tmp_path / "pairs")
    assert result.returncode != 0 and "no scale plan" in result.stderr
