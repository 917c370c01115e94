"""What every synthesizer shares: the default SoundFont, its checks, and peak normalisation."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import SynthesisError



def default_soundfont() -> Path:
    """pretty_midi's bundled General MIDI SoundFont ``TimGM6mb.sf2`` (the published choice)."""
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def resolve_soundfont(soundfont: str | os.PathLike | None) -> Path:
    """The .sf2 to use (``None``: the default), checked to be a readable file."""
    path = Path(soundfont) if soundfont is not None else default_soundfont()
    if not path.is_file():
        raise SynthesisError(f"{path}: SoundFont not found")
    if not os.access(path, os.R_OK):
        raise SynthesisError(f"{path}: SoundFont not readable (permission denied)")
    return path


def normalise_peak(samples: np.ndarray, label: str) -> np.ndarray:
    """(n,) audio scaled so its largest absolute sample is 1, as float32; silence is an error."""
    samples = np.asarray(samples, dtype=np.float32)
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if not np.isfinite(peak) or peak == 0.0:
        raise SynthesisError(f"{label}: rendering produced silence (no playable notes)")
    return samples / np.float32(peak)


def last_note_end(midi) -> float:
    """Seconds at which the last note ends (``get_end_time`` also counts tempo and meta events,
    which can lie minutes after the music)."""
    return max((note.end for instrument in midi.instruments for note in instrument.notes), default=0.0)
