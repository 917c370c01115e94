"""The hash-dtw stage's kernel before :mod:`seqretrieve.dtw.hamming` (one entry at a time, one
loop-carried chain per row): kept only as the benchmarks' "today" reference, same scores."""

from __future__ import annotations

import numpy as np
from numba import njit

from seqretrieve.dtw.distance import xor_popcount32
from seqretrieve.dtw.kernel import DIAGONAL, FROM_ABOVE, best_predecessor


@njit(cache=True, nogil=True)
def _score_one(query, entry, phi, gully):
    """Path-length-normalised Hamming DTW of query (N,) vs entry (M,) uint32 (int32 costs,
    whole-number penalty ``phi``); the path length is carried forward instead of traced back."""
    n, m = query.shape[0], entry.shape[0]
    if n == 0 or m == 0:
        return np.inf
    shorter = min(n, m)
    g = shorter - 1 if gully >= 1.0 else int(gully * shorter)
    D = np.empty((2, m), np.int32)  # rows i - 1 and i by parity
    L = np.empty((2, m), np.int32)
    cost = np.empty(m, np.int32)
    for j in range(m):
        D[0, j] = xor_popcount32(query[0], entry[j])
        L[0, j] = 1
    best_col, best_col_len = np.int32(2**30), np.int32(1)
    if g == 0:
        best_col = D[0, m - 1]
    for i in range(1, n):
        cur, prev = i & 1, (i - 1) & 1
        x = query[i]
        for j in range(m):  # independent of the recurrence: vectorised popcounts
            cost[j] = xor_popcount32(x, entry[j])
        left = cost[0]
        left_l = np.int32(1)
        D[cur, 0] = left
        L[cur, 0] = left_l
        for j in range(1, m):
            best, move = best_predecessor(D[prev, j - 1], D[prev, j], left + phi, phi)
            length = L[prev, j - 1] if move == DIAGONAL else L[prev, j] if move == FROM_ABOVE else left_l
            left = best + cost[j]
            left_l = length + np.int32(1)
            D[cur, j] = left
            L[cur, j] = left_l
        if i >= g and D[cur, m - 1] < best_col:
            best_col, best_col_len = D[cur, m - 1], L[cur, m - 1]
    last = (n - 1) & 1
    best_row, best_row_len = np.int32(2**30), np.int32(1)
    for j in range(g, m):  # end on the last row unless the last column is strictly cheaper
        if D[last, j] < best_row:
            best_row, best_row_len = D[last, j], L[last, j]
    if best_row > best_col:
        return best_col / best_col_len
    return best_row / best_row_len


@njit(cache=True, nogil=True)
def hash_dtw_scores(query, codes, offsets, rows, phi, gully):
    """Scores (K,) float64 of query (N,) uint32 against entries ``rows`` (K,) int64, entry r
    being ``codes[offsets[r]:offsets[r + 1]]`` (codes (total,) uint32, offsets (N + 1,) int64)."""
    out = np.empty(rows.shape[0], np.float64)
    for k in range(rows.shape[0]):
        r = rows[k]
        out[k] = _score_one(query, codes[offsets[r]:offsets[r + 1]], phi, gully)
    return out


def baseline_scores(query, codes, offsets, rows, penalty, gully):
    """:func:`seqretrieve.dtw.hamming.hamming_dtw_scores`' signature, scored one entry at a time."""
    offsets = np.asarray(offsets, np.int64)
    rows = np.arange(len(offsets) - 1, dtype=np.int64) if rows is None else np.asarray(rows, np.int64)
    return hash_dtw_scores(np.ascontiguousarray(query, np.uint32), np.ascontiguousarray(codes, np.uint32),
                           offsets, rows, np.int32(penalty), float(gully))
