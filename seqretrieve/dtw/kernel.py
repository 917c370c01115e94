"""numba DTW kernels with djitw semantics (free start, additive penalty, gully end, optional band).

For a cost matrix C (N, M) the accumulated cost is ``D[0, :] = C[0, :]``, ``D[:, 0] = C[:, 0]``
(free start anywhere on the first row or column: subsequence DTW) and, for i, j >= 1,
``D[i, j] = C[i, j] + min(D[i-1, j-1], D[i-1, j] + phi, D[i, j-1] + phi)``. Ties go to the
diagonal, then to the move from (i-1, j) (the penalised values are compared, as djitw does).
The path ends at the cheapest cell of the last column from row ``g`` or of the last row from
column ``g``, ``g = int(gully * min(N, M))`` (``min(N, M) - 1`` when gully >= 1); djitw picks
the last column only when its best is strictly cheaper. The traceback stops on row or column 0.

A band of relative width ``band`` keeps only cells near the diagonal stretched from (0, 0) to
(N-1, M-1), as djitw's ``band_mask``; cells outside it cost infinity. ``band`` may instead be
a pair of (N,) arrays, the first and last allowed column of each row (any shape of band, e.g.
one around a coarser path: :mod:`seqretrieve.dtw.guide`); a row with first > last is closed.

Costs are accumulated in float32, or exactly in int32 when C is uint8 (Hamming distances) and
the penalty a whole number. The caller's matrix is never written unless ``inplace=True``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .checks import DTWInputError, check_cost_matrix
from .defaults import GULLY

_INT_BIG = 2**30  # "infinity" of the int32 accumulator: outside the band; no overflow after adds

#: move codes stored in the traceback matrix
DIAGONAL, FROM_ABOVE, FROM_LEFT = 0, 1, 2


@njit(inline="always")
def best_predecessor(diag, above, left_pen, phi):
    """Best predecessor of one cell: (its penalised cost, move code).

    ``diag`` = D[i-1, j-1], ``above`` = D[i-1, j], ``left_pen`` = D[i, j-1] + phi.
    """
    above_pen = above + phi
    best = diag if diag <= above_pen else above_pen
    move = DIAGONAL if diag <= above_pen else FROM_ABOVE
    take_left = left_pen < best
    return (left_pen if take_left else best), (FROM_LEFT if take_left else move)


@njit(inline="always")
def _cell(C, D, tb, i, j, phi, left):
    """Fill D[i, j] and tb[i, j] given ``left`` = D[i, j-1]; returns D[i, j]."""
    best, move = best_predecessor(D[i - 1, j - 1], D[i - 1, j], left + phi, phi)
    value = best + C[i, j]
    D[i, j] = value
    tb[i, j] = move
    return value


@njit(cache=True, nogil=True)
def _forward(C, D, tb, phi, lo, hi, big):
    """Fill D (N, M) and tb (N, M) uint8 from C (N, M); D may be C. Row i spans lo[i]..hi[i]."""
    N, M = C.shape
    for i in range(N):
        first, last = lo[i], hi[i]
        for j in range(first):
            D[i, j] = big
        for j in range(last + 1, M):
            D[i, j] = big
        if i == 0:
            for j in range(first, last + 1):
                D[0, j] = C[0, j]
            continue
        start = first
        if first == 0:
            D[i, 0] = C[i, 0]
            start = 1
        left = D[i, start - 1]
        for j in range(start, last + 1):
            left = _cell(C, D, tb, i, j, phi, left)


_STRIP = 8  # rows per strip in _forward_unbanded (its unrolled body names l0..l7)


@njit(cache=True, nogil=True)
def _forward_unbanded(C, D, tb, phi):
    """:func:`_forward` without a band, same values and moves, about 1.5x faster.

    Each cell waits for its left neighbour, so one row is a chain of dependent additions. Eight
    rows are filled together along a skewed front (row i0 + r at column j - r), which gives the
    CPU eight independent chains to overlap; ``lk`` carries row i0 + k's left neighbour.
    """
    N, M = C.shape
    for j in range(M):
        D[0, j] = C[0, j]
    for i in range(1, N):
        D[i, 0] = C[i, 0]
    i0 = 1
    while M > _STRIP and i0 + _STRIP <= N:
        for j in range(1, _STRIP):  # the front enters the strip
            for r in range(j):
                _cell(C, D, tb, i0 + r, j - r, phi, D[i0 + r, j - r - 1])
        l0, l1, l2, l3 = D[i0, 7], D[i0 + 1, 6], D[i0 + 2, 5], D[i0 + 3, 4]
        l4, l5, l6, l7 = D[i0 + 4, 3], D[i0 + 5, 2], D[i0 + 6, 1], D[i0 + 7, 0]
        for j in range(_STRIP, M):
            l0 = _cell(C, D, tb, i0, j, phi, l0)
            l1 = _cell(C, D, tb, i0 + 1, j - 1, phi, l1)
            l2 = _cell(C, D, tb, i0 + 2, j - 2, phi, l2)
            l3 = _cell(C, D, tb, i0 + 3, j - 3, phi, l3)
            l4 = _cell(C, D, tb, i0 + 4, j - 4, phi, l4)
            l5 = _cell(C, D, tb, i0 + 5, j - 5, phi, l5)
            l6 = _cell(C, D, tb, i0 + 6, j - 6, phi, l6)
            l7 = _cell(C, D, tb, i0 + 7, j - 7, phi, l7)
        for j in range(M, M + _STRIP - 1):  # the front leaves it
            for r in range(j - M + 1, _STRIP):
                _cell(C, D, tb, i0 + r, j - r, phi, D[i0 + r, j - r - 1])
        i0 += _STRIP
    for i in range(i0, N):  # rows left over (or a matrix too narrow for strips)
        left = D[i, 0]
        for j in range(1, M):
            left = _cell(C, D, tb, i, j, phi, left)


@njit(cache=True, nogil=True)
def _end_point(last_col, last_row, g_row, g_col):
    """djitw's gully end: (i, j) from the last column's (N,) costs from row ``g_row`` and the
    last row's (M,) from column ``g_col``."""
    i = g_row + np.argmin(last_col[g_row:])
    j = g_col + np.argmin(last_row[g_col:])
    if last_row[j] > last_col[i]:
        return i, last_row.shape[0] - 1
    return last_col.shape[0] - 1, j


