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
