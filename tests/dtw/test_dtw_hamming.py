"""The many-entries Hamming-DTW kernel against the NumPy reference loop and the path kernel."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.dtw.checks import DTWInputError
from seqretrieve.dtw.distance import hamming_distance
from seqretrieve.dtw.hamming import LANES, SMALL_GROUP, hamming_dtw_score, hamming_dtw_scores
from seqretrieve.dtw.kernel import dtw_path

from .test_dtw_kernel import reference_dtw


def reference_score(query, entry, penalty, gully):
    """cost / path length of the NumPy reference DTW on the Hamming matrix."""
    if len(query) == 0 or len(entry) == 0:
        return np.inf
    _, _, p, _, cost = reference_dtw(hamming_distance(query, entry), penalty, gully, None)
    return cost / len(p)


def entries_near(rng, query, count, low=1, high=40):
    """``count`` entries (lists of uint32) of random lengths, some near-copies of ``query``
    pieces (ties and short paths), one empty."""
    entries = [rng.integers(0, 2**32, int(m), dtype=np.uint32) for m in rng.integers(low, high, count)]
    for k in range(0, count, 3):
        start = int(rng.integers(0, max(len(query) - 5, 1)))
        piece = query[start:start + len(entries[k])]
        entries[k] = piece ^ (rng.random(len(piece)) < 0.2).astype(np.uint32)
    entries[count // 2] = entries[count // 2][:0]
    return entries


def packed(entries):
    offsets = np.concatenate([[0], np.cumsum([len(e) for e in entries])]).astype(np.int64)
    return np.concatenate(entries).astype(np.uint32), offsets


# 70 entries: one full block of LANES plus a leftover group scored one entry at a time;
# 90 entries: a leftover group big enough to be padded into a second block
@pytest.mark.parametrize("count", [1, 5, LANES + SMALL_GROUP - 10, LANES + SMALL_GROUP + 10])
@pytest.mark.parametrize("penalty,gully", [(15, 0.9), (0, 0.5), (3, 1.0), (2, 0.0), (2.5, 0.9)])
@pytest.mark.parametrize("length", [35, 36])  # the last row in either of the two row buffers
def test_many_entries_match_the_reference(count, penalty, gully, length):
    rng = np.random.default_rng(count)
    query = rng.integers(0, 2**32, length, dtype=np.uint32)
    entries = entries_near(rng, query, count)
    codes, offsets = packed(entries)
    rows = rng.permutation(count).astype(np.int64)
    got = hamming_dtw_scores(query, codes, offsets, rows, penalty, gully)
    expected = [reference_score(query, entries[r], penalty, gully) for r in rows]
    np.testing.assert_array_equal(got, expected)


def test_copies_and_subsequences_score_zero():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 2**32, size=60, dtype=np.uint32)
    assert hamming_dtw_score(codes, codes, 4.0, 0.9) == 0.0
    other = rng.integers(0, 2**32, size=60, dtype=np.uint32)
    assert hamming_dtw_score(codes, other, 4.0, 0.9) > 8  # random codes differ in ~16 bits
    assert hamming_dtw_score(codes[:0], other, 4.0, 0.9) == np.inf
    # a subsequence of the entry matches perfectly (free start, gully)
    assert hamming_dtw_score(codes[10:40], codes, 4.0, 0.9) == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_single_pair_equals_the_path_kernel(seed):
    rng = np.random.default_rng(seed)
    query = rng.integers(0, 2**32, int(rng.integers(1, 60)), dtype=np.uint32)
    entry = query[rng.integers(0, len(query), int(rng.integers(1, 80)))]
    entry ^= (rng.random(len(entry)) < 0.3).astype(np.uint32) << np.uint32(rng.integers(0, 32))
    p, _, cost = dtw_path(hamming_distance(query, entry), 15, 0.9)
    assert hamming_dtw_score(query, entry, 15, 0.9) == cost / len(p)


def test_all_rows_when_none_and_empty_sides():
    rng = np.random.default_rng(1)
    query = rng.integers(0, 2**32, 20, dtype=np.uint32)
    codes, offsets = packed(entries_near(rng, query, 9))
    every = hamming_dtw_scores(query, codes, offsets, None, 15, 0.9)
    np.testing.assert_array_equal(every, hamming_dtw_scores(query, codes, offsets, np.arange(9), 15, 0.9))
    assert np.isinf(every[9 // 2])
    assert np.isinf(hamming_dtw_score(query[:0], codes[:5], 15, 0.9))
    assert hamming_dtw_scores(query, codes, offsets, np.array([], np.int64), 15, 0.9).shape == (0,)


@pytest.mark.parametrize("call,message", [
    (lambda q: hamming_dtw_score(q.astype(np.int64), q, 15, 0.9), "uint32"),
    (lambda q: hamming_dtw_score(q, q, -1, 0.9), "penalty"),
    (lambda q: hamming_dtw_score(q, q, np.nan, 0.9), "penalty"),
    (lambda q: hamming_dtw_score(q, q, 15, -0.1), "gully"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(DTWInputError, match=message):
        call(np.arange(10, dtype=np.uint32))


def test_uint16_accumulates_only_where_no_path_can_overflow_it():
    from seqretrieve.dtw.hamming import _accumulator

    assert _accumulator(np.float32(15), 1179, 80)[0].dtype == np.uint16  # 4 minutes at rate 2.25
    assert _accumulator(np.float32(15), 1400, 80)[0].dtype == np.float32  # 47 x 1,480 > 65,535
    assert _accumulator(np.float32(2.5), 10, 10)[0].dtype == np.float32  # not a whole number


@pytest.mark.parametrize("length", [600, 1400])  # uint16 and float32 accumulators
def test_long_queries_match_the_reference_either_way(length):
    rng = np.random.default_rng(length)
    query = rng.integers(0, 2**32, length, dtype=np.uint32)
    query[200:260] = 0  # long runs of equal codes: many tied paths
    entries = entries_near(rng, query, 12, low=40, high=81)
    codes, offsets = packed(entries)
    got = hamming_dtw_scores(query, codes, offsets, None, 15, 0.9)
    np.testing.assert_array_equal(got, [reference_score(query, entry, 15, 0.9) for entry in entries])
