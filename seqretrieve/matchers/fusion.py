"""Putting scores of different kinds on one scale: z-scores over a stage's candidates.

A Hamming-DTW cost, an embedding distance and a CQT DTW score have different units and spreads;
standardised over the same candidates they can be added with weights (lower = better for all).
"""

from __future__ import annotations

import numpy as np


def standardised(scores: np.ndarray) -> np.ndarray:
    """(scores - mean) / std over the finite ``scores`` (K,); non-finite ones stay +inf."""
    scores = np.asarray(scores, np.float64)
    finite = np.isfinite(scores)
    out = np.full(scores.shape, np.inf)
    if finite.any():
        values = scores[finite]
        spread = values.std()
        out[finite] = (values - values.mean()) / (spread if spread > 0 else 1.0)
    return out


def fused(scores: np.ndarray, *others: tuple[float, np.ndarray]) -> np.ndarray:
    """``z(scores) + sum(w * z(other))`` for (weight, other scores) pairs over the same (K,)
    candidates; a weight of 0 leaves its scores out."""
    out = standardised(scores)
    for weight, other in others:
        if weight:
            out = out + weight * standardised(other)
    return out
