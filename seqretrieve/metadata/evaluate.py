"""Precision and recall of cleaning and of top-1 text matching on labelled names.

Top-1 matching at threshold ``t``: a query is *answered* when its best candidate scores >= t;
*correct* when the truth id is among the ids of the best group. Precision = correct / answered,
recall = correct / queries whose truth is in the catalogue (answered absent ones count against
precision only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .catalog import Catalog
from .clean import CleanName
from .match import TextCandidate
from .synthetic import LabelledName
from .text import artist_key, title_key


@dataclass(frozen=True)
class PR:
    """Precision, recall and counts at one threshold."""

    threshold: float
    precision: float
    recall: float
    answered: int
    correct: int


def cleaning_pr(labelled: Sequence[LabelledName], cleaned: Sequence[CleanName],
                min_confidence: float = 0.5) -> PR:
    """A cleaned name is *answered* at ``confidence >= min_confidence``, *correct* when its
    artist and title keys equal the truth's (no catalogue help)."""
    answered = correct = 0
    for truth, name in zip(labelled, cleaned):
        if name.confidence < min_confidence:
            continue
        answered += 1
        correct += (artist_key(name.artist), title_key(name.title)) == (artist_key(truth.artist),
                                                                        title_key(truth.title))
    return PR(min_confidence, correct / max(answered, 1), correct / max(len(labelled), 1), answered, correct)


def matching_pr(labelled: Sequence[LabelledName], candidates: Sequence[Sequence[TextCandidate]],
                catalog_ids: set[str] | None, thresholds: Sequence[float]) -> list[PR]:
    """Top-1 precision/recall per threshold; ``catalog_ids``: ids present (None = all present)."""
    present = [catalog_ids is None or truth.id in catalog_ids for truth in labelled]
    best = [max((c.score for c in cands), default=0.0) for cands in candidates]
    hit = [truth.id in {c.id for c in cands if c.rank == 1} for truth, cands in zip(labelled, candidates)]
    total = max(sum(present), 1)
    rows = []
    for t in thresholds:
        answered = sum(b >= t for b in best)
        correct = sum(b >= t and h for b, h in zip(best, hit))
        rows.append(PR(t, correct / max(answered, 1), correct / total, answered, correct))
    return rows


def held_out_catalog(records, labelled: Sequence[LabelledName], fraction: float, seed: int = 0):
    """(Catalog without the records of a ``fraction`` of ``labelled``, ids kept)."""
    import random

    rng = random.Random(seed)
    removed = {n.id for n in labelled if rng.random() < fraction}
    kept = [r for r in records if r.id not in removed]
    return Catalog(kept), {r.id for r in kept}
