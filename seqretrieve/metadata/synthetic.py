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

``labelled_set(records, per_kind, seed)`` adds the kinds scraped collections also use
(title-artist, glued, initials, 8.3) and decoys that are not in the catalogue (``KINDS``).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

from ..types import TrackMetadata

CORRUPTIONS = ("invert", "case", "separators", "drop-the", "typo", "initials", "track-number",
               "truncate", "version", "feat", "ascii", "flat")


@dataclass(frozen=True)
class LabelledName:
    """A generated path with the catalogue entry it was made from (``id`` "" for a decoy)."""

    path: str
    id: str
    artist: str
    title: str
    corruptions: tuple[str, ...]
    kind: str = "messy"


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


# --------------------------------------------------------------------------- the labelled set
#: kinds of labelled names: songs of the catalogue written the ways scraped collections write
#: them, and decoys that are not in the catalogue (their ``id`` is "")
POSITIVE_KINDS = ("messy", "title-artist", "glued", "initials", "dos83")
DECOY_KINDS = ("decoy-other-title", "decoy-absent-artist", "decoy-invented")
KINDS = POSITIVE_KINDS + DECOY_KINDS
#: folders that carry no artist (generic words, letters, digits) and folders that look like one
GENERIC_FOLDERS = ("misc", "midi", "MIDI Files", "all", "new", "various", "Songs", "Pop", "0-9", "K",
                   "b", "2004", "Downloads")
OTHER_FOLDERS = ("Dance", "Party Mix", "Wedding", "Favourites", "Karen", "80s Stuff", "Jukebox")
_SYLLABLES = ("ka", "lo", "mir", "zan", "tev", "qua", "dro", "vel", "nix", "sor", "ba", "gru", "pel",
              "thy", "wen", "ox", "ja", "fi", "rum", "ce")


def _invented_word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _letters(text: str) -> str:
    return "".join(c for c in _ascii(text) if c.isalnum())


def _abbreviated(artist: str, rng: random.Random) -> str | None:
    """``Billy Idol`` -> ``B.Idol`` / ``B. Idol`` / ``BIdol``; 3+ words -> initials (``ELO``)."""
    words = [w for w in artist.split() if w.isalpha()]
    if len(words) != len(artist.split()) or len(words) < 2:
        return None
    if len(words) >= 3 and rng.random() < 0.5:
        return "".join(w[0].upper() for w in words if w.lower() not in ("the", "and", "of"))
    first, rest = words[0][0].upper(), " ".join(words[1:])
    forms = [f"{first}.{rest}", f"{first}. {rest}"]
    if all(w[0].isupper() for w in words[1:]):
        forms.append(f"{first}{rest.replace(' ', '')}")
    return rng.choice(forms)


def _positive(kind: str, record: TrackMetadata, rng: random.Random) -> str | None:
    artist, title = record.artist, record.title
    ext = rng.choice((".mid", ".MID", ".midi", ".kar"))
    if kind == "title-artist":
        artist, title, _ = _corrupt(artist, title, rng.sample(("case", "separators", "version", "ascii"),
                                                                 rng.randint(0, 1)), rng)
        folder = rng.choice(GENERIC_FOLDERS + OTHER_FOLDERS)
        return f"{folder}/{title} - {artist}{ext}"
    if kind == "glued":
        a, t = _letters(artist).lower(), _letters(title).lower()
        if len(a) < 3 or len(t) < 3:
            return None
        sep = rng.choice(("", "_", "-", "_"))
        name = f"{t}{sep}{a}" if rng.random() < 0.2 else f"{a}{sep}{t}"
        return f"{rng.choice(GENERIC_FOLDERS)}/{name}{ext}"
    if kind == "initials":
        short = _abbreviated(artist, rng)
        if short is None:
            return None
        _, title, _ = _corrupt(artist, title, rng.sample(("case", "separators", "version"), rng.randint(0, 1)), rng)
        return f"{short}/{title}{ext}"
    if kind == "dos83":
        t = _letters(title).upper()
        if len(t) < 4:
            return None
        return f"{artist}/{t[:8]}.{rng.choice(('MID', 'KAR'))}"
    raise ValueError(kind)


