"""MIDI -> CQT frames without a waveform: the notes' CQT templates summed in the magnitude domain.

The templates (:mod:`seqretrieve.synth.build_templates`, shipped under ``templates/<name>/``) hold
each instrument's and pitch's CQT magnitudes rendered once by TinySoundFont: ``PRE`` frames
before the onset, ``HOLD`` held frames and ``RELEASE`` frames after the note-off. A note of
``d`` frames takes the held frames (beyond ``HOLD``: the last one decaying as the template's
own last frames do), then the release frames scaled to its level at the note-off; drums play
their whole template. Notes are placed at fractional frame positions (split between the two
nearest frames), scaled by velocity (the measured gain curve), channel volume x expression and
shifted along the semitone bins by pitch bends and for pitches outside the rendered range.
The sum then gets the extractor's own log amplitude and per-frame norm.

The ``cqt-templates`` synthesizer therefore makes frames, not audio: ``features_from_midi``
asks it for ``frames(midi, extractor)``; ``render`` is a clear error.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from numba import njit

from ..types import FeatureSequence
from .build_templates import DEFAULT_DIR, from_db_codes
from .common import SynthesisError, last_note_end

#: extractor parameters the templates must have been rendered with (the rest may differ)
_MATCHING = ("name", "sample_rate", "hop_length", "fmin_midi", "n_bins", "bins_per_octave", "midi_sample_rate")
_BEND_RANGE = 2.0  # semitones of a full pitch-wheel deflection (the GM default)


@lru_cache(maxsize=4)
def _card(folder: str) -> dict:
    path = Path(folder) / "card.json"
    if not path.is_file():
        raise SynthesisError(f"{folder}: no CQT templates here (card.json missing); build them with "
                             "`python -m seqretrieve.synth.build_templates --out FOLDER`")
    return json.loads(path.read_text())


@lru_cache(maxsize=256)
def _instrument(folder: str, key: str) -> np.ndarray:
    """(pitches, PRE + HOLD + RELEASE, bins) float32 magnitudes of one instrument (loaded once)."""
    with np.load(Path(folder) / _card(folder)["file"]) as archive:
        return from_db_codes(archive[key])


@lru_cache(maxsize=4)
def _velocity_gain(folder: str) -> np.ndarray:
    with np.load(Path(folder) / _card(folder)["file"]) as archive:
        return archive["velocity_gain"]


def _key(instrument) -> str:
    return "drums" if instrument.is_drum else f"program{int(instrument.program):03d}"


def _values_at(changes: list[tuple[float, float]], times: np.ndarray, default: float) -> np.ndarray:
    """The value of the last (time, value) change at or before each of ``times`` (K,)."""
    if not changes:
        return np.full(len(times), float(default))
    when, value = np.array(sorted(changes), np.float64).T
    at = np.searchsorted(when, times, side="right") - 1
    return np.where(at >= 0, value[np.maximum(at, 0)], default)


def _pedal_releases(instrument, ends: np.ndarray) -> np.ndarray:
    """When the sustain pedal held down at each of ``ends`` (K,) is lifted (the end itself if
    the pedal is up then)."""
    pedal = sorted((c.time, float(c.value >= 64)) for c in instrument.control_changes if c.number == 64)
    if not pedal:
        return ends
    when, down = np.array(pedal, np.float64).T
    lifted = np.full(len(when), np.inf)  # the first "up" at or after each change
    following = np.inf
    for k in range(len(when) - 1, -1, -1):
        following = when[k] if not down[k] else following
        lifted[k] = following
    at = np.searchsorted(when, ends, side="right") - 1
    held = (at >= 0) & (down[np.maximum(at, 0)] > 0)
    return np.where(held, np.minimum(lifted[np.maximum(at, 0)], np.maximum(ends, when[-1])), ends)


def note_table(midi, frame_rate: float, pitch_range: tuple[int, int], keys: list[str],
               velocity_gain: np.ndarray, pitch_bends: bool) -> dict[str, np.ndarray]:
    """One row per sounding note: instrument (index into ``keys``), pitch row, bin shift
    (semitones, bends and out-of-range pitches), start (fractional frame), length (frames),
    gain, drum flag; every array (K,)."""
    low, high = pitch_range
    parts = []
    for instrument in midi.instruments:
        notes = np.array([(n.start, n.end, n.pitch, n.velocity) for n in instrument.notes if n.velocity > 0],
                         np.float64).reshape(-1, 4)
        start, end, pitch, velocity = notes.T
        controls = {number: [(c.time, c.value) for c in instrument.control_changes if c.number == number]
                    for number in (7, 11)}
        volume = _values_at(controls[7], start, 127) * _values_at(controls[11], start, 127) / 127**2
        bends = [(b.time, b.pitch) for b in instrument.pitch_bends] if pitch_bends and not instrument.is_drum else []
        if not instrument.is_drum:
            end = np.maximum(end, _pedal_releases(instrument, end))
        row = np.clip(pitch, low, high - 1)
        parts.append({
            "instrument": np.full(len(notes), keys.index(_key(instrument)), np.int64),
            "pitch_row": (row - low).astype(np.int64),
            "shift": pitch - row + _values_at(bends, start, 0) / 8192 * _BEND_RANGE,
            "start": start * frame_rate,
            "length": np.maximum(1, np.round((end - start) * frame_rate)).astype(np.int64),
            "gain": velocity_gain[np.minimum(velocity, 127).astype(np.int64)] * volume,
            "drum": np.full(len(notes), instrument.is_drum, np.bool_),
        })
    names = ("instrument", "pitch_row", "shift", "start", "length", "gain", "drum")
    if not parts:
        return {name: np.zeros(0) for name in names}
    return {name: np.concatenate([part[name] for part in parts]) for name in names}


@njit(cache=True, nogil=True)
def _energy(frame):
    total = 0.0
    for b in range(frame.shape[0]):
        total += frame[b]
    return total


@njit(cache=True, nogil=True)
def _add_frame(out, f, source, scale, shift):
    """out[f] += scale * source (bins,) shifted up by ``shift`` semitone bins (fractional)."""
    if f < 0 or f >= out.shape[0] or scale == 0.0:
        return
    whole = int(np.floor(shift))
    frac = shift - whole
    bins = out.shape[1]
    for b in range(bins):
        lower, upper = b - whole, b - whole - 1  # out bin b reads the source bin ``shift`` below
        value = 0.0
        if 0 <= lower < bins:
            value += (1.0 - frac) * source[lower]
        if frac > 0.0 and 0 <= upper < bins:
            value += frac * source[upper]
        out[f, b] += scale * value


@njit(cache=True, nogil=True)
def assemble(templates, instrument, pitch_row, shift, start, length, gain, drum, pre, hold, out):
    """Sum every note's template into ``out`` (T, bins) float32 magnitudes.

    ``templates`` (U, P, PRE + HOLD + RELEASE, bins) float32; the note arrays (K,) as
    :func:`note_table` makes them.
    """
    release = templates.shape[2] - pre - hold
    for k in range(instrument.shape[0]):
        tpl = templates[instrument[k], pitch_row[k]]
        last = tpl[pre + hold - 1]
        held_end = _energy(last)
        earlier = _energy(tpl[pre + hold - 6])
        decay = (held_end / earlier) ** 0.2 if earlier > 0 and held_end > 0 else 1.0
        decay = min(max(decay, 0.5), 1.0)
        d = hold if drum[k] else length[k]
        if d <= hold:
            level = _energy(tpl[pre + d - 1]) / held_end if held_end > 0 else 1.0
        else:
            level = decay ** (d - hold)
        first = int(np.floor(start[k]))
        weight = start[k] - first
        for placement in range(2):  # split between the two nearest frame positions
            w = gain[k] * (weight if placement else 1.0 - weight)
            if w == 0.0:
                continue
            f0 = first + placement
            for t in range(-pre, d + release):
                if t < min(d, hold):
                    _add_frame(out, f0 + t, tpl[pre + t], w, shift[k])
                elif t < d:
                    _add_frame(out, f0 + t, last, w * decay ** (t - hold + 1), shift[k])
                else:
                    _add_frame(out, f0 + t, tpl[pre + hold + t - d], w * level, shift[k])


class CQTTemplateSynth:
    """Makes a MIDI file's CQT frames from note templates; implements ``Synthesizer`` (with
    ``frames`` instead of ``render``)."""

    name = "cqt-templates"

    def __init__(self, templates: str | os.PathLike | None = None, pitch_bends: bool = True, tail: float = 1.0):
        self.folder = str(Path(templates) if templates is not None else DEFAULT_DIR)
        self.card = _card(self.folder)
        self.pitch_bends = pitch_bends
        self.tail = tail

    def params(self) -> dict:
        return {"synthesizer": self.name, "templates": self.card["name"], "sha256": self.card["sha256"],
                "soundfont": self.card["soundfont"], "pitch_bends": self.pitch_bends, "tail": self.tail}

    def render(self, midi, sample_rate: int) -> np.ndarray:
        raise SynthesisError("synthesizer 'cqt-templates' makes CQT frames, not audio: use it with the "
                             "cqt extractor for queries, or 'tinysoundfont' to render audio")

    def mismatches(self, extractor) -> list[str]:
        """The extractor parameters that differ from those the templates were rendered for."""
        params = extractor.params()
        expected = self.card["extractor"]
        return [key for key in _MATCHING if params.get(key) != expected.get(key)]

    def frames(self, midi, extractor) -> FeatureSequence:
        """The CQT FeatureSequence (T, bins) of ``midi`` as ``extractor`` would make it from audio."""
        from ..features.cqt import log_amplitude, normalise_frames

        wrong = self.mismatches(extractor)
        if wrong:
            raise SynthesisError(f"the CQT templates {self.card['name']!r} were rendered for other extractor "
                                 f"parameters ({', '.join(wrong)}); use the 'tinysoundfont' synthesizer")
        keys = sorted({_key(instrument) for instrument in midi.instruments})
        table = note_table(midi, extractor.frame_rate, tuple(self.card["pitches"]), keys,
                           _velocity_gain(self.folder), self.pitch_bends)
        if len(table["instrument"]) == 0:
            raise SynthesisError("MIDI: rendering produced silence (no playable notes)")
        rate = extractor.midi_sample_rate
        samples = int(np.ceil((last_note_end(midi) + self.tail) * rate))
        out = np.zeros((1 + samples // extractor.hop_for(rate), extractor.n_bins), np.float32)
        templates = np.stack([_instrument(self.folder, key) for key in keys])
        assemble(templates, table["instrument"], table["pitch_row"], table["shift"], table["start"],
                 table["length"], table["gain"], table["drum"], self.card["pre"], self.card["hold"], out)
        frames = normalise_frames(log_amplitude(out.T).T)
        return FeatureSequence(frames, extractor.frame_rate, extractor.name, extractor.params())
