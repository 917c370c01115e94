"""Aligned (audio, MIDI) feature pairs on disk and the random crops training draws from them.

One pair per song, ``<folder>/<song>.npz`` with ``midi`` (T, 48) float16 (the MIDI rendered by
the default synthesizer), ``audio`` (T', 48) float16 (the "recording": a variant rendered and
augmented) and ``audio_index`` (T,) int32 (the audio frame aligned with each MIDI frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Pair:
    """One song's aligned features (see the module docstring for shapes)."""

    song: str
    midi: np.ndarray
    audio: np.ndarray
    audio_index: np.ndarray


def save_pair(path: Path, pair: Pair) -> None:
    """Write ``pair`` to ``path`` (.npz, float16 frames)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        midi=pair.midi.astype(np.float16),
        audio=pair.audio.astype(np.float16),
        audio_index=pair.audio_index.astype(np.int32),
    )
    tmp.replace(path)


def load_pairs(folder: str | Path, limit: int | None = None, names: list[str] | None = None) -> list[Pair]:
    """Every pair in ``folder`` in song order (at most ``limit``), or exactly the songs ``names``;
    frames stay float16 (crops are made float32 when standardised)."""
    folder = Path(folder)
    if names is None:
        files = sorted(folder.glob("*.npz"))[:limit]
    else:
        files = [folder / f"{name}.npz" for name in names]
        missing = [path.name for path in files if not path.exists()]
        if missing:
            from ..errors import SeqretrieveError

            raise SeqretrieveError(f"{folder}: the checkpoint's validation pairs are missing: {', '.join(missing[:5])}")
    pairs = []
    for path in files:
        with np.load(path) as data:
            pairs.append(Pair(path.stem, data["midi"], data["audio"], data["audio_index"]))
    return pairs


def standardisation(pairs: list[Pair]) -> dict[str, dict[str, list[float]]]:
    """Per-bin mean and std of each side over all frames: ``{side: {"mean": [48], "std": [48]}}``."""
    result = {}
    for side in ("audio", "midi"):
        count, total, squares = 0, 0.0, 0.0
        for pair in pairs:
            frames = getattr(pair, side).astype(np.float64)
            count, total, squares = count + len(frames), total + frames.sum(axis=0), squares + (frames**2).sum(axis=0)
        mean = total / count
        std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
        result[side] = {"mean": mean.tolist(), "std": np.maximum(std, 1e-3).tolist()}
    return result


def at_recording_tempo(pair: Pair) -> Pair:
    """``pair`` with its MIDI frames resampled by the recording's global tempo ratio (as the tempo
    rates resample a query: ``seqretrieve.dtw.rates.resample_frames``) and each new MIDI frame's
    aligned audio frame, so that aligned crops hold frames at their natural pace on both sides,
    not a recording sped up or slowed down frame by frame: MIDI (T * s, 48), s = the recording's
    frames per MIDI frame."""
    from ..dtw.rates import resample_frames

    n = len(pair.midi)
    slope = (int(pair.audio_index[-1]) - int(pair.audio_index[0])) / max(n - 1, 1)
    if n < 2 or slope <= 0:
        return pair
    midi = resample_frames(pair.midi, slope).astype(np.float16)
    source = np.minimum(((np.arange(len(midi)) + 0.5) * (n / len(midi))).astype(np.int64), n - 1)
    return Pair(pair.song, midi, pair.audio, pair.audio_index[source])


def aligned_crops(pairs: list[Pair], rng: np.random.Generator, batch: int, length: int):
    """DHS batch: (B, L, 48) MIDI crops and the (B, L, 48) audio frames aligned with them."""
    midi, audio = [], []
    for pair in (pairs[i] for i in rng.integers(len(pairs), size=batch)):
        start = int(rng.integers(max(1, len(pair.midi) - length)))
        stop = start + length
        midi.append(_fit(pair.midi[start:stop], length))
        audio.append(_fit(pair.audio[pair.audio_index[start:stop]], length))
    return np.stack(audio), np.stack(midi)


def matched_crops(pairs: list[Pair], rng: np.random.Generator, batch: int, midi_length: int,
                  audio_length: int):
    """PSE batch of distinct songs, like a long MIDI query against a short recording excerpt:
    (B, La, 48) audio crops lying inside the part of the song that the (B, Lm, 48) MIDI crops
    cover (unaligned: the variant's tempo differs)."""
    midi, audio = [], []
    for i in rng.choice(len(pairs), size=min(batch, len(pairs)), replace=False):
        pair = pairs[i]
        start = int(rng.integers(max(1, len(pair.midi) - midi_length)))
        stop = min(start + midi_length, len(pair.midi)) - 1
        first, last = int(pair.audio_index[start]), int(pair.audio_index[stop])
        audio_start = int(rng.integers(first, max(first + 1, last - audio_length)))
        midi.append(_fit(pair.midi[start:start + midi_length], midi_length))
        audio.append(_fit(pair.audio[audio_start:audio_start + audio_length], audio_length))
    return np.stack(audio), np.stack(midi)


def _fit(frames: np.ndarray, length: int) -> np.ndarray:
    """Crop or edge-pad (T, D) frames to exactly ``length`` rows."""
    if len(frames) >= length:
        return frames[:length]
    return np.concatenate([frames, np.repeat(frames[-1:], length - len(frames), axis=0)])
