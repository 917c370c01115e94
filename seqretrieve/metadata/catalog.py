"""An in-memory catalogue for text matching, grouped by artist, built from streamed records.

Entries with the same (artist key, title key) form one *group* (duplicates: several ids).
Groups are numbered so that artist ``a`` owns groups ``start[a]:start[a+1]``; ``blocks`` maps a
token's first or last 2 letters to the artists having such a token (blocking for fuzzy search).
More lookups are built on first use: artist keys without spaces (``compact_keys``,
``compact_artists``, for glued names), artists by word (``token_artists``) and by initials
(``initials_artists``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from functools import cached_property
from typing import Iterable, Iterator

import numpy as np

from ..errors import InputFileError
from ..types import TrackMetadata
from .text import artist_key, title_key

STOP_TOKENS = frozenset({"the", "and", "a", "an"})


def block_keys(key: str) -> set[str]:
    """Blocking keys of an artist key: the first and the last 2 letters of each token (stop words
    skipped), so that one typo cannot move a name out of all its blocks."""
    tokens = [t for t in key.split() if t not in STOP_TOKENS] or key.split()
    return {t[:2] + "<" for t in tokens} | {">" + t[-2:] for t in tokens if len(t) > 2}


class Catalog:
    """Artist/title groups of a catalogue. Arrays: ``start`` (A+1,) int64 group offsets per artist;
    lists: ``artist_keys``/``artist_names`` (A,), ``title_keys``/``title_names``/``group_ids`` (G,)."""

    def __init__(self, records: Iterable[TrackMetadata]):
        grouped: dict[str, dict[str, list]] = defaultdict(dict)
        names: dict[str, str] = {}
        self.size = 0
        for record in records:
            akey, tkey = artist_key(record.artist), title_key(record.title)
            if not akey and not tkey:
                continue
            names.setdefault(akey, record.artist)
            group = grouped[akey].get(tkey)
            if group is None:
                grouped[akey][tkey] = [record.title, record.id]
            else:
                group.append(record.id)
            self.size += 1
        self.artist_keys = sorted(grouped)
        self.artist_names = [names[k] for k in self.artist_keys]
        self.artist_index = {k: i for i, k in enumerate(self.artist_keys)}
        self.title_keys: list[str] = []
        self.title_names: list[str] = []
        self.group_ids: list[tuple[str, ...]] = []
        starts = [0]
        for akey in self.artist_keys:
            for tkey, (name, *ids) in grouped.pop(akey).items():
                self.title_keys.append(tkey)
                self.title_names.append(name)
                self.group_ids.append(tuple(ids))
            starts.append(len(self.title_keys))
        self.start = np.asarray(starts, dtype=np.int64)
        self.group_artist = np.repeat(np.arange(len(self.artist_keys)), np.diff(self.start))
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, akey in enumerate(self.artist_keys):
            for block in block_keys(akey):
                blocks[block].append(i)
        self.blocks = {b: np.asarray(v, dtype=np.int64) for b, v in blocks.items()}
        self.title_lookup: dict[str, list[int]] = defaultdict(list)
        for g, tkey in enumerate(self.title_keys):
            self.title_lookup[tkey].append(g)

    def __len__(self) -> int:
        return self.size

    def _artists_by(self, keys_of) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for i, akey in enumerate(self.artist_keys):
            for key in keys_of(akey):
                found[key].append(i)
        return dict(found)

    @cached_property
    def compact_keys(self) -> list[str]:
        """Artist keys without spaces (``billyidol``), by artist number."""
        return [akey.replace(" ", "") for akey in self.artist_keys]

    @cached_property
    def compact_artists(self) -> dict[str, list[int]]:
        """Artist numbers by artist key without spaces, keys of 3+ letters."""
        return self._artists_by(lambda akey: [k] if len(k := akey.replace(" ", "")) >= 3 else [])

    @cached_property
    def token_artists(self) -> dict[str, list[int]]:
        """Artist numbers by each word of their key."""
        return self._artists_by(lambda akey: set(akey.split()))

    @cached_property
    def initials_artists(self) -> dict[str, list[int]]:
        """Artist numbers of 2+ word artists by their initials (``elo``; stop words both kept
        and skipped: ``the beach boys`` -> ``bb``, ``tbb``)."""
        def initials(akey: str) -> set[str]:
            words = akey.split()
            content = [w for w in words if w not in STOP_TOKENS and w != "of"]
            return {"".join(w[0] for w in ws) for ws in (words, content) if len(ws) >= 2}

        return self._artists_by(initials)

    def groups_of(self, artist: int) -> range:
        """Group numbers of artist number ``artist``."""
        return range(int(self.start[artist]), int(self.start[artist + 1]))


def index_records(path: str) -> Iterator[TrackMetadata]:
    """The entries of a seqretrieve index as TrackMetadata (its stored artist/title)."""
    from ..index.store import Index  # lazily: the index package pulls in lmdb

    with Index.open(path) as index:
        for entry_id in index.ids():
            meta = dict(index.metadata(entry_id) or {})
            yield TrackMetadata(str(entry_id), str(meta.pop("artist", "") or ""),
                                str(meta.pop("title", "") or ""), {k: str(v) for k, v in meta.items()})


def load_catalog(catalog: str | None = None, index: str | None = None,
                 format: str | None = None) -> Catalog:
    """A Catalog from a catalogue file (``read_catalog``) or an index; empty -> InputFileError."""
    from .readers import read_catalog

    if (catalog is None) == (index is None):
        raise InputFileError("give exactly one of a catalogue file or an index")
    source = catalog if catalog is not None else index
    if index is not None and not os.path.exists(index):
        raise InputFileError(f"{index}: index not found")
    records = read_catalog(catalog, format) if catalog is not None else index_records(index)
    result = Catalog(records)
    if not len(result):
        raise InputFileError(f"{source}: catalogue has no entry with an artist or title")
    return result
