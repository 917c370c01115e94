"""Hamming DTW of one query against many entries at once: the one hash-sequence scoring kernel.

Semantics are those of :func:`seqretrieve.dtw.kernel.dtw_score` on the Hamming matrix of packed
uint32 codes (free start, additive penalty, gully end, the same tie rules); the score is cost /
path length in bits, +inf when either side is empty.

One pair's DP is a chain of dependent add -> min steps along each row (~1 ns per cell). Here
``LANES`` entries are interleaved column by column, ``block[j, l]`` = code j of lane l's entry,
so each step of the chain fills one cell of every lane with the same vector instructions (SWIPE's
layout; GUIDE section 6). Entries are grouped by length so that little padding is computed;
padding columns lie right of a lane's last column and never reach its cells. Costs and path
lengths are accumulated in uint16 where no path can reach 65,535 (a whole-number penalty p and
(32 + p) x (N + M) below it: a 4-minute query at any shipped rate against 30-s entries), twice
the lanes per vector instruction (about 1.3x faster); otherwise in float32, exact for
whole-number penalties (integers below 2**24). Both give the same scores.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .checks import DTWInputError

#: entries scored side by side in one block (8 AVX2 registers of 8 float32 lanes each)
LANES = 64
#: a leftover group this small is scored one entry at a time instead of padded to LANES
#: (a lane-cell of a full block costs about a quarter of a one-entry cell)
SMALL_GROUP = 16


@intrinsic
def _xor_popcount_as(typingctx, x, y, like):
    """Bits that differ between two uint32, in the accumulator type of ``like`` (xor, ctpop,
    then a signed convert to float32, which a value <= 32 survives exactly and which vectorises
    without the unsigned fix-up, or a truncation to uint16)."""
    if x != types.uint32 or y != types.uint32 or like not in (types.float32, types.uint16):
        return None

    def codegen(context, builder, signature, args):
        count = builder.ctpop(builder.xor(args[0], args[1]))
        if like == types.float32:
            return builder.sitofp(count, ir.FloatType())
        return builder.trunc(count, ir.IntType(16))

    return like(types.uint32, types.uint32, like), codegen


@intrinsic
def _as_type_of(typingctx, value, like):
    """``value`` in ``like``'s type: numba widens uint16 arithmetic to int64, and this narrowing
    lets LLVM keep the lanes 16 bits wide (no value here overflows: see :func:`_accumulator`)."""
    if like not in (types.float32, types.uint16):
        return None

    def codegen(context, builder, signature, args):
        return context.cast(builder, args[0], value, like)

    return like(value, like), codegen


@njit(cache=True, nogil=True)
def _interleave(codes, offsets, rows, block, lengths):
    """Fill ``block`` (M, W) uint32 with the codes of entries ``rows`` (<= W,) lane by lane
    (zeros past an entry's end) and ``lengths`` (W,) int64 (0 for unused lanes)."""
    block[:] = 0
    lengths[:] = 0
    for lane in range(rows.shape[0]):
        start, stop = offsets[rows[lane]], offsets[rows[lane] + 1]
        lengths[lane] = stop - start
        for j in range(stop - start):
            block[j, lane] = codes[start + j]


@njit(cache=True, nogil=True, inline="always")
def _row(x, block, Dp, Dc, Lp, Lc, phi, lanes, one):
    """Row i >= 1 of accumulated cost ``Dc`` and path length ``Lc`` (M, W) from row i - 1
    (``Dp``, ``Lp``), query code ``x``; column 0 is already filled. ``phi`` and ``one`` (1) are
    of the accumulator type."""
    for j in range(1, block.shape[0]):
        for lane in range(len(lanes)):  # the vectorised loop: one step of every lane's chain
            diag, above, left = Dp[j - 1, lane], Dp[j, lane], Dc[j - 1, lane]
            diag_len, above_len, left_len = Lp[j - 1, lane], Lp[j, lane], Lc[j - 1, lane]
            cost = _xor_popcount_as(x, block[j, lane], phi)
            above_pen = _as_type_of(above + phi, phi)
            left_pen = _as_type_of(left + phi, phi)
            best = min(diag, above_pen)  # ties: diagonal, then above, then left
            length = diag_len if diag <= above_pen else above_len
            Dc[j, lane] = _as_type_of(min(left_pen, best) + cost, phi)
            Lc[j, lane] = _as_type_of((left_len if left_pen < best else length) + one, phi)


@njit(cache=True, nogil=True, inline="always")
def _next_row(i, x, block, Dp, Dc, Lp, Lc, phi, g, last, best_col, best_col_len, lanes, one):
    """Row i of ``Dc``/``Lc`` from row i - 1 in ``Dp``/``Lp`` (free start on row 0 and column 0)
    and the last column's best end so far (``best_col``, ``best_col_len``) of each lane."""
    for j in range(block.shape[0] if i == 0 else 1):
        for lane in range(len(lanes)):
            Dc[j, lane] = _xor_popcount_as(x, block[j, lane], phi)
            Lc[j, lane] = one
    if i > 0:
        _row(x, block, Dp, Dc, Lp, Lc, phi, lanes, one)
    for lane in range(len(lanes)):
        if i >= g[lane] and Dc[last[lane], lane] < best_col[lane]:
            best_col[lane] = Dc[last[lane], lane]
            best_col_len[lane] = Lc[last[lane], lane]


@njit(cache=True, nogil=True)
def _block_scores(query, block, lengths, phi, gully, out, lanes, one, worst):
    """Scores of query (N,) uint32 against the W entries of ``block`` (M, W) uint32, lane l
    holding ``lengths[l]`` codes; written to ``out`` (W,) float64. ``phi``, ``one`` and ``worst``
    (1,) (above any cost) are of the accumulator type (:func:`_accumulator`).

    ``lanes`` is a tuple of W zeros: its length is a compile-time constant, so the lane loop
    has a fixed trip count and compiles to straight vector code (one specialisation per W).
    Rows alternate between two buffers (even rows in ``Da``/``La``, odd in ``Db``/``Lb``), each
    parity with its own inlined copy of the row, so no buffer is copied and none aliases.
    """
    W = len(lanes)
    n, M = query.shape[0], block.shape[0]
    Da = np.empty((M, W), worst.dtype)  # accumulated cost of the even rows
    Db = np.empty((M, W), worst.dtype)  # and of the odd rows
    La = np.empty((M, W), worst.dtype)  # path lengths alike
    Lb = np.empty((M, W), worst.dtype)
    g = np.zeros(W, np.int64)
    last = np.zeros(W, np.int64)
    best_col = np.full(W, worst[0])
    best_col_len = np.full(W, one)
    for lane in range(W):
        m = lengths[lane]
        shorter = min(n, m)
        g[lane] = shorter - 1 if gully >= 1.0 else int(gully * shorter)
        last[lane] = max(m - 1, 0)
    for i in range(n):
        if i % 2 == 0:
            _next_row(i, query[i], block, Db, Da, Lb, La, phi, g, last, best_col, best_col_len, lanes, one)
        else:
            _next_row(i, query[i], block, Da, Db, La, Lb, phi, g, last, best_col, best_col_len, lanes, one)
    D, L = (Da, La) if (n - 1) % 2 == 0 else (Db, Lb)  # the last row
    for lane in range(W):
        if n == 0 or lengths[lane] == 0:
            out[lane] = np.inf
            continue
        best_row, best_row_len = worst[0], one
        for j in range(g[lane], lengths[lane]):  # the last row unless the last column is cheaper
            if D[j, lane] < best_row:
                best_row, best_row_len = D[j, lane], L[j, lane]
        if best_row > best_col[lane]:
            out[lane] = np.float64(best_col[lane]) / np.float64(best_col_len[lane])
        else:
            out[lane] = np.float64(best_row) / np.float64(best_row_len)


@njit(cache=True, nogil=True)
def _score_groups(query, codes, offsets, rows, phi, gully, out, lanes, one, worst):
    """Score ``rows`` (K,) int64, sorted by length, in groups of ``len(lanes)`` into ``out``."""
    W = len(lanes)
    K = rows.shape[0]
    lengths = np.empty(W, np.int64)
    lane_out = np.empty(W, np.float64)
    for start in range(0, K, W):
        group = rows[start:start + W]
        width = max(offsets[group[-1] + 1] - offsets[group[-1]], 1)  # the group's longest
        block = np.empty((width, W), np.uint32)
        _interleave(codes, offsets, group, block, lengths)
        _block_scores(query, block, lengths, phi, gully, lane_out, lanes, one, worst)
        out[start:start + group.shape[0]] = lane_out[:group.shape[0]]


_WIDE = (0,) * LANES
_SINGLE = (0,)


def _accumulator(phi: np.float32, n: int, longest: int) -> tuple:
    """(penalty, 1, (1,) above any cost) in uint16 when no path of a query of ``n`` codes
    against entries of at most ``longest`` can reach 65,535 (each of its at most n + longest
    steps adds at most 32 + phi), else in float32."""
    if phi == int(phi) and (32 + int(phi)) * (n + longest) < 65535:
        return np.uint16(phi), np.uint16(1), np.array([65535], np.uint16)
    return np.float32(phi), np.float32(1), np.array([np.inf], np.float32)


def _scores(query, codes, offsets, rows, phi, gully):
    """Scores (K,) float64 of ``query`` against entries ``rows`` (K,) int64."""
    lengths = offsets[rows + 1] - offsets[rows]
    order = np.argsort(lengths, kind="stable")
    ordered = rows[order]
    wide = len(rows) - len(rows) % LANES
    if len(rows) % LANES >= SMALL_GROUP:
        wide = len(rows)
    sorted_out = np.empty(len(rows), np.float64)
    penalty, one, worst = _accumulator(phi, len(query), int(lengths.max()) if len(rows) else 0)
    _score_groups(query, codes, offsets, ordered[:wide], penalty, gully, sorted_out[:wide], _WIDE, one, worst)
    _score_groups(query, codes, offsets, ordered[wide:], penalty, gully, sorted_out[wide:], _SINGLE, one, worst)
    out = np.empty(len(rows), np.float64)
    out[order] = sorted_out
    return out


def _codes(codes: np.ndarray, name: str) -> np.ndarray:
    codes = np.asarray(codes)
    if codes.ndim != 1 or codes.dtype != np.uint32:
        raise DTWInputError(f"{name}: expected packed (n,) uint32 codes, got {codes.dtype} {codes.shape}")
    return np.ascontiguousarray(codes)


def _penalty(penalty: float) -> np.float32:
    if not (np.isfinite(penalty) and penalty >= 0):
        raise DTWInputError(f"penalty must be a finite number >= 0, got {penalty}")
    return np.float32(penalty)


def _gully(gully: float) -> float:
    if not gully >= 0:
        raise DTWInputError(f"gully must be in [0, 1], got {gully}")
    return float(gully)


def hamming_dtw_scores(query: np.ndarray, codes: np.ndarray, offsets: np.ndarray,
                       rows: np.ndarray | None, penalty: float, gully: float) -> np.ndarray:
    """Scores (K,) float64 of query codes (N,) uint32 against entries ``rows`` (K,) (all when
    None), entry r being ``codes[offsets[r]:offsets[r + 1]]`` (codes (total,) uint32, offsets
    (R + 1,) int64); lower is better, +inf for an empty side."""
    offsets = np.ascontiguousarray(offsets, np.int64)
    rows = (np.arange(len(offsets) - 1, dtype=np.int64) if rows is None
            else np.ascontiguousarray(rows, np.int64))
    return _scores(_codes(query, "query codes"), _codes(codes, "entry codes"), offsets, rows,
                   _penalty(penalty), _gully(gully))


def hamming_dtw_score(query: np.ndarray, entry: np.ndarray, penalty: float, gully: float) -> float:
    """Score of query codes (N,) vs entry codes (M,) uint32: cost / path length in bits."""
    entry = _codes(entry, "entry codes")
    offsets = np.array([0, len(entry)], np.int64)
    return float(hamming_dtw_scores(query, entry, offsets, None, penalty, gully)[0])
