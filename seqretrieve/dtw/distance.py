"""Frame-to-frame distance matrices: cosine (one float32 GEMM) and Hamming on packed codes.

Both return row = query frame, column = entry frame, C-contiguous, ready for the DTW kernels.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from .checks import DTWInputError, check_frames, check_same_width


def cosine_distance(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``1 - X @ Y.T`` for L2-normalised rows X (N, D), Y (M, D) -> (N, M) float32 in [0, 2].

    Rows are not re-normalised (the extractors do it; an all-zero frame is at distance 1 from
    everything). Tiny negatives from rounding are clipped to 0.
    """
    X = check_frames(X, "query frames", 2)
    Y = check_frames(Y, "entry frames", 2)
    check_same_width(X, Y)
    X = np.ascontiguousarray(X, dtype=np.float32)
    Y = np.ascontiguousarray(Y, dtype=np.float32)
    out = X @ Y.T
    _one_minus_clipped(out.reshape(-1))
    return out


@njit(cache=True, nogil=True)
def _one_minus_clipped(values):
    """values[k] = max(1 - values[k], 0) in place, for (n,) float32: one pass (numpy takes two)."""
    for k in range(values.shape[0]):
        v = np.float32(1.0) - values[k]
        values[k] = v if v > 0 else np.float32(0.0)


@intrinsic
def xor_popcount32(typingctx, x, y):
    """Bits that differ between two uint32 (LLVM ``xor`` + ``ctpop``: the ``popcnt`` instruction).

    Done in one intrinsic because numba widens ``uint32 ^ uint32`` to uint64.
    """
    if x != types.uint32 or y != types.uint32:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(builder.xor(args[0], args[1]))

    return types.uint32(types.uint32, types.uint32), codegen


@njit(cache=True, nogil=True)
def _hamming_into(a, b, out):
    """out[i, j] = popcount(a[i] ^ b[j]); a (N,), b (M,) uint32; out (N, M) uint8."""
    for i in range(a.shape[0]):
        x = a[i]
        for j in range(b.shape[0]):
            out[i, j] = xor_popcount32(x, b[j])


def hamming_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bits that differ between packed codes a (N,) and b (M,) uint32 -> (N, M) uint8 in [0, 32]."""
    a = check_frames(a, "query codes", 1)
    b = check_frames(b, "entry codes", 1)
    for name, codes in (("query codes", a), ("entry codes", b)):
        if codes.dtype != np.uint32:
            raise DTWInputError(f"{name}: expected packed uint32 codes, got dtype {codes.dtype}")
    out = np.empty((a.shape[0], b.shape[0]), dtype=np.uint8)
    _hamming_into(np.ascontiguousarray(a), np.ascontiguousarray(b), out)
    return out
