"""Corrupted copies of a MIDI file with a known time mapping (demos, benchmarks, training data).

The corruptions follow craffel/alignment-search (GUIDE section 4): a global tempo change and a
smooth random time warp, a crop of the start and end, other programs for the pitched
instruments, one non-melody instrument dropped, velocities scaled. ``make_variant`` returns the
corrupted copy and a :class:`TimeMap` from original to new times, so alignments are known exactly.
The "easy"/"hard" presets are ours, modelled on that project's two settings.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import InputFileError, ParameterError

#: General MIDI programs that sound pitched and sustained enough to stand in for another
#: (pianos to synth leads and ethnic; no sound effects or percussive programs 96-103, 112-127)
MELODIC_PROGRAMS = tuple(p for p in range(112) if not 96 <= p < 104)

_GRID = 0.25  # seconds between the anchors of the warp
_WARP_SMOOTHING = 2.0  # seconds: standard deviation of the Gaussian that smooths the warp noise
_MAX_CROP_FRACTION = 0.25  # never crop more than this share of the piece at either end


@dataclass(frozen=True)
class Corruption:
    """How to corrupt a MIDI file.

    ``programs``: "shift" (each pitched instrument gets another melodic program) or "keep";
    ``tempo_scale``: > 1 plays faster (times divided by it); ``warp``: standard deviation of the
    log local tempo of the smooth warp (0: none); ``drop_probability``: chance to drop one
    non-melody instrument; ``velocity_scale``: (low, high) range of one factor per instrument;
    ``crop``: most seconds cut from each end.
    """

    programs: str = "keep"
    tempo_scale: float = 1.0
    warp: float = 0.0
    drop_probability: float = 0.0
    velocity_scale: tuple[float, float] = (1.0, 1.0)
    crop: float = 0.0


PRESETS = {
    "none": Corruption(),
    "easy": Corruption(programs="keep", warp=0.02, drop_probability=0.0, velocity_scale=(0.9, 1.1), crop=1.0),
    "hard": Corruption(programs="shift", warp=0.1, drop_probability=0.5, velocity_scale=(0.5, 1.2), crop=5.0),
}


@dataclass(frozen=True)
class TimeMap:
    """Piecewise-linear map from original to new times through ``original`` -> ``new`` anchors.

    Calling it maps a scalar or array of original times (vectorised); outside the anchors it
    extends the end segments linearly, so times in a cropped region map below 0 or past the end.
    """

    original: np.ndarray
    new: np.ndarray

    def __call__(self, times):
        """(n,) original seconds -> (n,) new seconds (a float for a scalar)."""
        t = np.asarray(times, dtype=np.float64)
        out = np.interp(t, self.original, self.new)
        head = (self.new[1] - self.new[0]) / (self.original[1] - self.original[0])
        tail = (self.new[-1] - self.new[-2]) / (self.original[-1] - self.original[-2])
        out = np.where(t < self.original[0], self.new[0] + (t - self.original[0]) * head, out)
        out = np.where(t > self.original[-1], self.new[-1] + (t - self.original[-1]) * tail, out)
        return float(out) if out.ndim == 0 else out


def make_variant(
    midi,
    seed: int,
    *,
    preset: str = "none",
    programs: str | None = None,
    tempo_scale: float | None = None,
    warp: float | None = None,
    drop_probability: float | None = None,
    velocity_scale: tuple[float, float] | None = None,
    crop: float | None = None,
):
    """A corrupted deep copy of ``midi`` and the :class:`TimeMap` original -> new times.

    Settings come from ``PRESETS[preset]``, each keyword that is not None overriding one field
    of :class:`Corruption` (pass ``warp=0`` to turn a preset's warp off). Same seed, same variant.
    """
    if preset not in PRESETS:
        raise ParameterError(f"unknown variant preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    given = dict(programs=programs, tempo_scale=tempo_scale, warp=warp,
                 drop_probability=drop_probability, velocity_scale=velocity_scale, crop=crop)
    settings = dataclasses.replace(PRESETS[preset], **{k: v for k, v in given.items() if v is not None})
    if settings.programs not in ("shift", "keep"):
        raise ParameterError(f"programs must be 'shift' or 'keep', not {settings.programs!r}")
    if settings.tempo_scale <= 0:
        raise ParameterError(f"tempo_scale must be positive, not {settings.tempo_scale}")
    if midi.get_end_time() <= 0:
        raise InputFileError("cannot make a variant of a MIDI file with no events")
    rng = np.random.default_rng(seed)
    variant = copy.deepcopy(midi)
    _change_instruments(variant, settings, rng)
    time_map = _random_time_map(variant.get_end_time(), settings, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        variant.adjust_times(time_map.original, time_map.new)
    return variant, time_map


def melody_index(midi) -> int | None:
    """Index of the melody instrument: one named melody/vocal, else the highest mean pitch."""
    pitched = [i for i, inst in enumerate(midi.instruments) if not inst.is_drum and inst.notes]
    for i in pitched:
        name = midi.instruments[i].name.lower()
        if "melody" in name or "vocal" in name or "voice" in name:
            return i
    if not pitched:
        return None
    return max(pitched, key=lambda i: np.mean([n.pitch for n in midi.instruments[i].notes]))


def _change_instruments(midi, settings: Corruption, rng: np.random.Generator) -> None:
    """Drop one non-melody instrument (maybe), then shift programs and scale velocities in place."""
    melody = melody_index(midi)
    others = [i for i, inst in enumerate(midi.instruments) if i != melody and inst.notes]
    if others and rng.random() < settings.drop_probability:
        del midi.instruments[others[rng.integers(len(others))]]
    low, high = settings.velocity_scale
    for inst in midi.instruments:
        if settings.programs == "shift" and not inst.is_drum:
            choices = [p for p in MELODIC_PROGRAMS if p != int(inst.program)]
            inst.program = int(choices[rng.integers(len(choices))])
        factor = rng.uniform(low, high)
        for note in inst.notes:
            note.velocity = int(np.clip(round(note.velocity * factor), 1, 127))


def _random_time_map(end: float, settings: Corruption, rng: np.random.Generator) -> TimeMap:
    """Tempo scale x smooth warp over [0, end], cropped, shifted to start at 0."""
    count = max(int(np.ceil(end / _GRID)), 1)
    original = np.linspace(0.0, count * _GRID, count + 1)
    rates = np.exp(_smooth_noise(count, settings.warp, rng)) / settings.tempo_scale
    new = np.concatenate([[0.0], np.cumsum(rates * _GRID)])
    max_crop = min(settings.crop, _MAX_CROP_FRACTION * end)
    start, stop = rng.uniform(0.0, max_crop), end - rng.uniform(0.0, max_crop)
    inside = (original > start) & (original < stop)
    cut = np.concatenate([[start], original[inside], [stop]])
    cut_new = np.interp(cut, original, new)
    return TimeMap(cut, cut_new - cut_new[0])


def _smooth_noise(count: int, std: float, rng: np.random.Generator) -> np.ndarray:
    """(count,) Gaussian-smoothed white noise rescaled to standard deviation ``std``."""
    if std <= 0:
        return np.zeros(count)
    width = _WARP_SMOOTHING / _GRID
    offsets = np.arange(-int(3 * width), int(3 * width) + 1)
    kernel = np.exp(-0.5 * (offsets / width) ** 2)
    # white noise through a kernel of unit L2 norm keeps unit variance at every point
    noise = np.convolve(rng.standard_normal(count + len(offsets) - 1), kernel, mode="valid")
    return std * noise / np.linalg.norm(kernel)
