"""Banded DTW around a coarse path: the band's shape, and the same score where it holds the path."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.dtw.align import align_codes, align_features, score_features
from seqretrieve.dtw.checks import DTWInputError
from seqretrieve.dtw.guide import band_around_path, band_cells
from seqretrieve.dtw.kernel import row_limits

from .test_dtw_align import smooth_features, stretch


def reference_mask(p, q, n, m, scale, radius):
    """Cells within ``radius`` of any block of the coarse path: (n, m) bool, cell by cell."""
    mask = np.zeros((n, m), bool)
    for a, b in zip(p, q):
        r1 = n - 1 if a >= n // scale - 1 else scale * a + scale - 1
        c1 = m - 1 if b >= m // scale - 1 else scale * b + scale - 1
        mask[max(scale * a - radius, 0):r1 + radius + 1, max(scale * b - radius, 0):c1 + radius + 1] = True
    return mask


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("scale,radius", [(1, 0), (8, 0), (8, 16), (4, 3)])
def test_band_is_the_rows_hull_of_the_dilated_blocks(seed, scale, radius):
    rng = np.random.default_rng(seed)
    n, m = (int(x) for x in rng.integers(20, 200, 2))
    steps = rng.integers(0, 3, 300)  # a monotone connected path on the coarse grid
    p = np.minimum(np.cumsum(steps != 1), n // scale - 1) + int(rng.integers(0, 3))
    q = np.minimum(np.cumsum(steps != 0), m // scale - 1)
    p = np.minimum(p, n // scale - 1)
    lo, hi = band_around_path(p, q, n, m, scale, radius)
    mask = reference_mask(p, q, n, m, scale, radius)
    for i in range(n):
        cols = np.flatnonzero(mask[i])
        if len(cols):
            assert (lo[i], hi[i]) == (cols[0], cols[-1])  # blocks overlap along a connected path
        else:
            assert lo[i] > hi[i]
    assert band_cells(lo, hi) == mask.sum()


@pytest.mark.parametrize("seed", range(4))
def test_band_around_the_full_path_keeps_the_score(seed):
    rng = np.random.default_rng(seed)
    entry = smooth_features(rng, 300)
    query = stretch(entry[40:240], 1.2, rng)
    full = align_features(query, entry, gully=0.9)
    band = band_around_path(full.path_query, full.path_entry, len(query), len(entry), 1, 2)
    assert band_cells(*band) < query.shape[0] * entry.shape[0] / 5
    banded = align_features(query, entry, gully=0.9, band=band)
    np.testing.assert_array_equal(banded.path_query, full.path_query)
    np.testing.assert_array_equal(banded.path_entry, full.path_entry)
    assert (banded.cost, banded.score) == (full.cost, full.score)
    assert score_features(query, entry, gully=0.9, band=band) == score_features(query, entry, gully=0.9)


def test_coarse_codes_path_guides_the_frames():
    """Codes standing for 8 frames each (a coarse copy of the frames): the band around their
    path holds the frames' full path, so the score is the same."""
    rng = np.random.default_rng(7)
    entry = smooth_features(rng, 400)
    query = stretch(entry[80:360], 0.9, rng)
    bits = rng.standard_normal((48, 32)).astype(np.float32)

    def codes(frames):
        blocks = frames[: len(frames) // 8 * 8].reshape(-1, 8, 48).mean(axis=1)
        return np.packbits(blocks @ bits > 0, axis=1, bitorder="little").view(np.uint32).ravel()

    coarse = align_codes(codes(query), codes(entry))
    band = band_around_path(coarse.path_query, coarse.path_entry, len(query), len(entry), 8, 16)
    assert band_cells(*band) < len(query) * len(entry) / 5
    assert score_features(query, entry, band=band) == score_features(query, entry)


def test_bad_paths_and_limits_are_clear_errors():
    with pytest.raises(DTWInputError, match="coarse path"):
        band_around_path(np.array([], np.int64), np.array([], np.int64), 10, 10, 8, 2)
    with pytest.raises(DTWInputError, match="radius"):
        band_around_path(np.array([0]), np.array([0]), 10, 10, 8, -1)
    with pytest.raises(DTWInputError, match="row limits"):
        row_limits(5, 5, (np.zeros(4), np.zeros(5)))
