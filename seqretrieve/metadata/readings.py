"""The ways one cleaned MIDI name can be read as (artist, title), tried against a catalogue.

A scraped name does not say which part is the artist: ``misc/White Wedding - Billy Idol.mid`` is
title-artist, ``Dance/Billy Idol - White Wedding.mid`` artist-title under a folder that is not an
artist, ``all/billyidol_whitewedding.mid`` has no separator at all. :func:`readings` lists
every plausible reading, each named by ``how``:

- ``path``: the cleaner's own (folder artist, file-name title);
- ``dash`` / ``swapped``: ``A - B`` in the title read as artist-title and as title-artist;
- ``split``: a two-word name with no artist (``billyidl whitewedding``) read both ways round,
  so that the fuzzy artist search forgives a typo;
- ``glued``: a catalogue artist's key without spaces found at the start or end of the name's
  letters (``billyidol|whitewedding``), the rest being the title.

The matcher scores every reading; the pipeline keeps the best-scoring one per catalogue entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import Catalog
from .clean import CleanName
from .text import match_key

#: at most this many ``glued`` readings per name (longest artist first)
MAX_GLUED = 6


@dataclass(frozen=True)
class Reading:
    """One (artist, title) reading of a name and how it was made."""

    artist: str
    title: str
    how: str


def _glued(catalog: Catalog, title: str) -> list[Reading]:
    """Catalogue artists glued at the start or the end of ``title``'s letters."""
    letters = match_key(title).replace(" ", "")
    variants = {letters, letters.removeprefix("the")} if len(letters) > 6 else {letters}
    found: dict[tuple[str, str], int] = {}
    for text in variants:
        for cut in range(3, len(text) - 2):
            for artist_part, rest in ((text[:cut], text[cut:]), (text[len(text) - cut:], text[:len(text) - cut])):
                for artist in catalog.compact_artists.get(artist_part, ()):
                    found.setdefault((catalog.artist_names[artist], rest), cut)
    ranked = sorted(found.items(), key=lambda kv: -kv[1])[:MAX_GLUED]
    return [Reading(artist, rest, "glued") for (artist, rest), _ in ranked]


def readings(name: CleanName, catalog: Catalog) -> list[Reading]:
    """Every reading of ``name`` (see the module docstring), the cleaner's own first, no repeats."""
    found = [Reading(name.artist, name.title, "path")]
    if name.title:
        if "artist-from-name" in name.flags:
            found.append(Reading(name.title, name.artist, "swapped"))
        else:
            parts = [p.strip() for p in re.split(r"\s+-\s+", name.title, maxsplit=1)]
            if len(parts) == 2 and all(parts):
                found += [Reading(parts[0], parts[1], "dash"), Reading(parts[1], parts[0], "swapped")]
        if not name.artist:
            words = match_key(name.title).split()
            if len(words) == 2:  # "billyidl_whitewedding": the halves, both ways (typos allowed)
                found += [Reading(words[0], words[1], "split"), Reading(words[1], words[0], "split")]
            found += _glued(catalog, name.title)
    unique: dict[tuple[str, str], Reading] = {}
    for reading in found:
        unique.setdefault((reading.artist, reading.title), reading)
    return list(unique.values())
