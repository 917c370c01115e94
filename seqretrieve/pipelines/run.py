"""Runs a pipeline (a cascade of matchers) for one query against an open index.

Stage k ranks the candidates that stage k-1 kept (all entries for the first stage) and passes
its best ``keep`` on (a count, or a fraction of its candidates); the last stage's ranking is the
answer. A stage with ``carry`` w > 0 ranks by ``z(its score) + w * z(previous stage's score)``
over its candidates (:func:`seqretrieve.matchers.fusion.fused`). Each stage is timed and reported, so ``--explain`` can show where the final top hit
ranked at every stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..types import Hit, PipelineSpec, QueryData
from .sharded import rank_across, rows_in_shards


@dataclass(frozen=True)
class StageReport:
    """What one stage did: candidates in, kept, seconds, and each id's rank (1-based) there."""

    matcher: str
    candidates_in: int
    kept: int
    seconds: float
    ranks: dict[str, int] = field(repr=False, default_factory=dict)
    options: dict = field(default_factory=dict)  # the stage's matcher options (PipelineStage.options)
    scores: dict[str, float] = field(repr=False, default_factory=dict)  # the matcher's scores (before carry)
    carry: float = 0.0  # PipelineStage.carry


@dataclass(frozen=True)
class QueryResult:
    """The final ranking (best first, at most ``top`` hits) and the per-stage reports."""

    query: str
    hits: list[Hit]
    stages: list[StageReport]

    def rank_at_stages(self, entry_id: str) -> list[int | None]:
        """Where ``entry_id`` ranked at each stage (None where it had been pruned before)."""
        return [stage.ranks.get(entry_id) for stage in self.stages]

    def explain(self) -> list[dict]:
        """Per stage: matcher, its options and carry, candidates in, kept, seconds and where the final top
        hit ranked there (None: pruned before that stage, or no hits)."""
        top_id = self.hits[0].id if self.hits else None
        ranks = self.rank_at_stages(top_id) if top_id else [None] * len(self.stages)
        return [{"stage": number, "matcher": stage.matcher, "options": stage.options, "carry": stage.carry,
                 "candidates": stage.candidates_in, "kept": stage.kept, "seconds": stage.seconds,
                 "top_hit_rank": rank}
                for number, (stage, rank) in enumerate(zip(self.stages, ranks), start=1)]


def run_pipeline(
    pipeline: PipelineSpec, matchers: dict, query: QueryData, index, top: int, join_last: Sequence[str] = ()
) -> QueryResult:
    """Rank ``index`` (an Index, or :class:`~seqretrieve.index.shards.Shards`) for ``query``
    through every stage of ``pipeline``.

    ``matchers``: stage matcher name -> built matcher object. ``join_last``: entry ids added to
    the last stage's candidates (e.g. found by metadata). Returns at most ``top`` hits.
    """
    shards = getattr(index, "shards", [index])
    candidates: list[np.ndarray] | None = None  # per shard; None: every entry
    hits: list[Hit] = []
    reports = []
    for number, stage in enumerate(pipeline.stages, start=1):
        started = time.perf_counter()
        candidates_in = len(index) if candidates is None else sum(map(len, candidates))
        hits = rank_across(matchers[stage.matcher], query, shards, candidates)
        raw = {hit.id: hit.score for hit in hits}
        if stage.carry and reports:
            hits = carried(hits, reports[-1].scores, stage.carry)
        seconds = time.perf_counter() - started
        kept = hits[: stage.kept_count(candidates_in)]
        reports.append(
            StageReport(
                matcher=stage.matcher,
                candidates_in=candidates_in,
                kept=len(kept),
                seconds=seconds,
                ranks={hit.id: rank for rank, hit in enumerate(hits, start=1)},
                options=dict(stage.options),
                scores=raw,
                carry=stage.carry,
            )
        )
        ids = [hit.id for hit in kept]
        if number == len(pipeline.stages) - 1 and join_last:
            ids += sorted(set(join_last) - set(ids))
        candidates = rows_in_shards(shards, ids)
    return QueryResult(query.path, hits[:top], reports)


def carried(hits: list[Hit], previous: dict[str, float], weight: float) -> list[Hit]:
    """``hits`` re-ranked by ``z(score) + weight * z(previous[id])``, the fused value as score
    (confidence kept). An id the previous stage did not score counts as its worst score."""
    from dataclasses import replace

    from ..matchers.fusion import fused

    if not hits:
        return hits
    worst = max(previous.values(), default=0.0)
    mine = np.array([hit.score for hit in hits], np.float64)
    theirs = np.array([previous.get(hit.id, worst) for hit in hits], np.float64)
    scores = fused(mine, (weight, theirs))
    order = np.argsort(scores, kind="stable")
    return [replace(hits[k], score=float(scores[k])) for k in order.tolist()]
