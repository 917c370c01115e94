"""Tempo-robust matchers: the query tried at several global time-scalings (matchers.tempo, dtw)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from seqretrieve.dtw.rates import resample_frames
from seqretrieve.index.store import Index
from seqretrieve.matchers.dtw import FeatureDTWMatcher
from seqretrieve.matchers.tempo import MultiRateMatcher, rescaled_query, with_rates
from seqretrieve.registry import get_registry
from seqretrieve.types import Hit

from .conftest import query_for


class _ByLength:
    """A fake inner matcher: entry k scores |len(query frames) - target_k|, so each entry
    prefers one time-scaling of the query."""

    name = "fake"

    def __init__(self, targets):
        self.targets = targets
        self.max_hits = 2
        self.seen = []

    def rank(self, query, index, candidates):
        n = len(query.features["cqt"].frames)
        self.seen.append(n)
        hits = [Hit(entry, float(abs(n - target))) for entry, target in self.targets.items()]
        return sorted(hits, key=lambda hit: hit.score)


def test_multi_rate_keeps_each_entries_best_rate(rendered):
    features = rendered[2][0][1]
    n = len(features.frames)
    half = int(round(n * 0.5))
    inner = _ByLength({"slow": 2 * n + 3, "fast": half, "same": n + 1})
    matcher = MultiRateMatcher(inner, (1.0, 0.5, 2.0))
    hits = matcher.rank(query_for(features), None, None)
    assert inner.max_hits is None and matcher.max_hits == 2 and len(hits) == 2
    assert sorted(inner.seen) == sorted([n, 2 * n, half])
    assert [hit.id for hit in hits] == ["fast", "same"] and hits[0].score == 0 and hits[1].score == 1


def test_rate_penalty_counts_other_rates_worse_in_standard_deviations_of_rate_one(rendered):
    features = rendered[2][0][1]
    n = len(features.frames)
    half = int(round(n * 0.5))
    # at rate 1 the scores are |n - target|: 1 (near), n - half (fast) and 3n + 1 (far)
    inner = _ByLength({"near": n + 1, "fast": half, "far": 4 * n + 1})
    unit = float(np.std([1.0, n - half, 3 * n + 1]))
    matcher = MultiRateMatcher(inner, (1.0, 0.5), rate_penalty=0.5)
    hits = {hit.id: hit.score for hit in matcher.rank(query_for(features), None, None)}
    assert hits["fast"] == pytest.approx(0.5 * unit * np.log(2))  # found at rate 0.5, counted worse
    assert hits["near"] == 1.0  # best as written: no penalty
    assert matcher.rank(query_for(features), None, None)[0].id == "near"  # "fast" no longer wins
    assert MultiRateMatcher(inner, (1.0, 0.5)).rank(query_for(features), None, None)[0].id == "fast"
    with pytest.raises(ValueError, match="rate_penalty"):
        MultiRateMatcher(inner, (1.0, 0.5), rate_penalty=-1)


def test_rescaled_queries_are_cached_and_rate_one_is_the_query(rendered):
    query = query_for(rendered[2][0][1])
    assert rescaled_query(query, 1.0) is query
    slow = rescaled_query(query, 1.7)
    assert rescaled_query(query, 1.7) is slow and query.rescaled == {1.7: slow}
    assert list(slow.features) == ["cqt"] and slow.features._made == {}  # frames made on first use only
    np.testing.assert_array_equal(slow.features["cqt"].frames, resample_frames(query.features["cqt"].frames, 1.7))
    assert slow.features["cqt"] is dict(slow.features.items())["cqt"]  # made once
    assert len(slow.features["cqt"].frames) == round(1.7 * len(query.features["cqt"].frames))
    query.encoded["pse"] = np.ones(4, np.float32)
    assert "pse" not in rescaled_query(query, 1.7).encoded
    assert rescaled_query(query, 1.7, shared=("pse",)).encoded["pse"] is query.encoded["pse"]
    query.encoded["dhs"] = np.arange(10, dtype=np.uint32)
    slow_codes = rescaled_query(query, 1.7, resampled=("dhs",)).encoded["dhs"]
    assert len(slow_codes) == 17 and slow_codes[0] == 0 and slow_codes[-1] == 9 and np.all(np.diff(slow_codes) <= 1)
    assert rescaled_query(query, 0.5, resampled=("dhs",)).encoded["dhs"].tolist() == [1, 3, 5, 7, 9]


def test_with_rates_wraps_only_when_there_is_more_than_rate_one():
    inner = _ByLength({})
    assert with_rates(inner, None) is inner and with_rates(inner, [1]) is inner
    assert isinstance(with_rates(inner, (0.5, 1.0)), MultiRateMatcher)


@pytest.fixture(scope="module")
def fast_query(rendered):
    """Song 0's MIDI features played 2.2x faster than written: its recording is 2.2x longer."""
    song, features, _ = rendered[2][0]
    return song, dataclasses.replace(features, frames=resample_frames(features.frames, 1 / 2.2))


