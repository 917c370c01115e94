"""`align` keeps every note (extrapolating beyond the path) and finds the global tempo itself."""

from __future__ import annotations

import json

import numpy as np
import pretty_midi
import pytest

from seqretrieve.alignment.midi_to_audio import MIN_COVERAGE, note_onsets, scaled_by, warp_midi
from seqretrieve.testing import run_cli


def _midi(onsets, length=0.4):
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(90, 60 + k % 12, t, t + length) for k, t in enumerate(onsets)]
    midi.instruments.append(piano)
    return midi


def test_warp_keeps_notes_outside_the_path_at_its_slope():
    midi = _midi(np.arange(0.0, 10.0, 0.5))  # 20 notes, 0-9.5 s
    path_midi = np.linspace(2.0, 8.0, 61)
    warped = warp_midi(midi, path_midi, 4.0 + 2.0 * (path_midi - 2.0))  # twice as slow from 4 s
    onsets = note_onsets(warped)
    assert len(onsets) == 20
    expected = np.maximum(4.0 + 2.0 * (np.arange(0.0, 10.0, 0.5) - 2.0), 0.0)
    np.testing.assert_allclose(onsets, expected, atol=1e-6)


def test_scaled_by_multiplies_every_time():
    midi = _midi([0.0, 1.0, 2.5])
    np.testing.assert_allclose(note_onsets(scaled_by(midi, 1.6)), [0.0, 1.6, 4.0])
    assert scaled_by(midi, 1.0) is midi


@pytest.fixture(scope="module")
def recording(small_index):
    return small_index.parent / "recordings"


@pytest.fixture(scope="module")
def slow_query(example_queries, tmp_path_factory):
    """The first example query written 2.1x too slow (a half-time transcription, roughly)."""
    path = tmp_path_factory.mktemp("tempo") / "slow.mid"
    scaled_by(pretty_midi.PrettyMIDI(str(example_queries[0])), 2.1).write(str(path))
    return path


def test_align_finds_the_tempo_and_keeps_every_note(recording, example_queries, slow_query, tmp_path):
    out = tmp_path / "aligned.mid"
    wav = recording / f"{example_queries[0].stem}.wav"
    summary = json.loads(run_cli("align", slow_query, wav, "--out", out, "--json", check=True).stdout)
    notes = sum(len(inst.notes) for inst in pretty_midi.PrettyMIDI(str(slow_query)).instruments)
    aligned = sum(len(inst.notes) for inst in pretty_midi.PrettyMIDI(str(out)).instruments)
    assert summary["match"] and summary["notes"] == notes == aligned
    assert 0.35 < summary["rate"] < 0.6  # the recording runs at about 1 / 2.1 of the MIDI's length
    as_written = json.loads(run_cli("align", slow_query, wav, "--json", "--fit-tempo", check=True).stdout)
    assert summary["confidence"] >= as_written["confidence"] - 0.05


def test_a_wrong_pair_still_scores_low_after_the_tempo_search(recording, example_queries, slow_query):
    other = json.loads(run_cli("align", slow_query, recording / f"{example_queries[1].stem}.wav", "--json",
                               check=True).stdout)
    assert not other["match"] and other["confidence"] < 0.5
    assert 0 < MIN_COVERAGE <= 1
