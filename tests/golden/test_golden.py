"""Golden files: one example song's features, DTW, codes, embeddings and cascade ranks stay what
they were when ``make.py`` last wrote them (so "same scores" in a commit message is checked).

Tolerances: frames 1e-3 (stored as float16; a changed log floor, norm or CQT parameter moves
them by far more), DTW path exactly, scores 1e-5 relative, cascade confidences 1e-5 absolute
(they are ``clip(2 (1 - score))``, so relative errors blow up near 0), embeddings 1e-4,
hash codes at most 1% of bits flipped (a TFLite output at 0 may take either sign on another
CPU), cascade stage ranks exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from .compute import ARRAYS, CASCADE, cascade_values, song_values

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def golden():
    with np.load(ARRAYS) as stored:
        return dict(stored)


@pytest.fixture(scope="module")
def current(small_index, example_queries):
    return song_values(small_index, example_queries)


@pytest.mark.parametrize("side", ["query", "entry"])
def test_cqt_frames(golden, current, side):
    stored, now = golden[f"{side}_frames"].astype(np.float32), current[f"{side}_frames"]
    assert now.shape == stored.shape
    np.testing.assert_allclose(now, stored, atol=1e-3)


def test_dtw_path_and_score(golden, current):
    np.testing.assert_array_equal(current["dtw_path"], golden["dtw_path"])
    np.testing.assert_allclose(current["dtw_cost_score_confidence"], golden["dtw_cost_score_confidence"], rtol=1e-5)
    np.testing.assert_allclose(current["dtw_score_only"], golden["dtw_score_only"], rtol=1e-5)


@pytest.mark.parametrize("side", ["query", "entry"])
def test_hash_codes(golden, current, side):
    stored, now = golden[f"{side}_codes"], current[f"{side}_codes"]
    assert now.dtype == np.uint32 and now.shape == stored.shape
    flipped = np.unpackbits((stored ^ now).view(np.uint8)).sum()
    assert flipped <= 0.01 * 32 * len(stored)


def test_hash_dtw_score(golden, current):
    np.testing.assert_allclose(current["codes_score"], golden["codes_score"], rtol=1e-5)


@pytest.mark.parametrize("side", ["query", "entry"])
def test_embedding(golden, current, side):
    np.testing.assert_allclose(current[f"{side}_embedding"], golden[f"{side}_embedding"], rtol=1e-4, atol=1e-4)


def test_cascade_ranks(small_index, example_queries, tmp_path_factory):
    stored = json.loads(CASCADE.read_text())
    now = cascade_values(small_index, example_queries, tmp_path_factory.mktemp("golden"))
    assert sorted(now) == sorted(stored)
    for query, result in stored.items():
        assert now[query]["stages"] == result["stages"], query
        assert [hit[0] for hit in now[query]["hits"]] == [hit[0] for hit in result["hits"]], query
        np.testing.assert_allclose([hit[1] for hit in now[query]["hits"]], [hit[1] for hit in result["hits"]],
                                   rtol=1e-5, err_msg=query)
        # confidence = clip(2 (1 - score)): near 0 a relative tolerance would amplify rounding
        np.testing.assert_allclose([hit[2] for hit in now[query]["hits"]], [hit[2] for hit in result["hits"]],
                                   atol=1e-5, err_msg=query)
