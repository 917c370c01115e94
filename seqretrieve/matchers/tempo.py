"""Tempo-robust ranking: any matcher run on several global time-scalings of the query.

Plain DTW with an additive penalty tolerates a tempo gap of about +-25% between query and
recording; beyond that the penalty prefers a wrong diagonal. :class:`MultiRateMatcher` runs its
inner matcher on the query's frames resampled by each rate (``seqretrieve.dtw.rates``) and keeps,
for every entry, its best score over the rates. That is fair across rates when the inner scores
do not drift with the query's length: path-normalised DTW scores and z-scored fused hash scores
(standardised over the candidates at each rate) both qualify.

Every extra rate is also one more chance for a wrong entry to fit by accident: with
``rate_penalty`` > 0 a score found at rate ``r`` counts ``rate_penalty * |ln r|`` standard
deviations of the candidates' scores at rate 1 worse, so a rate other than the written one wins
only by a clear margin (a real tempo gap improves the right entry's score by several).

Representations named in ``shared`` (a global embedding that barely depends on the tempo, such
as the fused hash stage's PSE) are encoded once, from the query as written, and reused at every
rate instead of being encoded again per rate. Those named in ``resampled`` (a sequence of codes
in time, such as the DHS's) are encoded once too, and their sequence is resampled to each rate
(``seqretrieve.dtw.rates.resample_codes``) instead of encoding the resampled frames again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from ..dtw.rates import check_rates, resample_codes, resample_frames
from ..types import Hit, QueryData
from .embedding import top_rows


def rescaled_query(query: QueryData, rate: float, shared=(), resampled=()) -> QueryData:
    """``query`` with every feature sequence resampled by ``rate`` (cached on the query); the
    encodings of representations in ``shared`` that the query already has are copied to it, and
    those in ``resampled`` are resampled to it."""
    if rate == 1.0:
        return query
    if rate not in query.rescaled:
        query.rescaled[rate] = QueryData(query.path, query.midi, _Resampled(query.features, rate),
                                         registry=query.registry)
    rescaled = query.rescaled[rate]
    for name in shared:
        if name in query.encoded:
            rescaled.encoded.setdefault(name, query.encoded[name])
    for name in resampled:
        if name in query.encoded and name not in rescaled.encoded:
            rescaled.encoded[name] = resample_codes(query.encoded[name], rate)
    return rescaled


class MultiRateMatcher:
    """Ranks with ``inner`` at each of ``rates`` and keeps each entry's best score.

    ``inner`` must return every candidate (its ``max_hits`` is cleared); this matcher returns
    the best ``max_hits`` (the inner's setting when not given). Hit confidence is the one of the
    winning rate. An inner matcher with ``partial_scores`` and ``combine`` (hash-dtw) is scored
    as every rate's columns side by side, as across index shards, with no hits per rate.
    """

    def __init__(self, inner, rates, max_hits: int | None = None, shared=(), rate_penalty: float = 0.0,
                 resampled=()):
        self.inner = inner
        self.name = inner.name
        self.rates = check_rates(rates)
        if not rate_penalty >= 0:
            raise ValueError(f"rate_penalty must be >= 0, not {rate_penalty}")
        self.rate_penalty = float(rate_penalty)
        self.shared = tuple(shared)
        self.resampled = tuple(resampled)
        self.max_hits = max_hits if max_hits is not None else getattr(inner, "max_hits", None)
        if hasattr(inner, "max_hits"):
            inner.max_hits = None

    def __getattr__(self, name):
        """Anything else is the inner matcher's (its model, options, fused embedding...)."""
        if name == "inner":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    @property
    def partial_scores(self):
        """For ranking across index shards (:mod:`seqretrieve.pipelines.sharded`), when the inner
        matcher scores over the whole candidate set: ``(query, index, candidates) -> (rows (K,),
        columns (K, C * R))``, the inner matcher's columns at each rate side by side."""
        if not hasattr(self.inner, "partial_scores"):
            raise AttributeError("partial_scores")
        return self._partial_scores

    @property
    def combine(self):
        """``columns (K, C * R) -> scores (K,)``: each rate's columns combined by the inner matcher,
        then each candidate's best rate with the rate penalty, as :meth:`rank` does."""
        if not hasattr(self.inner, "combine"):
            raise AttributeError("combine")
        return self._combine

    def _ordered_rates(self) -> list[float]:
        return sorted(self.rates, key=lambda r: r != 1.0)  # as written first: it encodes ``shared``, ``resampled``

    def _rescaled(self, query: QueryData, rate: float) -> QueryData:
        return rescaled_query(query, rate, self.shared, self.resampled)

    def _partial_scores(self, query: QueryData, index, candidates: np.ndarray | None):
        parts = [self.inner.partial_scores(self._rescaled(query, rate), index, candidates)
                 for rate in self._ordered_rates()]
        return parts[0][0], np.concatenate([columns for _, columns in parts], axis=1)

    def _combine(self, columns: np.ndarray) -> np.ndarray:
        rates = self._ordered_rates()
        scores = [np.asarray(self.inner.combine(block), np.float64) for block in np.split(columns, len(rates), axis=1)]
        unit = _spread(scores[0]) if self.rate_penalty else 0.0
        return np.min([score + self.rate_penalty * unit * abs(np.log(rate)) for rate, score in zip(rates, scores)], axis=0)

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        if hasattr(self.inner, "partial_scores"):  # every rate's scores as columns: no Hit objects per rate
            rows, columns = self._partial_scores(query, index, candidates)
            scores = self._combine(columns)
            ids = index.ids()
            return [Hit(ids[rows[k]], float(scores[k])) for k in top_rows(scores, self.max_hits).tolist()]
        best: dict[str, tuple[float, Hit]] = {}  # id -> (score with the rate penalty, its hit)
        unit = 0.0  # the rate-1 scores' standard deviation: what rate_penalty counts in
        for rate in self._ordered_rates():
            hits = self.inner.rank(self._rescaled(query, rate), index, candidates)
            if rate == 1.0 and self.rate_penalty:
                unit = _spread(np.array([hit.score for hit in hits], np.float64))
            extra = self.rate_penalty * unit * abs(np.log(rate))
            for hit in hits:
                score = hit.score + extra
                held = best.get(hit.id)
                if held is None or score < held[0]:
                    best[hit.id] = (score, hit)
        scores = np.array([score for score, _ in best.values()], np.float64)
        winners = list(best.values())
        return [Hit(winners[k][1].id, float(scores[k]), winners[k][1].confidence)
                for k in top_rows(scores, self.max_hits).tolist()]


class _Resampled(Mapping):
    """``features`` (extractor name -> sequence) resampled by ``rate``, each made on first use (a
    stage that scores resampled codes never needs the resampled frames)."""

    def __init__(self, features: Mapping, rate: float):
        self._source, self._rate, self._made = features, rate, {}

    def __getitem__(self, name: str):
        if name not in self._made:
            seq = self._source[name]
            self._made[name] = dataclasses.replace(seq, frames=resample_frames(seq.frames, self._rate))
        return self._made[name]

    def __iter__(self):
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


def _spread(scores: np.ndarray) -> float:
    """Standard deviation of the finite ``scores`` (0 for fewer than two): the rate penalty's unit."""
    finite = scores[np.isfinite(scores)]
    return float(np.std(finite)) if len(finite) > 1 else 0.0


def with_rates(matcher, rates, shared=(), rate_penalty: float = 0.0, resampled=()):
    """``matcher`` itself for ``rates`` None or (1,), else a :class:`MultiRateMatcher` of it."""
    if rates is None or check_rates(rates) == (1.0,):
        return matcher
    return MultiRateMatcher(matcher, rates, shared=shared, rate_penalty=rate_penalty, resampled=resampled)
