"""Offline MIDI rendering with TinySoundFont (``tinysoundfont`` wheel, no system library).

Each pretty_midi instrument gets its own channel (TinySoundFont channels are not limited to 16)
with its program; drum instruments use the percussion bank (128). Notes, velocities, control
changes (volume, expression, sustain...) and optionally pitch bends are played in time order;
the output is mono float32, peak-normalised, ``tail`` seconds longer than the MIDI's end.
"""

from __future__ import annotations

import logging
import math
import os
from functools import lru_cache

import numpy as np

from ..errors import SynthesisError
from .common import last_note_end, normalise_peak, resolve_soundfont

log = logging.getLogger("seqretrieve.synth")

_DRUM_BANK = 128
# event priorities at one sample: release first, then set-up, then new notes (as pretty_midi)
_NOTE_OFF, _CONTROL, _BEND, _NOTE_ON = range(4)
# bank select would re-point a channel at a bank the SoundFont may lack; programs are set per channel
_SKIPPED_CONTROLS = frozenset({0, 32})


@lru_cache(maxsize=4)
def _load_soundfont(path: str, mtime: float):
    """The parsed SoundFont at ``path`` (cached; each render clones it, so state never leaks)."""
    from tinysoundfont import _tinysoundfont as tsf

    try:
        return tsf.SoundFont(path)
    except Exception as exc:  # tinysoundfont raises a bare Exception/RuntimeError on bad data
        raise SynthesisError(f"{path}: not a valid SoundFont ({exc})") from exc


class TinySoundFontSynth:
    """Renders a ``pretty_midi.PrettyMIDI`` with TinySoundFont; implements ``Synthesizer``."""

    name = "tinysoundfont"

    def __init__(
        self,
        soundfont: str | os.PathLike | None = None,
        pitch_bends: bool = True,
        tail: float = 1.0,
        max_voices: int = 256,
    ):
        try:
            from tinysoundfont import _tinysoundfont  # noqa: F401
        except ImportError as exc:
            raise SynthesisError(
                "synthesizer 'tinysoundfont' needs the tinysoundfont package: "
                "pip install --no-deps tinysoundfont"
            ) from exc
        self.soundfont = resolve_soundfont(soundfont)
        self.pitch_bends = pitch_bends
        self.tail = tail
        self.max_voices = max_voices

    def params(self) -> dict:
        """Everything that changes the rendering (stored next to features made from it)."""
        return {
            "synthesizer": self.name,
            "soundfont": self.soundfont.name,
            "pitch_bends": self.pitch_bends,
            "tail": self.tail,
        }

    def render(self, midi, sample_rate: int) -> np.ndarray:
        """(n,) float32 peak-normalised mono audio of ``midi`` at ``sample_rate``."""
        from tinysoundfont import _tinysoundfont as tsf

        font = tsf.SoundFont(_load_soundfont(str(self.soundfont), self.soundfont.stat().st_mtime))
        font.set_output(tsf.OutputMode.Mono, int(sample_rate), 0.0)
        font.set_max_voices(self.max_voices)
        for channel, inst in enumerate(midi.instruments):
            bank = _DRUM_BANK if inst.is_drum else 0
            program = int(inst.program) if font.get_preset_index(bank, int(inst.program)) >= 0 else 0
            font.channel_set_preset_number(channel, program, bool(inst.is_drum))

        out = np.zeros(math.ceil((last_note_end(midi) + self.tail) * sample_rate), dtype=np.float32)
        position = 0
        for sample, kind, channel, a, b in self._events(midi, sample_rate, len(out)):
            if sample > position:
                font.render(out[position:sample].view(np.uint8))
                position = sample
            if kind == _NOTE_ON:
                font.channel_note_on(channel, a, b / 127.0)
            elif kind == _NOTE_OFF:
                font.channel_note_off(channel, a)
            elif kind == _CONTROL:
                font.channel_midi_control(channel, a, b)
            else:
                font.channel_set_pitch_wheel(channel, a)
        if position < len(out):
            font.render(out[position:].view(np.uint8))
        log.info(
            "rendered MIDI with %s, soundfont %s, at %d Hz (%.1f s)",
            self.name, self.soundfont, sample_rate, len(out) / sample_rate,
        )
        return normalise_peak(out, "MIDI")

    def _events(self, midi, sample_rate: int, length: int) -> list[tuple[int, int, int, int, int]]:
        """(sample, kind, channel, a, b) for every event, sorted by sample then kind."""
        events = []

        def at(seconds: float) -> int:
            return min(max(int(round(seconds * sample_rate)), 0), length)

        for channel, inst in enumerate(midi.instruments):
            for note in inst.notes:
                if note.velocity <= 0:
                    continue
                on = at(note.start)
                events.append((on, _NOTE_ON, channel, int(note.pitch), int(note.velocity)))
                # a zero-length note still ends after it starts, never before
                events.append((max(at(note.end), on + 1), _NOTE_OFF, channel, int(note.pitch), 0))
            for change in inst.control_changes:
                if change.number not in _SKIPPED_CONTROLS:
                    events.append((at(change.time), _CONTROL, channel, int(change.number), int(change.value)))
            if self.pitch_bends:
                for bend in inst.pitch_bends:
                    events.append((at(bend.time), _BEND, channel, int(bend.pitch) + 8192, 0))
        events.sort(key=lambda event: (event[0], event[1]))
        return events
