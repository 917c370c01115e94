"""Clean and match MIDI names in batches: memory stays flat whatever the number of inputs."""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from typing import Iterable, Iterator

from .catalog import Catalog
from .clean import Cleaner, CleanName
from .match import TextCandidate, TextMatcher

CANONICAL_ARTIST_SCORE = 0.9


def canonical(name: CleanName, candidates: list[TextCandidate], threshold: float) -> CleanName:
    """``name`` with the best catalogue entry's display artist/title when it scores >= ``threshold``
    (flag ``canonical``, confidence = match score), else with just the catalogue's artist
    spelling when the artist alone matches well (flag ``canonical-artist``)."""
    if not candidates:
        return name
    best = candidates[0]
    if best.score >= threshold:
        return replace(name, artist=best.artist, title=best.title, catalog_id=best.id,
                       confidence=best.score, flags=tuple(sorted({*name.flags, "canonical"} - {"no-artist"})))
    if name.artist and best.artist_score >= CANONICAL_ARTIST_SCORE:
        return replace(name, artist=best.artist, flags=tuple(sorted({*name.flags, "canonical-artist"})))
    return name


def clean_and_match(paths: Iterable[tuple[bytes | str, bytes | str | None]], cleaner: Cleaner,
                    catalog: Catalog | None = None, matcher: TextMatcher | None = None,
                    threshold: float | None = 0.8, top: int = 5, batch: int = 5000
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
        found = matcher.match(catalog, [(n.artist, n.title) for n in names], top=top)
        for name, candidates in zip(names, found):
            yield (name if threshold is None else canonical(name, candidates, threshold)), candidates
