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


@dataclass(frozen=True)
class KindScore:
    """Answers on one kind of labelled name: ``correct`` counts right answers (0 for decoys)."""

    kind: str
    names: int
    answered: int
    correct: int

    @property
    def rate(self) -> float:
        """Recall for a kind of catalogue songs; the share answered (wrongly) for decoys."""
        return (self.answered if self.kind.startswith("decoy") else self.correct) / max(self.names, 1)


def kind_scores(labelled: Sequence[LabelledName], answers: Sequence[str | None]) -> list[KindScore]:
    """Per kind of ``labelled`` (in first-seen order), then ``all`` songs and ``decoys``;
    ``answers``: the id answered for each name (None: no answer)."""
    groups: dict[str, list[tuple[LabelledName, str | None]]] = {}
    for truth, answer in zip(labelled, answers):
        groups.setdefault(truth.kind, []).append((truth, answer))
        groups.setdefault("decoys" if not truth.id else "all", []).append((truth, answer))
    rows = [KindScore(kind if kind != "decoys" else "decoy", len(pairs), sum(a is not None for _, a in pairs),
                      sum(a is not None and a == t.id for t, a in pairs)) for kind, pairs in groups.items()]
    order = [k for k in groups if k not in ("all", "decoys")] + ["all", "decoys"]
    return sorted(rows, key=lambda r: order.index(r.kind if r.kind != "decoy" else "decoys"))


def overall(scores: Sequence[KindScore]) -> tuple[float, float, float]:
    """(precision, recall, decoy answer rate) from :func:`kind_scores`' rows."""
    songs = next((s for s in scores if s.kind == "all"), KindScore("all", 0, 0, 0))
    decoys = next((s for s in scores if s.kind == "decoy"), KindScore("decoy", 0, 0, 0))
    answered = songs.answered + decoys.answered
    return songs.correct / max(answered, 1), songs.rate, decoys.rate


def answered_id(truth: LabelledName, candidates: Sequence[TextCandidate]) -> str | None:
    """The id a list of rank-1 answers gives for ``truth``: its own id when among them (a
    duplicated track has several), else the first; None when the list is empty."""
    ids = [c.id for c in candidates if c.rank == 1]
    return truth.id if truth.id in ids else (ids[0] if ids else None)
