"""The public alignment API: scores and confidences on related and unrelated sequences."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.dtw.align import (
    MATCH_THRESHOLD,
    align_codes,
    align_features,
    confidence_from_score,
    normalized_score,
    score_codes,
    score_features,
    score_query_rows,
)
from seqretrieve.dtw.distance import cosine_distance
from seqretrieve.dtw.kernel import dtw_score
from seqretrieve.dtw.median import fast_median
from seqretrieve.errors import DTWInputError, SeqretrieveError


def smooth_features(rng, n, d=48):
    """Non-negative L2-normalised frames that change slowly, like a CQT: (n, d) float32."""
    x = np.abs(rng.standard_normal((n // 4 + 2, d))) ** 2
    x = np.repeat(x, 4, axis=0)[:n] + 0.05 * rng.random((n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def stretch(frames, factor, rng, noise=0.02):
    """A time-stretched, slightly noisy copy: (round(n * factor), d)."""
    n = len(frames)
    idx = np.minimum((np.arange(int(n * factor)) / factor).astype(int), n - 1)
    out = frames[idx] + noise * rng.random((len(idx), frames.shape[1]))
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("factor", [0.8, 1.0, 1.3])
def test_stretched_copy_is_a_confident_match(seed, factor):
    rng = np.random.default_rng(seed)
    query = smooth_features(rng, 200)
    entry = np.concatenate([smooth_features(rng, 50), stretch(query, factor, rng), smooth_features(rng, 40)])
    result = align_features(query, entry)
    assert result.confidence > 0.8 and result.is_match
    # the path maps query frame k near entry frame 50 + k * factor
    expected = 50 + result.path_query * factor
    assert np.median(np.abs(result.path_entry - expected)) <= 2


@pytest.mark.parametrize("seed", range(4))
def test_unrelated_sequence_is_not_a_match(seed):
    rng = np.random.default_rng(seed)
    result = align_features(smooth_features(rng, 200), smooth_features(rng, 260))
    assert result.confidence < MATCH_THRESHOLD and not result.is_match


def test_score_follows_the_published_formula():
    rng = np.random.default_rng(9)
    query, entry = smooth_features(rng, 80), smooth_features(rng, 120)
    result = align_features(query, entry)
    C = cosine_distance(query, entry)
    p, q = result.path_query, result.path_entry
    spanned = C[p.min() : p.max() + 1, q.min() : q.max() + 1].mean()
    assert result.score == pytest.approx(result.cost / len(p) / spanned, rel=1e-5)
    assert result.confidence == pytest.approx(np.clip(2 * (1 - result.score), 0, 1))
    # the default penalty is the median distance: passing it explicitly changes nothing
    explicit = align_features(query, entry, penalty=float(np.median(C)))
    assert explicit.cost == pytest.approx(result.cost, rel=1e-6)
    assert fast_median(C) == pytest.approx(float(np.median(C)), rel=1e-6)


def test_score_only_variants_agree_with_alignments():
    rng = np.random.default_rng(4)
    query, entry = smooth_features(rng, 120), smooth_features(rng, 300)
    result = align_features(query, entry, gully=0.9, band=0.5)
    assert score_features(query, entry, gully=0.9, band=0.5) == pytest.approx(
        (result.score, result.confidence)
    )
    a = rng.integers(0, 2**32, 60, dtype=np.uint32)
    b = rng.integers(0, 2**32, 90, dtype=np.uint32)
    assert score_codes(a, b) == pytest.approx(align_codes(a, b).score)


def test_codes_of_a_stretched_copy_score_low():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2**32, 150, dtype=np.uint32)
    same = align_codes(a, a[np.minimum(np.arange(180) * 150 // 180, 149)])
    other = align_codes(a, rng.integers(0, 2**32, 180, dtype=np.uint32))
    assert same.score < 5 < 12 < other.score  # bits per step; chance level is ~16
    assert same.is_match and not other.is_match


def test_confidence_and_normalisation_edges():
    assert confidence_from_score(0.0) == 1.0
    assert confidence_from_score(0.75) == 0.5
    assert confidence_from_score(3.0) == 0.0
    zeros = np.zeros((4, 4), np.float32)
    assert normalized_score(zeros, 0.0, 4, 0, 3, 0, 3) == 0.0
    assert normalized_score(zeros, 1.0, 4, 0, 3, 0, 3) == float("inf")


@pytest.mark.parametrize("n,m", [(1, 1), (1, 40), (40, 1), (5, 600)])
def test_short_and_lopsided_inputs(n, m):
    rng = np.random.default_rng(n + m)
    result = align_features(smooth_features(rng, n), smooth_features(rng, m))
    assert len(result.path_query) == len(result.path_entry) >= 1
    assert 0 <= result.confidence <= 1


@pytest.mark.parametrize(
    "query,entry,message",
    [
        (np.zeros((0, 48), np.float32), np.ones((5, 48), np.float32), "query frames: empty"),
        (np.ones((5, 48), np.float32), np.zeros((0, 48), np.float32), "entry frames: empty"),
        (np.ones((5, 48), np.float32), np.ones((5, 24), np.float32), "dims"),
        (np.full((5, 48), np.nan, np.float32), np.ones((5, 48), np.float32), "NaN"),
        (np.ones(48, np.float32), np.ones((5, 48), np.float32), "2-d"),
    ],
)
def test_bad_frames_are_clear_errors(query, entry, message):
    with pytest.raises(DTWInputError, match=message) as info:
        align_features(query, entry)
    assert isinstance(info.value, SeqretrieveError)


@pytest.mark.parametrize("case", ["odd", "even", "split", "ties", "zeros"])
def test_fast_median_is_exact(case):
    rng = np.random.default_rng(7)
    values = {
        "odd": rng.random(10_001),
        "even": rng.random(10_000) * 2,
        "split": np.repeat([0.25, 0.75], 5_000),  # the two middle values lie in different bins
        "ties": rng.integers(0, 3, 8_192) / 2,
        "zeros": np.concatenate([np.zeros(6_000), -np.zeros(10), rng.random(4_000)]),
    }[case].astype(np.float32)
    assert fast_median(values) == float(np.median(values.astype(np.float64)))


def song_with_excerpt(rng, before=300, excerpt=160, after=250):
    """A long query of smooth frames and an entry that is a stretched, noisy copy of its middle:
    (query (N, 48), entry (M, 48), first query frame of the excerpt)."""
    query = smooth_features(rng, before + excerpt + after)
    return query, stretch(query[before : before + excerpt], 1.1, rng), before


@pytest.mark.parametrize("seed", range(3))
def test_query_rows_over_the_whole_query_are_score_features(seed):
    rng = np.random.default_rng(seed)
    query, entry, _ = song_with_excerpt(rng)
    score, confidence, (first, last) = score_query_rows(query, entry)
    assert (score, confidence) == score_features(query, entry)
    assert 0 <= first < last < len(query)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rows", [(250, 520), (0, 470), (200, 709), (340, 400)])
def test_query_rows_are_dtw_with_the_other_rows_closed(seed, rows):
    """Kept to some query frames, the score is full DTW's over a matrix whose other rows cost
    infinity (same penalty, same gully end): a path may start on the first kept row only at
    entry frame 0, and end on the last kept row only if it is the query's last."""
    rng = np.random.default_rng(seed)
    query, entry, _ = song_with_excerpt(rng)
    C = cosine_distance(query, entry)
    phi = fast_median(C)
    closed = C.copy()
    closed[: rows[0]] = np.inf
    closed[rows[1] + 1 :] = np.inf
    cost, length, p_min, p_max, q_min, q_max = dtw_score(closed, phi)
    expected = normalized_score(C, cost, length, p_min, p_max, q_min, q_max)
    score, _, span = score_query_rows(query, entry, rows)
    assert score == pytest.approx(expected, rel=1e-6)
    assert span == (p_min, p_max)


def test_query_rows_holding_the_path_give_the_same_score():
    rng = np.random.default_rng(7)
    query, entry, start = song_with_excerpt(rng)
    full = score_query_rows(query, entry)
    assert full[2][0] == pytest.approx(start, abs=8)
    assert score_query_rows(query, entry, (full[2][0] - 40, full[2][1] + 40)) == full


@pytest.mark.parametrize("stride", [2, 4, 9])
def test_median_stride_takes_the_penalty_from_every_kth_query_frame(stride):
    rng = np.random.default_rng(3)
    query, entry, _ = song_with_excerpt(rng)
    penalty = fast_median(cosine_distance(query[::stride], entry))
    assert score_query_rows(query, entry, median_stride=stride)[:2] == score_features(query, entry, penalty=penalty)


@pytest.mark.parametrize("rows,stride", [((5, 2), 1), ((0, 710), 1), ((-1, 3), 1), (None, 0)])
def test_bad_query_rows_are_clear_errors(rows, stride):
    rng = np.random.default_rng(0)
    query, entry, _ = song_with_excerpt(rng)
    with pytest.raises(DTWInputError, match="rows must be"):
        score_query_rows(query, entry, rows, median_stride=stride)