@njit(cache=True, nogil=True)
def _walk(tb, i, j):
    """Length of the path ending at (i, j) and its start (i0, j0), without storing it."""
    n = 1
    while i > 0 and j > 0:
        move = tb[i, j]
        if move != FROM_LEFT:
            i -= 1
        if move != FROM_ABOVE:
            j -= 1
        n += 1
    return n, i, j


@njit(cache=True, nogil=True)
def _traceback(tb, i, j):
    """Path (p, q) (K,) int64 from row or column 0 to the end (i, j)."""
    n = _walk(tb, i, j)[0]
    p = np.empty(n, np.int64)
    q = np.empty(n, np.int64)
    for k in range(n - 1, -1, -1):
        p[k], q[k] = i, j
        move = tb[i, j]
        if move != FROM_LEFT:
            i -= 1
        if move != FROM_ABOVE:
            j -= 1
    return p, q


# --------------------------------------------------------------------------- Python wrappers
def band_limits(n: int, m: int, band: float | None) -> tuple[np.ndarray, np.ndarray]:
    """First and last allowed column of each of ``n`` rows: two (n,) int64 arrays.

    ``band`` None allows every cell; otherwise the radius is ``max(1, round(band * min(n, m)))``
    and the band is stretched so that (0, 0) and (n-1, m-1) are inside (djitw's ``band_mask``).
    """
    rows = np.arange(n, dtype=np.int64)
    if band is None:
        return np.zeros(n, np.int64), np.full(n, m - 1, np.int64)
    if not band > 0:
        raise DTWInputError(f"band must be a positive fraction of the shorter length, got {band}")
    radius = max(1, int(round(band * min(n, m))))
    if n <= m:
        lo, hi = rows - radius + 1, rows + radius + (m - n) - 1
    else:
        lo, hi = rows - radius - (n - m) + 1, rows + radius - 1
    return np.clip(lo, 0, m - 1), np.clip(hi, 0, m - 1)


