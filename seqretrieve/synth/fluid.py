"""MIDI rendering with FluidSynth through ``pretty_midi.PrettyMIDI.fluidsynth`` (the published setup).

Needs the ``pyfluidsynth`` package and the system library ``libfluidsynth`` (Debian
``libfluidsynth3``); without them the factory raises a :class:`SynthesisError` naming what to install.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from ..errors import SynthesisError
from .common import normalise_peak, resolve_soundfont

log = logging.getLogger("seqretrieve.synth")


class FluidSynth:
    """Renders a ``pretty_midi.PrettyMIDI`` with FluidSynth; implements ``Synthesizer``."""

    name = "fluidsynth"

    def __init__(self, soundfont: str | os.PathLike | None = None):
        try:
            import fluidsynth  # noqa: F401  (pyfluidsynth loads libfluidsynth on import)
        except (ImportError, OSError) as exc:
            raise SynthesisError(
                "synthesizer 'fluidsynth' needs pyfluidsynth and libfluidsynth "
                f"(pip install pyfluidsynth; apt install libfluidsynth3): {exc}"
            ) from exc
        self.soundfont = resolve_soundfont(soundfont)

    def params(self) -> dict:
        """Everything that changes the rendering (stored next to features made from it)."""
        return {"synthesizer": self.name, "soundfont": self.soundfont.name}

    def render(self, midi, sample_rate: int) -> np.ndarray:
        """(n,) float32 peak-normalised mono audio of ``midi`` at ``sample_rate``."""
        samples = midi.fluidsynth(fs=int(sample_rate), sf2_path=str(self.soundfont))
        log.info("rendered MIDI with %s, soundfont %s, at %d Hz", self.name, self.soundfont, sample_rate)
        return normalise_peak(samples, "MIDI")
