"""Small MIDI and audio fixtures made on the fly for the feature tests."""

from __future__ import annotations

import numpy as np
import pytest


def build_midi(notes, program: int = 0, is_drum: bool = False, name: str = ""):
    """A PrettyMIDI with one instrument playing ``notes``: (pitch, start, end[, velocity])."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    midi.instruments.append(make_instrument(notes, program, is_drum, name))
    return midi


def make_instrument(notes, program: int = 0, is_drum: bool = False, name: str = ""):
    """A pretty_midi Instrument playing ``notes``: (pitch, start, end[, velocity])."""
    import pretty_midi

    inst = pretty_midi.Instrument(program=program, is_drum=is_drum, name=name)
    for pitch, start, end, *velocity in notes:
        inst.notes.append(pretty_midi.Note(velocity[0] if velocity else 100, pitch, start, end))
    return inst


@pytest.fixture
def midi_factory():
    return build_midi


@pytest.fixture
def instrument_factory():
    return make_instrument


@pytest.fixture(scope="session")
def synth():
    from seqretrieve.synth.tinysf import TinySoundFontSynth

    return TinySoundFontSynth()


@pytest.fixture(scope="session")
def cqt():
    from seqretrieve.features.cqt import CQTExtractor

    return CQTExtractor()


def sine(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    """(n,) float32 sine."""
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture
def sine_factory():
    return sine
