"""Generated evaluation data: messy MIDI paths made from real catalogue lines, and big
synthetic catalogues made from a catalogue's vocabulary.

``messy_names(records, n, seed)`` picks ``n`` records and writes a path for each the way scraped
MIDI collections name files, applying 1-3 of these corruptions (each with its name in
``LabelledName.corruptions``): ``invert`` ("Idol, Billy", "Beach Boys, The"), ``case`` (ALL CAPS
or all lower), ``separators`` (underscores or dots), ``drop-the``, ``typo`` (one letter
swapped, dropped or replaced in a word of 4+ letters), ``initials`` ("T L C" for short
all-capital artists, else "&" <-> "and"), ``track-number`` ("03 - "), ``truncate`` (8.3 style
8-letter title), ``version`` ("_v2", "-1", " (live)"), ``feat`` (" feat. X" added),
``ascii`` (diacritics removed), ``flat`` ("misc/Artist - Title.mid" instead of a folder).
Extensions come in random case. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Iterator, Sequence

from ..types import TrackMetadata

CORRUPTIONS = ("invert", "case", "separators", "drop-the", "typo", "initials", "track-number",
               "truncate", "version", "feat", "ascii", "flat")


@dataclass(frozen=True)
class LabelledName:
    """A generated path with the catalogue entry it was made from."""

    path: str
    id: str
    artist: str
    title: str
    corruptions: tuple[str, ...]


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w, p = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.choice(("swap", "drop", "replace"))
    if kind == "swap":
        w = w[:p] + w[p + 1] + w[p] + w[p + 2:]
    elif kind == "drop":
        w = w[:p] + w[p + 1:]
    else:
        w = w[:p] + rng.choice("aeioulnrst") + w[p + 1:]
    words[i] = w
    return " ".join(words)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _corrupt(artist: str, title: str, kinds: Sequence[str], rng: random.Random) -> tuple[str, str, bool]:
    flat = False
    for kind in kinds:
        if kind == "invert":
            words = artist.split()
            if words and words[0].lower() == "the" and len(words) > 1:
                artist = " ".join(words[1:]) + ", " + words[0]
            elif len(words) == 2:
                artist = f"{words[1]}, {words[0]}"
        elif kind == "case":
            artist, title = (artist.upper(), title.upper()) if rng.random() < 0.5 else (artist.lower(), title.lower())
        elif kind == "separators":
            sep = rng.choice("_.")
            title = title.replace(" ", sep)
        elif kind == "drop-the" and artist.lower().startswith("the "):
            artist = artist[4:]
        elif kind == "typo":
            if rng.random() < 0.5:
                artist = _typo(artist, rng)
            else:
                title = _typo(title, rng)
        elif kind == "initials":
            if artist.isupper() and 2 <= len(artist) <= 4 and artist.isalpha():
                artist = " ".join(artist)
            elif " & " in artist:
                artist = artist.replace(" & ", " and ")
            elif " and " in artist:
                artist = artist.replace(" and ", " & ")
        elif kind == "track-number":
            title = f"{rng.randint(1, 19):02d} - {title}"
        elif kind == "truncate":
            title = title.replace(" ", "")[:8]
        elif kind == "version":
            title += rng.choice(("_v2", "-1", " (live)", "2", " (remix)"))
        elif kind == "feat":
            artist += rng.choice((" feat. Someone", " ft. Guest Star", " featuring MC Nobody"))
        elif kind == "ascii":
            artist, title = _ascii(artist), _ascii(title)
        elif kind == "flat":
            flat = True
    return artist, title, flat


def messy_names(records: Sequence[TrackMetadata], n: int, seed: int = 0) -> list[LabelledName]:
    """``n`` labelled messy paths from ``records`` with an artist and a title (see module doc)."""
    rng = random.Random(seed)
    usable = [r for r in records if r.artist.strip() and r.title.strip() and "/" not in r.artist + r.title]
    names = []
    for record in rng.sample(usable, min(n, len(usable))):
        kinds = tuple(rng.sample(CORRUPTIONS, rng.randint(1, 3)))
        artist, title, flat = _corrupt(record.artist, record.title, kinds, rng)
        ext = rng.choice((".mid", ".MID", ".Mid", ".midi", ".kar"))
        path = f"misc/{artist} - {title}{ext}" if flat else f"{artist}/{title}{ext}"
        names.append(LabelledName(path, record.id, record.artist, record.title, kinds))
    return names


def synthetic_catalog(records: Sequence[TrackMetadata], n: int, seed: int = 0,
                      titles_per_artist: int = 10) -> Iterator[TrackMetadata]:
    """``n`` TrackMetadata with artists of 1-3 words and titles of 1-4 words drawn from the
    words of ``records``' artists and titles; ids ``SYN00000000``..."""
    rng = random.Random(seed)
    artist_words = sorted({w for r in records for w in r.artist.split() if w.isalpha()})
    title_words = sorted({w for r in records for w in r.title.split() if w.isalpha()})
    artist = ""
    for i in range(n):
        if i % titles_per_artist == 0:
            artist = " ".join(rng.choices(artist_words, k=rng.randint(1, 3)))
        title = " ".join(rng.choices(title_words, k=rng.randint(1, 4)))
        yield TrackMetadata(f"SYN{i:08d}", artist, title)
