"""Clean and match MIDI names in batches: memory stays flat whatever the number of inputs.

Every name is matched under each of its readings (``readings.readings``); per catalogue entry the
best-scoring reading is kept. A candidate is an *answer* only with evidence on both sides
(``evidence.kind_of``: ``artist-title``) and a score >= the threshold; ``title-only`` and
``artist-only`` candidates rank after the answers and are never answers.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from typing import Iterable, Iterator, Sequence

from .catalog import Catalog
from .clean import Cleaner, CleanName
from .evidence import ANSWER_KIND, DEFAULT_MIN_SCORE, is_answer, kind_of
from .match import TextCandidate, TextMatcher
from .readings import readings

CANONICAL_ARTIST_SCORE = 0.9


def merge_readings(per_reading: Sequence[tuple[str, list[TextCandidate]]], top: int) -> list[TextCandidate]:
    """One candidate list from the lists of each reading (``(how, candidates)``): per entry the
    best score, answers (``artist-title``) before the others, then by score; ``top`` groups."""
    best: dict[str, tuple[bool, float, str, str, TextCandidate]] = {}
    for how, candidates in per_reading:
        for c in candidates:
            kind = kind_of(c.artist_score, c.title_score)
            key = (kind == ANSWER_KIND, c.score)
            if c.id not in best or key > best[c.id][:2]:
                best[c.id] = (*key, kind, how, c)
    ordered = sorted(best.values(), key=lambda b: (not b[0], -b[1]))
    ranked, groups = [], {}
    for _, _, kind, how, c in ordered:
        rank = groups.setdefault((c.artist, c.title), len(groups) + 1)
        if rank <= top:
            ranked.append(TextCandidate(c.id, c.artist, c.title, c.artist_score, c.title_score, c.score,
                                        rank, kind, how))
    return ranked


def match_names(names: Sequence[CleanName], catalog: Catalog, matcher: TextMatcher,
                top: int = 5) -> list[list[TextCandidate]]:
    """Candidates of each cleaned name over all its readings (see the module docstring)."""
    per_name = [readings(name, catalog) for name in names]
    flat = [r for rs in per_name for r in rs]
    found = iter(matcher.match(catalog, [(r.artist, r.title) for r in flat], top=top))
    return [merge_readings([(r.how, next(found)) for r in rs], top) for rs in per_name]


def canonical(name: CleanName, candidates: list[TextCandidate], threshold: float) -> CleanName:
    """``name`` with the best catalogue entry's display artist/title when it is an answer at
    ``threshold`` (flag ``canonical``, confidence = match score), else with just the catalogue's
    artist spelling when the folder's artist alone matches well (flag ``canonical-artist``)."""
    if not candidates:
        return name
    best = candidates[0]
    if is_answer(best, threshold):
        return replace(name, artist=best.artist, title=best.title, catalog_id=best.id,
                       confidence=best.score, flags=tuple(sorted({*name.flags, "canonical"} - {"no-artist"})))
    if name.artist and best.reading == "path" and best.artist_score >= CANONICAL_ARTIST_SCORE:
        return replace(name, artist=best.artist, flags=tuple(sorted({*name.flags, "canonical-artist"})))
    return name


def clean_and_match(paths: Iterable[tuple[bytes | str, bytes | str | None]], cleaner: Cleaner,
                    catalog: Catalog | None = None, matcher: TextMatcher | None = None,
                    threshold: float | None = DEFAULT_MIN_SCORE, top: int = 5, batch: int = 5000
                    ) -> Iterator[tuple[CleanName, list[TextCandidate]]]:
    """For each ``(path, root)``: the cleaned (and, with a catalogue, canonicalised) name and its
    candidates (empty without a catalogue), in input order, ``batch`` paths at a time.
    ``threshold`` None: names are left as cleaned (not canonicalised)."""
    paths = iter(paths)
    while chunk := list(islice(paths, batch)):
        names = [cleaner.clean(path, root) for path, root in chunk]
        if catalog is None or matcher is None:
            yield from ((name, []) for name in names)
            continue
        for name, candidates in zip(names, match_names(names, catalog, matcher, top)):
            yield (name if threshold is None else canonical(name, candidates, threshold)), candidates
