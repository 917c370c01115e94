"""Exact median of a distance matrix from histograms of its values' bits (np.median copies and
partitions everything: several times slower).

Non-negative float32 values order like their bit patterns read as uint32, so the bin of a
histogram of the top bits that holds the middle rank narrows the search. A large matrix (the
full-resolution penalty) takes two passes of 65,536-bin histograms, of the high 16 bits and then
of the low 16 bits inside the middle bin; a small one (the pooled passes), where zeroing and
scanning those bins would cost more than the values, takes one pass of a 4,096-bin histogram of
the top 12 bits (an eighth of an octave per bin), then a partition of the middle bin's values.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_ABS = np.uint32(0x7FFFFFFF)  # clears the sign bit: -0.0 counts as 0.0
#: values from which the two 65,536-bin passes are faster than gathering the middle bin
LARGE = 1 << 16


@njit(cache=True, nogil=True)
def _bin_of_rank(histogram, rank):
    """(bin of the ``rank``-th smallest value, how many values lie in lower bins)."""
    below = 0
    key = 0
    while below + histogram[key] <= rank:
        below += histogram[key]
        key += 1
    return key, below


@njit(cache=True, nogil=True)
def _low_histogram(bits, high):
    """Histogram of the low halves of the values of ``bits`` (n,) uint32 in bin ``high``."""
    hist_low = np.zeros(65536, np.int64)
    key = np.uint32(high)
    for k in range(bits.shape[0]):
        b = bits[k] & _ABS
        if (b >> 16) == key:
            hist_low[b & 0xFFFF] += 1
    return hist_low


@njit(cache=True, nogil=True)
def _middle_by_halves(bits):
    """The two middle values of ``bits`` (n,) uint32: one pass for the high halves, one more per
    distinct bin the two middle ranks fall in (almost always one)."""
    hist_high = np.zeros(65536, np.int64)
    for k in range(bits.shape[0]):
        hist_high[(bits[k] & _ABS) >> 16] += 1
    n = bits.shape[0]
    middle = np.empty(2, np.uint32)
    hist_low = np.zeros(0, np.int64)
    done = -1
    for half, rank in enumerate(((n - 1) // 2, n // 2)):
        high, below = _bin_of_rank(hist_high, rank)
        if high != done:
            hist_low, done = _low_histogram(bits, high), high
        low, _ = _bin_of_rank(hist_low, rank - below)
        middle[half] = np.uint32(high << 16 | low)
    return middle[0], middle[1]


@njit(cache=True, nogil=True)
def _middle_by_gathering(bits):
    """The two middle values of ``bits`` (n,) uint32: a histogram of the top 12 bits, then a
    partition of the values in the bins of the two middle ranks."""
    histogram = np.zeros(4096, np.int64)
    for k in range(bits.shape[0]):
        histogram[(bits[k] & _ABS) >> 20] += 1
    n = bits.shape[0]
    first, below = _bin_of_rank(histogram, (n - 1) // 2)
    last, _ = _bin_of_rank(histogram, n // 2)
    middle = np.empty(histogram[first:last + 1].sum() + 1, np.uint32)
    lowest, highest = np.uint32(first << 20), np.uint32(((last + 1) << 20) - 1)
    taken = 0
    for k in range(bits.shape[0]):  # branch-free: every value is written, the bin's are kept
        value = bits[k] & _ABS
        middle[taken] = value
        taken += (value >= lowest) & (value <= highest)
    rank = (n - 1) // 2 - below
    middle = np.partition(middle[:taken], rank)
    return middle[rank], (middle[rank] if n % 2 else middle[rank + 1:].min())


def fast_median(values: np.ndarray) -> float:
    """``np.median(values)`` for any non-empty array; the fast path for non-negative float32."""
    values = np.asarray(values)
    if values.dtype != np.float32 or values.size < 4096 or not values.min() >= 0:
        return float(np.median(values))
    bits = np.ascontiguousarray(values).reshape(-1).view(np.uint32)
    middle = _middle_by_halves(bits) if len(bits) >= LARGE else _middle_by_gathering(bits)
    pair = np.array(middle, dtype=np.uint32).view(np.float32)
    return float(pair.astype(np.float64).mean())
