"""``seqretrieve align``: confidence, warped MIDI, plot, JSON, errors; and real recordings (Bach violin)."""

from __future__ import annotations

import json

import numpy as np
import pretty_midi
import pytest

from seqretrieve.testing import SHARED_DATA, run_cli


@pytest.fixture(scope="module")
def recording(small_index):
    return small_index.parent / "recordings"


def test_align_writes_warped_midi_and_plot(recording, example_queries, tmp_path):
    query = example_queries[0]
    out, plot = tmp_path / "aligned.mid", tmp_path / "align.png"
    result = run_cli("align", query, recording / f"{query.stem}.wav", "--out", out, "--plot", plot, "--json", check=True)
    summary = json.loads(result.stdout)
    assert summary["match"] and summary["confidence"] >= 0.5
    assert plot.stat().st_size > 10_000 and plot.read_bytes()[:4] == b"\x89PNG"
    original, aligned = pretty_midi.PrettyMIDI(str(query)), pretty_midi.PrettyMIDI(str(out))
    assert len(aligned.instruments[0].notes) > 0
    # The recording's tempo was warped, so the aligned MIDI's timing must differ from the original's.
    assert not np.allclose(original.get_onsets()[:50], aligned.get_onsets()[:50], atol=0.05)


def test_unrelated_recording_has_lower_confidence(recording, example_queries):
    own = json.loads(run_cli("align", example_queries[0], recording / f"{example_queries[0].stem}.wav", "--json", check=True).stdout)
    other = json.loads(run_cli("align", example_queries[0], recording / f"{example_queries[1].stem}.wav", "--json", check=True).stdout)
    assert own["confidence"] > other["confidence"] + 0.1


@pytest.mark.parametrize("content", [b"", b"not audio at all" * 100, b"RIFF\x00\x01\x00\x00WAVEfmt "])
def test_bad_recording_is_one_clear_line(example_queries, tmp_path, content):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    result = run_cli("align", example_queries[0], bad)
    assert result.returncode == 1
    assert "bad.wav" in result.stderr and "Traceback" not in result.stderr


def test_midi_without_notes_is_refused(tmp_path, recording, example_queries):
    empty = tmp_path / "empty.mid"
    pretty_midi.PrettyMIDI().write(str(empty))
    result = run_cli("align", empty, recording / f"{example_queries[0].stem}.wav")
    assert result.returncode == 1 and "empty.mid" in result.stderr


@pytest.mark.slow
def test_bach_violin_score_aligns_to_real_recording():
    """Score of BWV 1002 mov. 7 vs John Garner's recording: most onsets within 0.1 s."""
    from seqretrieve.alignment.midi_to_audio import align_midi_to_audio
    from seqretrieve.evaluation.bach_violin import TICKS_PER_QUARTER, onset_errors, pieces, score_to_midi
    from seqretrieve.registry import get_registry

    root = SHARED_DATA / "bach-violin"
    if not root.exists():
        pytest.skip("../shared/data/bach-violin is not available")
    piece = next(p for p in pieces(root) if p.name.endswith("mov7"))
    registry = get_registry()
    bpm = 120.0
    onsets = piece.notes[:, 0] * 60.0 / bpm / TICKS_PER_QUARTER
    for fit_tempo in (False, True):
        alignment = align_midi_to_audio(score_to_midi(piece.notes, bpm), str(piece.audio),
                                        registry.create("feature_extractor", "cqt"),
                                        registry.create("synthesizer", "tinysoundfont"), fit_tempo=fit_tempo)
        errors = onset_errors(alignment, onsets, piece.starts)
        assert sum(len(inst.notes) for inst in alignment.aligned_midi.instruments) == len(piece.notes)
        assert alignment.confidence >= 0.5
        assert np.median(errors) < 0.05
        assert np.percentile(errors, 90) < 0.1
