"""One pipeline stage over several index shards: rank each shard's candidates, merge.

Scores of the ``dtw`` and ``embedding`` matchers depend only on the query and the entry, so the
merged ranking of the shards' hits is the ranking one index holding every entry would give. A
matcher whose scores depend on the whole candidate set (the fused ``hash-dtw`` standardises over
its candidates) exposes ``partial_scores(query, index, candidates) -> (rows (K,), columns (K, C))``
and ``combine(columns) -> scores (K,)``: the shards' raw columns are concatenated, then combined.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..types import Hit, QueryData


def rank_across(matcher: Any, query: QueryData, shards: Sequence[Any],
                candidates: list[np.ndarray] | None) -> list[Hit]:
    """Hits of ``matcher`` over every shard, best first. ``candidates``: per shard, the rows to
    rank (None: every entry of every shard)."""
    per_shard = candidates or [None] * len(shards)
    if len(shards) == 1:
        return matcher.rank(query, shards[0], per_shard[0])
    if hasattr(matcher, "combine"):
        from ..matchers.embedding import top_rows

        parts = [matcher.partial_scores(query, shard, rows) for shard, rows in zip(shards, per_shard)]
        scores = matcher.combine(np.concatenate([columns for _, columns in parts]))
        owners = [(shard, row) for shard, (rows, _) in zip(shards, parts) for row in rows.tolist()]
        return [Hit(owners[k][0].ids()[owners[k][1]], float(scores[k]))
                for k in top_rows(scores, getattr(matcher, "max_hits", None)).tolist()]
    hits = [hit for shard, rows in zip(shards, per_shard) for hit in matcher.rank(query, shard, rows)]
    hits.sort(key=lambda hit: hit.score)
    return hits


def rows_in_shards(shards: Sequence[Any], ids: Sequence[str]) -> list[np.ndarray]:
    """Per shard, the row numbers (int64) of those ``ids`` it holds, in the order given."""
    rows = []
    for shard in shards:
        row_of = shard.row_of()
        rows.append(np.fromiter((row_of[i] for i in ids if i in row_of), dtype=np.int64))
    return rows
