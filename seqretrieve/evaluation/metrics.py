"""Retrieval metrics as in Raffel's thesis: per query, the best rank among its correct entries."""

from __future__ import annotations

import numpy as np


def correct_rank(ranked_ids: list[str], correct: set[str] | str) -> int | None:
    """1-based rank of the first correct id in ``ranked_ids``; None when none is there."""
    correct = {correct} if isinstance(correct, str) else correct
    for rank, entry_id in enumerate(ranked_ids, start=1):
        if entry_id in correct:
            return rank
    return None


def summarize(ranks: list[int | None], n_entries: int) -> dict[str, float]:
    """Top-1/5/10 (fractions), MRR and the rank that covers 95% of queries.

    A query whose correct entry was never ranked counts as rank ``n_entries + 1``.
    """
    if not ranks:
        raise ValueError("no queries to summarise")
    filled = np.array([n_entries + 1 if rank is None else rank for rank in ranks], dtype=float)
    return {
        "queries": len(filled),
        "entries": n_entries,
        "top1": float(np.mean(filled <= 1)),
        "top5": float(np.mean(filled <= 5)),
        "top10": float(np.mean(filled <= 10)),
        "mrr": float(np.mean(1.0 / filled)),
        "rank95": int(np.ceil(np.percentile(filled, 95, method="higher"))),
    }
