"""Cosine and Hamming distance matrices and the fast median, against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.errors import DTWInputError
from seqretrieve.dtw.distance import cosine_distance, hamming_distance
from seqretrieve.dtw.median import fast_median


def unit_rows(rng, n, d=48):
    x = rng.standard_normal((n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_cosine_distance_is_one_minus_dot():
    rng = np.random.default_rng(0)
    X, Y = unit_rows(rng, 30), unit_rows(rng, 50)
    C = cosine_distance(X, Y)
    assert C.dtype == np.float32 and C.shape == (30, 50) and C.flags.c_contiguous
    np.testing.assert_allclose(C, 1 - X.astype(np.float64) @ Y.T.astype(np.float64), atol=1e-5)
    assert cosine_distance(X, X).diagonal().max() < 1e-5
    assert C.min() >= 0


def test_cosine_distance_clips_rounding_negatives():
    x = np.full((1, 48), 1 / np.sqrt(48), np.float32)
    assert cosine_distance(x, x).min() >= 0


def test_cosine_distance_refuses_mismatched_widths():
    with pytest.raises(DTWInputError, match="dims"):
        cosine_distance(np.ones((3, 48), np.float32), np.ones((3, 12), np.float32))


@pytest.mark.parametrize("n,m", [(1, 1), (7, 300), (257, 33)])
def test_hamming_distance_is_popcount_of_xor(n, m):
    rng = np.random.default_rng(n * m)
    a = rng.integers(0, 2**32, n, dtype=np.uint32)
    b = rng.integers(0, 2**32, m, dtype=np.uint32)
    b[0] = a[0]
    H = hamming_distance(a, b)
    assert H.dtype == np.uint8
    np.testing.assert_array_equal(H, np.bitwise_count(a[:, None] ^ b[None, :]))
    assert H[0, 0] == 0


def test_hamming_distance_extremes():
    a = np.array([0, 0xFFFFFFFF], np.uint32)
    np.testing.assert_array_equal(hamming_distance(a, a), [[0, 32], [32, 0]])


def test_hamming_distance_refuses_other_dtypes_and_empty():
    with pytest.raises(DTWInputError, match="uint32"):
        hamming_distance(np.zeros(3, np.int64), np.zeros(3, np.uint32))
    with pytest.raises(DTWInputError, match="empty"):
        hamming_distance(np.zeros(0, np.uint32), np.zeros(3, np.uint32))


@pytest.mark.parametrize("shape", [(64, 64), (65, 65), (3, 5000), (100, 333), (300, 300), (257, 1001)])  # both paths
@pytest.mark.parametrize("kind", ["uniform", "quantised", "with_zeros"])
def test_fast_median_equals_numpy(shape, kind):
    rng = np.random.default_rng(sum(shape))
    values = rng.random(shape).astype(np.float32) * 2
    if kind == "quantised":
        values = np.round(values * 4) / 4
    if kind == "with_zeros":
        values[: shape[0] // 2 + 1] = 0
        values[0, 0] = -0.0
    assert fast_median(values) == pytest.approx(float(np.median(values)), rel=1e-7, abs=0)


def test_fast_median_falls_back_for_negative_or_small_input():
    values = np.linspace(-3, 1, 10001, dtype=np.float32).reshape(73, 137)
    assert fast_median(values) == pytest.approx(float(np.median(values)))
    assert fast_median(np.array([3, 1, 2], np.uint8)) == 2.0