def test_feature_dtw_finds_a_query_at_the_wrong_tempo(tiny_index, fast_query):
    song, features = fast_query
    with Index.open(tiny_index) as index:
        plain = FeatureDTWMatcher(rates=(1.0,)).rank(query_for(features), index, None)
        rated = FeatureDTWMatcher().rank(query_for(features), index, None)
        refined = FeatureDTWMatcher(refine=5).rank(query_for(features), index, None)
    assert rated[0].id == song and rated[0].confidence >= 0.5
    own = {matcher: next(hit for hit in hits if hit.id == song)
           for matcher, hits in (("plain", plain), ("rated", rated), ("refined", refined))}
    assert own["rated"].score < own["plain"].score
    assert own["refined"].score <= own["rated"].score  # every rate at full resolution: never worse


def test_feature_dtw_rate_penalty_counts_in_score_units_in_the_choice_and_the_score(tiny_index, fast_query):
    _, features = fast_query
    rates = (0.44, 1.0, 2.2)
    with Index.open(tiny_index) as index:
        alone = {rate: {hit.id: hit.score for hit in
                        FeatureDTWMatcher(rates=(rate,), rate_penalty=0).rank(query_for(features), index, None)}
                 for rate in rates}
        every = FeatureDTWMatcher(rates=rates, refine=3, rate_penalty=0.1).rank(query_for(features), index, None)
        plain = FeatureDTWMatcher(rates=(1.0,)).rank(query_for(features), index, None)
        heavy = FeatureDTWMatcher(rates=rates, rate_penalty=10.0).rank(query_for(features), index, None)
    for hit in every:  # each entry's best rate, counted 0.1 * |ln rate| worse
        assert hit.score == pytest.approx(min(alone[r][hit.id] + 0.1 * abs(np.log(r)) for r in rates))
    # a penalty no score difference outweighs: rate 1 is chosen for every entry, as written
    assert [(hit.id, hit.score) for hit in heavy] == [(hit.id, hit.score) for hit in plain]
    with pytest.raises(ValueError, match="rate_penalty"):
        FeatureDTWMatcher(rate_penalty=-0.1)


def test_registered_stages_with_rates_rank_every_candidate(tiny_index, fast_query):
    song, features = fast_query
    registry = get_registry()
    with Index.open(tiny_index) as index:
        for name in ("hash-dtw", "embedding"):
            hits = registry.create("matcher", name, rates=(0.5, 1.0, 2.2)).rank(query_for(features), index, None)
            assert len(hits) == len(index) and len({hit.id for hit in hits}) == len(index)
        hits = registry.create("matcher", "hash-dtw", rates=(0.5, 1.0, 2.2)).rank(
            query_for(features), index, np.array([0, 2, 4]))
        assert {hit.id for hit in hits} == {index.ids()[k] for k in (0, 2, 4)}


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        FeatureDTWMatcher(rates=(0.0, 1.0))
    with pytest.raises(ValueError):
        FeatureDTWMatcher(coarse=0)