def _decoy(kind: str, records: Sequence[TrackMetadata], titles_of: dict[str, set[str]],
           rng: random.Random) -> tuple[str, str] | None:
    """(artist, title) of a song that is not in the catalogue (checked on artist/title keys).
    Half the other-title decoys share a word with one of the artist's own titles; half the
    invented artists join words of two catalogue artists (``Billy Ocean`` + ``Idol``)."""
    from .text import artist_key, title_key

    if kind == "decoy-other-title":
        artist = rng.choice(records).artist
        own = titles_of.get(artist_key(artist), set())
        words = {w for t in own for w in t.split() if len(w) >= 4}
        pool = [r.title for r in rng.sample(records, min(200, len(records)))]
        near = [t for t in pool if words & set(title_key(t).split())] if rng.random() < 0.5 else []
        title = rng.choice(near or pool)
        tkey = title_key(title)
        if not tkey or any(tkey in t or t in tkey for t in own):
            return None
        return artist, title
    if rng.random() < 0.5:
        first, second = rng.choice(records).artist.split(), rng.choice(records).artist.split()
        invented = " ".join(first[:1] + second[-1:])
    else:
        invented = " ".join(_invented_word(rng) for _ in range(rng.randint(1, 2)))
    if not invented or artist_key(invented) in titles_of:
        return None
    if kind == "decoy-absent-artist":
        return invented, rng.choice(records).title
    return invented, " ".join(_invented_word(rng) for _ in range(rng.randint(1, 3)))


def labelled_set(records: Sequence[TrackMetadata], per_kind: int, seed: int = 0) -> list[LabelledName]:
    """``per_kind`` labelled paths of every kind in ``KINDS`` (decoys have ``id`` ""). ``messy``
    is :func:`messy_names`; ``title-artist``: ``Folder/Title - Artist.mid`` under any folder;
    ``glued``: ``all/billyidol_whitewedding.mid`` (separator "", "_" or "-", 1 in 5 title
    first); ``initials``: the artist as ``B.Idol``, ``B. Idol``, ``BIdol`` or an acronym (3+
    words); ``dos83``: ``Artist/TITLEXXX.MID`` (first 8 letters). Decoys: a catalogue artist with
    another artist's title, a catalogue title with an invented artist, invented artist and title;
    written as ``Artist/Title.mid``, ``misc/Artist - Title.mid`` or ``misc/Title.mid`` (1 in 5)."""
    from .text import artist_key, title_key

    rng = random.Random(seed)
    usable = [r for r in records if r.artist.strip() and r.title.strip() and "/" not in r.artist + r.title]
    titles_of: dict[str, set[str]] = {}
    for r in records:
        titles_of.setdefault(artist_key(r.artist), set()).add(title_key(r.title))
    names = [replace(n, kind="messy") for n in messy_names(usable, per_kind, seed)]
    for kind in KINDS[1:]:
        made, tries = 0, 0
        while made < per_kind and tries < 50 * per_kind:
            tries += 1
            if kind in POSITIVE_KINDS:
                record = rng.choice(usable)
                path = _positive(kind, record, rng)
                if path is None:
                    continue
                names.append(LabelledName(path, record.id, record.artist, record.title, (kind,), kind))
            else:
                pair = _decoy(kind, usable, titles_of, rng)
                if pair is None:
                    continue
                artist, title = pair
                form = rng.random()
                path = (f"{artist}/{title}.mid" if form < 0.5
                        else f"{rng.choice(GENERIC_FOLDERS)}/{artist} - {title}.mid" if form < 0.8
                        else f"{rng.choice(GENERIC_FOLDERS)}/{title}.mid")  # the artist lost
                names.append(LabelledName(path, "", artist, title, (kind,), kind))
            made += 1
    return names
