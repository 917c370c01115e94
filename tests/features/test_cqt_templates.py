"""CQT frames from note templates (no waveform) against the synthesized path they stand in for."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from seqretrieve.synth.build_templates import DEFAULT_DIR, from_db_codes, to_db_codes
from seqretrieve.synth.common import SynthesisError, default_soundfont

from .conftest import make_instrument


@pytest.fixture(scope="module")
def paths():
    from seqretrieve.registry import get_registry

    registry = get_registry()
    return (registry.create("feature_extractor", "cqt"), registry.create("synthesizer", "tinysoundfont"),
            registry.create("synthesizer", "cqt-templates"))


def cosines(paths, midi):
    from seqretrieve.features.extract import features_from_midi

    extractor, synthesizer, templates = paths
    made = features_from_midi(midi, extractor, templates)
    heard = features_from_midi(midi, extractor, synthesizer)
    assert made.frames.shape == heard.frames.shape and made.frames.dtype == np.float32
    assert made.params == heard.params
    return (made.frames * heard.frames).sum(axis=1)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_templates_match_their_card():
    card = json.loads((DEFAULT_DIR / "card.json").read_text())
    path = DEFAULT_DIR / card["file"]
    assert sha256(path) == card["sha256"]
    assert card["soundfont_sha256"] == sha256(default_soundfont())
    assert path.stat().st_size < 20 * 2**20
    archive = np.load(path)
    assert {f"program{p:03d}" for p in range(128)} | {"drums", "velocity_gain"} == set(archive.files)


def test_db_codes_round_trip_within_a_step():
    magnitudes = np.array([0.0, 1e-8, 1e-4, 0.3, 1.0, 7.0], np.float32)
    back = from_db_codes(to_db_codes(magnitudes))
    assert back[0] == back[1] == 0  # below the floor: silence
    np.testing.assert_allclose(20 * np.log10(back[2:]), 20 * np.log10(magnitudes[2:]), atol=0.26)


CASES = {
    # (instruments as (program, is_drum, notes (pitch, start, end, velocity)), extra setup)
    "short notes": [(0, False, [(60 + k % 12, 0.1 * k, 0.1 * k + 0.08, 100) for k in range(30)])],
    "long sustain and release": [(48, False, [(57, 0.2, 5.0, 90), (64, 1.0, 6.5, 70)])],
    "dense": [(0, False, [(40 + (k * 7) % 45, 0.05 * k, 0.05 * k + 1.5, 60 + k % 60) for k in range(120)])],
    "drums and bass": [(0, True, [(36 + k % 10, 0.25 * k, 0.25 * k + 0.1, 110) for k in range(24)]),
                       (33, False, [(40 + k % 5, 0.5 * k, 0.5 * k + 0.45, 100) for k in range(12)])],
    "out of range pitches": [(0, False, [(12, 0.0, 1.0, 100), (100, 0.5, 1.5, 100), (60, 1.0, 2.0, 100)])],
}


@pytest.mark.parametrize("case", list(CASES))
def test_frames_follow_the_synthesized_ones(paths, midi_factory, case):
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    for program, is_drum, notes in CASES[case]:
        midi.instruments.append(make_instrument(notes, program, is_drum))
    assert np.median(cosines(paths, midi)) > 0.95


def test_pitch_bend_moves_the_frames_as_the_synthesizer_does(paths, midi_factory):
    import pretty_midi

    midi = midi_factory([(60, 0.0, 2.0), (67, 0.0, 2.0)], program=40)
    bent = midi_factory([(60, 0.0, 2.0), (67, 0.0, 2.0)], program=40)
    bent.instruments[0].pitch_bends.append(pretty_midi.PitchBend(4096, 0.0))  # up a semitone
    extractor, _, templates = paths
    straight, shifted = templates.frames(midi, extractor).frames, templates.frames(bent, extractor).frames
    assert np.median(cosines(paths, bent)) > 0.95
    assert np.median((straight * shifted).sum(axis=1)) < np.median(cosines(paths, bent))


def test_sustain_pedal_holds_notes(paths, midi_factory):
    import pretty_midi

    midi = midi_factory([(60, 0.0, 0.3), (64, 0.5, 0.8)])
    midi.instruments[0].control_changes += [pretty_midi.ControlChange(64, 127, 0.1),
                                            pretty_midi.ControlChange(64, 0, 2.5)]
    extractor, _, templates = paths
    from seqretrieve.synth.templates import note_table

    table = note_table(midi, extractor.frame_rate, (21, 96), ["program000"], np.ones(128), True)
    assert table["length"].tolist() == [round(2.5 * extractor.frame_rate), round(2.0 * extractor.frame_rate)]
    assert np.median(cosines(paths, midi)) > 0.95


def test_clear_errors(paths, midi_factory):
    from seqretrieve.features.cqt import CQTExtractor

    extractor, _, templates = paths
    with pytest.raises(SynthesisError, match="not audio"):
        templates.render(midi_factory([(60, 0, 1)]), 11025)
    with pytest.raises(SynthesisError, match="n_bins"):
        templates.frames(midi_factory([(60, 0, 1)]), CQTExtractor(n_bins=36))
    with pytest.raises(SynthesisError, match="silence"):
        templates.frames(midi_factory([]), extractor)
