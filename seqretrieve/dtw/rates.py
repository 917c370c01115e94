"""Global time-scalings of feature frames, for matching when the query's tempo is far off.

A query played ``rate`` times longer than written is simulated by resampling its frames to
``rate`` times as many (the audio is never re-rendered). Each output frame is the average of
the input over its time window (exact for frames read as a step function), so slowing down
interpolates and speeding up low-passes; rows are L2-normalised again, as the extractors do.
"""

from __future__ import annotations

import numpy as np

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
    frames = np.asarray(frames, np.float64)
    n_in = frames.shape[0]
    n_out = max(1, int(round(n_in * rate)))
    cumulative = np.vstack([np.zeros((1, frames.shape[1])), np.cumsum(frames, axis=0)])
    bounds = np.linspace(0.0, n_in, n_out + 1)  # window edges in input frames
    whole = np.minimum(bounds.astype(np.int64), n_in - 1)
    at = cumulative[whole] + (bounds - whole)[:, None] * frames[whole]  # integral up to each edge
    out = np.diff(at, axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out.astype(np.float32)
