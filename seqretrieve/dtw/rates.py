"""Global time-scalings of feature frames, for matching when the query's tempo is far off.

A query played ``rate`` times longer than written is simulated by resampling its frames to
``rate`` times as many (the audio is never re-rendered). Each output frame is the average of
the input over its time window (exact for frames read as a step function), so slowing down
interpolates and speeding up low-passes; rows are L2-normalised again, as the extractors do.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .checks import DTWInputError

#: time-scalings tried by the tempo-robust matchers: recording length / query length from
#: 0.45 to 2.25 in steps of 1.5x (each covers about +-22% around it, the tempo gap plain DTW
#: tolerates); chosen on the validation songs of benchmarks/bench_tempo.py
DEFAULT_RATES = (0.44, 0.67, 1.0, 1.5, 2.25)


def check_rates(rates) -> tuple[float, ...]:
    """``rates`` as a sorted tuple of distinct positive floats (a clear error otherwise)."""
    values = tuple(sorted({float(r) for r in rates}))
    if not values or not all(np.isfinite(r) and r > 0 for r in values):
        raise DTWInputError(f"time-scalings must be positive numbers, got {list(rates)}")
    return values


def resample_codes(codes: np.ndarray, rate: float) -> np.ndarray:
    """A code sequence (T,) -> (max(1, round(T * rate)),) covering the same time span: each
    output step takes the input code under its centre (codes are not averaged). ``rate`` as in
    :func:`resample_frames`; 1 returns ``codes`` as is."""
    if rate == 1.0:
        return codes
    if not (np.isfinite(rate) and rate > 0):
        raise DTWInputError(f"time-scaling must be a positive number, got {rate}")
    n_out = max(1, int(round(len(codes) * rate)))
    centres = ((np.arange(n_out) + 0.5) * (len(codes) / n_out)).astype(np.int64)
    return np.ascontiguousarray(np.asarray(codes)[centres])


def resample_frames(frames: np.ndarray, rate: float) -> np.ndarray:
    """Frames (T, D) -> (max(1, round(T * rate)), D) float32 covering the same time span.

    ``rate`` > 1 stretches (a slower performance), < 1 compresses; 1 returns ``frames`` as is.
    """
    if rate == 1.0:
        return frames
    if not (np.isfinite(rate) and rate > 0):
        raise DTWInputError(f"time-scaling must be a positive number, got {rate}")
    frames = np.ascontiguousarray(frames)
    if frames.dtype not in (np.float32, np.float64):
        frames = frames.astype(np.float64)
    n_in = frames.shape[0]
    if frames.ndim != 2 or n_in == 0:
        raise DTWInputError(f"frames must be a non-empty (T, D) array, got shape {frames.shape}")
    n_out = max(1, int(round(n_in * rate)))
    return _window_means(frames, np.linspace(0.0, n_in, n_out + 1))  # window edges in input frames


@njit(cache=True)
def _window_means(frames, bounds):
    """Frames (T, D) -> (len(bounds) - 1, D) float32: the integral of the frames (a step
    function) over each window ``bounds[j]..bounds[j + 1]``, L2-normalised. Sums in float64 in
    frame order, as a cumulative sum would: one pass, no (T, D) temporaries."""
    n_in, dims = frames.shape
    out = np.empty((len(bounds) - 1, dims), np.float32)
    cumulative = np.zeros(dims)  # the integral up to the start of frame ``done``
    done = 0
    previous = np.zeros(dims)  # the integral up to the last window edge
    at = np.empty(dims)
    for j in range(len(bounds)):
        whole = min(int(bounds[j]), n_in - 1)
        while done < whole:
            for k in range(dims):
                cumulative[k] += frames[done, k]
            done += 1
        for k in range(dims):
            at[k] = cumulative[k] + (bounds[j] - whole) * frames[whole, k]
        if j > 0:
            norm = 0.0
            for k in range(dims):
                previous[k] = at[k] - previous[k]  # this window's integral
                norm += previous[k] * previous[k]
            norm = np.sqrt(norm)
            for k in range(dims):
                out[j - 1, k] = previous[k] / norm if norm > 0 else previous[k]
        previous[:] = at
    return out
