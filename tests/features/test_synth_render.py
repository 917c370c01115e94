"""TinySoundFont rendering: real audio, programs/drums/velocity/bends matter, clear errors."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from seqretrieve.errors import SeqretrieveError, SynthesisError
from seqretrieve.registry import get_registry
from seqretrieve.synth.tinysf import TinySoundFontSynth

RATE = 11025


def _spectrum(samples: np.ndarray) -> np.ndarray:
    magnitude = np.abs(np.fft.rfft(samples[: RATE]))
    return magnitude / np.linalg.norm(magnitude)


def _peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return np.argmax(spectrum) * RATE / len(samples)


def _peak_pitch_class(samples: np.ndarray) -> int:
    """Pitch class (C = 0) of the strongest partial: a fundamental or one of its octaves."""
    return int(round(12 * np.log2(_peak_hz(samples) / 440.0) + 69)) % 12


def test_renders_nonsilent_peak_normalised_float32(synth, midi_factory):
    audio = synth.render(midi_factory([(60, 0.0, 1.0)]), RATE)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == int(np.ceil((1.0 + synth.tail) * RATE))
    assert np.abs(audio).max() == pytest.approx(1.0)
    assert np.sqrt(np.mean(audio[: RATE // 2] ** 2)) > 0.05


def test_spectrum_differs_between_programs(synth, midi_factory):
    piano = _spectrum(synth.render(midi_factory([(60, 0.0, 1.0)], program=0), RATE))
    flute = _spectrum(synth.render(midi_factory([(60, 0.0, 1.0)], program=73), RATE))
    again = _spectrum(synth.render(midi_factory([(60, 0.0, 1.0)], program=0), RATE))
    assert float(piano @ again) == pytest.approx(1.0, abs=1e-6)  # deterministic
    assert float(piano @ flute) < 0.9


def test_drums_use_the_percussion_bank(synth, midi_factory):
    pitched = _spectrum(synth.render(midi_factory([(38, 0.0, 0.5)]), RATE))
    snare = _spectrum(synth.render(midi_factory([(38, 0.0, 0.5)], is_drum=True), RATE))
    assert float(pitched @ snare) < 0.8


def test_all_instruments_are_mixed(synth, midi_factory, instrument_factory):
    midi = midi_factory([(60, 0.0, 1.0)])
    midi.instruments.append(instrument_factory([(76, 1.5, 2.5)], program=40))
    audio = synth.render(midi, RATE)
    assert _peak_pitch_class(audio[: RATE]) == 0  # C
    assert _peak_pitch_class(audio[int(1.6 * RATE): int(2.4 * RATE)]) == 4  # E


def test_velocity_changes_loudness(synth, midi_factory):
    audio = synth.render(midi_factory([(60, 0.0, 0.8, 120), (60, 1.0, 1.8, 30)]), RATE)
    loud = np.sqrt(np.mean(audio[: int(0.5 * RATE)] ** 2))
    soft = np.sqrt(np.mean(audio[RATE: int(1.5 * RATE)] ** 2))
    assert loud > 2 * soft


def test_pitch_bends_are_played_unless_disabled(midi_factory):
    import pretty_midi

    midi = midi_factory([(69, 0.0, 1.0)], program=73)
    midi.instruments[0].pitch_bends.append(pretty_midi.PitchBend(8191, 0.0))  # +2 semitones
    bent = TinySoundFontSynth(pitch_bends=True).render(midi, RATE)[: RATE]
    flat = TinySoundFontSynth(pitch_bends=False).render(midi, RATE)[: RATE]
    assert abs(_peak_hz(flat) - 440.0) < 10
    assert abs(_peak_hz(bent) - 493.9) < 10


def test_logs_synthesizer_and_soundfont(synth, midi_factory, caplog):
    with caplog.at_level(logging.INFO, logger="seqretrieve.synth"):
        synth.render(midi_factory([(60, 0.0, 0.2)]), RATE)
    assert any("tinysoundfont" in r.message and "TimGM6mb.sf2" in r.message for r in caplog.records)


def test_silent_rendering_is_an_error_not_zeros(synth, midi_factory):
    with pytest.raises(SynthesisError, match="silence"):
        synth.render(midi_factory([(60, 0.0, 1.0, 0)]), RATE)


def test_missing_soundfont_is_a_clear_error(tmp_path):
    with pytest.raises(SynthesisError, match=r"nope\.sf2: SoundFont not found"):
        TinySoundFontSynth(soundfont=tmp_path / "nope.sf2")


def test_corrupt_soundfont_is_a_clear_error(tmp_path, midi_factory):
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"RIFF" + bytes(64))
    with pytest.raises(SynthesisError, match=r"bad\.sf2: not a valid SoundFont"):
        TinySoundFontSynth(soundfont=bad).render(midi_factory([(60, 0.0, 0.5)]), RATE)


def test_missing_tinysoundfont_package_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tinysoundfont", None)
    with pytest.raises(SynthesisError, match="needs the tinysoundfont package"):
        TinySoundFontSynth()


def test_registry_builds_tinysoundfont_with_the_default_soundfont():
    synth = get_registry().create("synthesizer", "tinysoundfont")
    assert isinstance(synth, TinySoundFontSynth) and synth.soundfont.name == "TimGM6mb.sf2"


def test_fluidsynth_without_its_library_is_a_clear_error(midi_factory):
    try:
        import fluidsynth  # noqa: F401
    except (ImportError, OSError):
        with pytest.raises(SeqretrieveError, match="needs pyfluidsynth"):
            get_registry().create("synthesizer", "fluidsynth")
    else:  # installed: it must render real audio
        audio = get_registry().create("synthesizer", "fluidsynth").render(midi_factory([(60, 0, 1)]), RATE)
        assert np.abs(audio).max() == pytest.approx(1.0)
