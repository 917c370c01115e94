"""A band for fine DTW around a coarse path (e.g. the Hamming-DTW path of hash codes).

Cell (a, b) of the coarse path stands for the ``scale`` x ``scale`` block of frames
``[scale * a, scale * (a + 1)) x [scale * b, scale * (b + 1))``. The band keeps every frame cell
within ``radius`` frames of such a block; the fine DTW then fills only those cells
(:func:`seqretrieve.dtw.kernel.accumulate` with per-row limits). Wherever the band holds the
full-matrix path, the banded path, its cost and its normalised score are the same.
"""

from __future__ import annotations

import numpy as np

from .checks import DTWInputError


def band_around_path(p: np.ndarray, q: np.ndarray, n: int, m: int, scale: int,
                     radius: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last allowed column (two (n,) int64 arrays) of each of ``n`` x ``m`` frame rows
    around the coarse path ``p``, ``q`` (K,) (non-decreasing, as DTW paths are).

    Rows no block reaches are closed (first > last). Blocks on the coarse grid's last row or
    column (``n // scale - 1``, ``m // scale - 1``) reach the ends of the frame axes, which are
    not always whole multiples of ``scale``.
    """
    p = np.asarray(p, np.int64)
    q = np.asarray(q, np.int64)
    if p.ndim != 1 or p.shape != q.shape or len(p) == 0:
        raise DTWInputError(f"a coarse path needs two equal (K,) index arrays, got {p.shape} and {q.shape}")
    if scale < 1 or radius < 0:
        raise DTWInputError(f"scale must be >= 1 and radius >= 0, got {scale} and {radius}")
    row_first = scale * p - radius
    row_last = np.where(p >= n // scale - 1, n - 1, scale * p + scale - 1) + radius
    col_first = scale * q - radius
    col_last = np.where(q >= m // scale - 1, m - 1, scale * q + scale - 1) + radius
    rows = np.arange(n, dtype=np.int64)
    # the first block reaching row i has the smallest first column, the last one the largest
    # last column: p, q and therefore every bound above are non-decreasing along the path
    first_block = np.minimum(np.searchsorted(row_last, rows, side="left"), len(p) - 1)
    last_block = np.searchsorted(row_first, rows, side="right") - 1
    reached = (row_last[first_block] >= rows) & (row_first[first_block] <= rows)
    lo = np.where(reached, col_first[first_block], m)
    hi = np.where(reached, col_last[np.maximum(last_block, 0)], -1)
    return np.clip(lo, 0, m), np.clip(hi, -1, m - 1)


def band_cells(lo: np.ndarray, hi: np.ndarray) -> int:
    """How many cells per-row limits ``lo``, ``hi`` (n,) allow."""
    return int(np.maximum(np.asarray(hi) - np.asarray(lo) + 1, 0).sum())