def gully_start(n: int, m: int, gully: float) -> int:
    """First row/column where the path may end: ``int(gully * min(n, m))``, capped at min - 1."""
    if not gully >= 0:
        raise DTWInputError(f"gully must be in [0, 1], got {gully}")
    shorter = min(n, m)
    return shorter - 1 if gully >= 1 else int(gully * shorter)


def _prepare(C: np.ndarray, penalty: float):
    """(C as the kernel wants it, accumulator dtype, phi, big) for a cost matrix and penalty."""
    C = check_cost_matrix(C)
    penalty = float(penalty)
    if not (np.isfinite(penalty) and penalty >= 0):
        raise DTWInputError(f"penalty must be a finite number >= 0, got {penalty}")
    if C.dtype == np.uint8 and penalty.is_integer():
        return np.ascontiguousarray(C), np.int32, np.int64(penalty), np.int64(_INT_BIG)
    C = np.ascontiguousarray(C, dtype=np.float32)
    return C, np.float32, np.float32(penalty), np.float32(np.inf)


def row_limits(n: int, m: int, band) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) allowed column of each of ``n`` rows for ``band``: a fraction (see
    :func:`band_limits`) or already a pair of (n,) integer arrays."""
    if not isinstance(band, tuple):
        return band_limits(n, m, band)
    lo, hi = (np.ascontiguousarray(limit, np.int64) for limit in band)
    if lo.shape != (n,) or hi.shape != (n,):
        raise DTWInputError(f"row limits must be two ({n},) arrays, got {lo.shape} and {hi.shape}")
    return np.clip(lo, 0, m), np.clip(hi, -1, m - 1)


def accumulate(
    C: np.ndarray, penalty: float, band=None, inplace: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Accumulated cost D (N, M) and traceback (N, M) uint8 (0 diagonal, 1 from above, 2 left).

    ``band``: None, a fraction or per-row limits (:func:`row_limits`). ``inplace=True`` writes
    D into ``C`` itself when C is already a C-contiguous float32 array.
    """
    C, acc, phi, big = _prepare(C, penalty)
    reuse = inplace and C.dtype == acc
    D = C if reuse else np.empty(C.shape, acc)
    tb = np.zeros(C.shape, np.uint8)
    if band is None:
        _forward_unbanded(C, D, tb, phi)
    else:
        _forward(C, D, tb, phi, *row_limits(*C.shape, band), big)
    return D, tb


def dtw_path(
    C: np.ndarray, penalty: float, gully: float = GULLY, band=None,
    inplace: bool = False,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Best path (p (K,), q (K,) int64, start first) through C (N, M) and its total cost."""
    D, tb = accumulate(C, penalty, band, inplace)
    g = gully_start(*D.shape, gully)
    i, j = _end_point(D[:, -1], D[-1, :], g, g)
    p, q = _traceback(tb, i, j)
    return p, q, float(D[i, j])


def dtw_score(
    C: np.ndarray, penalty: float, gully: float = GULLY, band=None, end_from: tuple[int, int] | None = None
) -> tuple[float, int, int, int, int, int]:
    """(cost, path length, p_min, p_max, q_min, q_max) of :func:`dtw_path`'s path, without it.

    For matchers ranking many entries: the path is walked inside numba, never built.
    ``end_from``: (first row of the last column, first column of the last row) where the path
    may end, instead of ``gully``'s (for C holding some rows of a larger matrix).
    """
    D, tb = accumulate(C, penalty, band)
    g_row, g_col = (gully_start(*D.shape, gully),) * 2 if end_from is None else end_from
    i, j = _end_point(D[:, -1], D[-1, :], min(int(g_row), D.shape[0] - 1), min(int(g_col), D.shape[1] - 1))
    length, i0, j0 = _walk(tb, i, j)
    return float(D[i, j]), int(length), int(i0), int(i), int(j0), int(j)
