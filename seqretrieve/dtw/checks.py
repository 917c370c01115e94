"""Input checks shared by the DTW functions: one clear error for empty, misshapen or NaN input."""

from __future__ import annotations

import numpy as np

from ..errors import DTWInputError



def check_frames(frames: np.ndarray, name: str, ndim: int) -> np.ndarray:
    """``frames`` as an array of ``ndim`` dims with at least one frame, or a DTWInputError."""
    array = np.asarray(frames)
    if array.ndim != ndim:
        raise DTWInputError(f"{name}: expected a {ndim}-d array, got shape {array.shape}")
    if array.shape[0] == 0:
        raise DTWInputError(f"{name}: empty sequence (0 frames)")
    if ndim == 2 and array.shape[1] == 0:
        raise DTWInputError(f"{name}: frames have 0 dimensions")
    return array


def check_same_width(query: np.ndarray, entry: np.ndarray) -> None:
    """Both (N, D) and (M, D) frame arrays must share D."""
    if query.shape[1] != entry.shape[1]:
        raise DTWInputError(
            f"query frames have {query.shape[1]} dims but entry frames have {entry.shape[1]}"
        )


def check_finite_frames(frames: np.ndarray, name: str) -> None:
    """Frames must hold no NaN or infinity (a GEMM spreads one bad value over a whole row)."""
    if not np.isfinite(frames).all():
        raise DTWInputError(f"{name}: frames hold NaN or infinite values")


def check_cost_matrix(cost: np.ndarray) -> np.ndarray:
    """A non-empty (N, M) cost matrix without NaN (infinity is allowed: a forbidden cell)."""
    array = check_frames(cost, "distance matrix", 2)
    if array.dtype.kind == "f" and np.isnan(np.max(array)):
        raise DTWInputError("distance matrix holds NaN values")
    return array
