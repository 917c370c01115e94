"""Text matching of (artist, title) queries against a :class:`Catalog`, and the matcher protocol.

A text matcher is any object with ``name`` and
``match(catalog, queries, top) -> list[list[TextCandidate]]`` (``queries``: (artist, title)
display pairs; one list of candidates per query, best first, every id of a duplicate group
listed). Matchers are registered through the ``seqretrieve_text_matchers`` hook.

``blocked-fuzzy`` (the default) finds candidate artists by exact key or by rapidfuzz
``token_sort_ratio`` (one-word queries: ``ratio`` against the artist without spaces, so that
``billyidol`` finds ``Billy Idol``) inside blocks of artists sharing a token's first or last 2 letters
(``process.cdist`` per block), then scores every title of those artists with one vectorised
``process.cpdist`` (glued titles also against the title without spaces, 8.3-style ones
against its first 8 letters). Abbreviated artists (``B. Idol``, ``ELO``) are found through the
catalogue's words and initials.
Queries with no usable artist fall back to exact title lookup, capped at ``1 - artist_weight``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from .catalog import Catalog, block_keys
from .text import artist_key, match_key, title_key

_REMARK = re.compile(r"[\(\[\{]|\s(?:feat|ft)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TextCandidate:
    """One catalogue entry for a query; scores in [0, 1], ``score`` combines artist and title.
    ``kind`` (what the evidence is: ``artist-title``, ``title-only``, ``artist-only``) and
    ``reading`` (which reading of the name found it) are set by the pipeline."""

    id: str
    artist: str
    title: str
    artist_score: float
    title_score: float
    score: float
    rank: int
    kind: str = ""
    reading: str = ""


class TextMatcher(Protocol):
    """Scores queries against a catalogue (see the module docstring)."""

    name: str

    def match(self, catalog: Catalog, queries: Sequence[tuple[str, str]],
              top: int = 5) -> list[list[TextCandidate]]: ...


def _top_candidates(catalog: Catalog, n_queries: int, q: np.ndarray, g: np.ndarray,
                    s_artist: np.ndarray, s_title: np.ndarray, score: np.ndarray,
                    top: int) -> list[list[TextCandidate]]:
    """The ``top`` best groups per query (ties by group number), expanded to every id."""
    results: list[list[TextCandidate]] = [[] for _ in range(n_queries)]
    if not len(q):
        return results
    order = np.lexsort((g, -score, q))
    q, g, s_artist, s_title, score = q[order], g[order], s_artist[order], s_title[order], score[order]
    first = np.searchsorted(q, np.arange(n_queries))
    position = np.arange(len(q)) - first[q]
    keep = position < top
    for qi, gi, sa, st, sc, pos in zip(q[keep].tolist(), g[keep].tolist(), s_artist[keep].tolist(),
                                       s_title[keep].tolist(), score[keep].tolist(), position[keep].tolist()):
        artist = catalog.artist_names[int(catalog.group_artist[gi])]
        for entry_id in catalog.group_ids[gi]:
            results[qi].append(TextCandidate(entry_id, artist, catalog.title_names[gi],
                                             sa / 100, st / 100, sc, pos + 1))
    return results


def abbreviated_artists(catalog: Catalog, key: str, limit: int = 20) -> list[int]:
    """Catalogue artists that ``key`` abbreviates: ``b idol`` (initials for some words, the other
    words equal) or one word of 2-5 letters that are an artist's initials (``elo``); at most ``limit``."""
    words = key.split()
    if len(words) == 1 and 2 <= len(key) <= 5 and key.isalpha():
        return catalog.initials_artists.get(key, [])[:limit]
    full = [w for w in words if len(w) > 1]
    if not full or len(full) == len(words):
        return []
    found = []
    for artist in catalog.token_artists.get(max(full, key=len), ()):
        theirs = catalog.artist_keys[artist].split()
        for mine in (words, words[1:] if words[0] == "t" else None):  # "T" for a dropped "The"
            if mine and len(theirs) == len(mine) and all(w == t or (len(w) == 1 and t[0] == w)
                                                        for w, t in zip(mine, theirs)):
                found.append(artist)
                break
    return found[:limit]


class BlockedFuzzyMatcher:
    """Artist blocking + fuzzy scoring (see the module docstring). Scores are 0-100 internally;
    ``score = (artist_weight * artist + (1 - artist_weight) * title) / 100``."""

    name = "blocked-fuzzy"
    GLUED_LENGTH, GLUED_WEIGHT = 8, 0.97
    #: artist score of an abbreviation (``B. Idol``, ``ELO``) the catalogue allows
    ABBREVIATION_SCORE = 85.0

    def __init__(self, artist_cutoff: float = 80, max_artists: int = 5, artist_weight: float = 0.4,
                 workers: int = -1):
        self.artist_cutoff, self.max_artists = artist_cutoff, max_artists
        self.artist_weight, self.workers = artist_weight, workers

    def candidate_artists(self, catalog: Catalog, keys: Sequence[str]) -> dict[str, list[tuple[int, float]]]:
        """For each distinct artist key: up to ``max_artists`` (artist number, score 0-100)."""
        from rapidfuzz import fuzz, process

        found: dict[str, dict[int, float]] = defaultdict(dict)
        abbreviations: dict[str, list[int]] = {}
        by_block: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            exact = catalog.artist_index.get(key)
            if exact is not None:
                found[key][exact] = 100.0
            else:
                abbreviations[key] = abbreviated_artists(catalog, key)
            for block in block_keys(key):
                if block in catalog.blocks:
                    by_block[block].append(key)
        for block, block_queries in by_block.items():
            artists = catalog.blocks[block]
            # one-word queries ("billyidol", "queen") against the artists without spaces
            for queries, names, scorer in (
                ([k for k in block_queries if " " in k], catalog.artist_keys, fuzz.token_sort_ratio),
                ([k for k in block_queries if " " not in k], catalog.compact_keys, fuzz.ratio),
            ):
                if not queries:
                    continue
                scores = process.cdist(queries, [names[a] for a in artists], scorer=scorer,
                                       score_cutoff=self.artist_cutoff, dtype=np.uint8, workers=self.workers)
                for row, col in zip(*np.nonzero(scores)):
                    key, artist = queries[row], int(artists[col])
                    found[key][artist] = max(found[key].get(artist, 0.0), float(scores[row, col]))
        best = {key: sorted(c.items(), key=lambda kv: -kv[1])[: self.max_artists] for key, c in found.items()}
        for key, artists in abbreviations.items():
            known = {a for a, _ in best.get(key, ())}
            best.setdefault(key, []).extend((a, self.ABBREVIATION_SCORE) for a in artists if a not in known)
        return {key: c for key, c in best.items() if c}

    def _score_glued(self, catalog: Catalog, tkeys: Sequence[str], q: np.ndarray, g: np.ndarray,
                     s_title: np.ndarray) -> None:
        """Glued titles (no space, 4+ letters: ``whitewedding``, 8.3 ``WHITEWED``) also score
        against the catalogue title without spaces and, up to 8 letters, against its first 8
        letters times ``GLUED_WEIGHT`` (in place)."""
        from rapidfuzz import fuzz, process

        glued = np.asarray([" " not in k and len(k) >= 4 for k in tkeys], dtype=bool)
        rows = np.flatnonzero(glued[q]) if len(q) else np.zeros(0, dtype=np.int64)
        if not len(rows):
            return
        left = [tkeys[i] for i in q[rows].tolist()]
        bare = [catalog.title_keys[j].replace(" ", "") for j in g[rows].tolist()]
        right = [match_key(catalog.title_names[j]).replace(" ", "") if _REMARK.search(catalog.title_names[j])
                 else b for j, b in zip(g[rows].tolist(), bare)]  # remarks kept: "familyremix"
        whole = np.maximum(process.cpdist(left, right, scorer=fuzz.ratio, workers=self.workers),
                           process.cpdist(left, bare, scorer=fuzz.ratio, workers=self.workers))
        short = [i for i, k in enumerate(left) if len(k) <= self.GLUED_LENGTH]
        if short:
            prefix = process.cpdist([left[i] for i in short], [right[i][: self.GLUED_LENGTH] for i in short],
                                    scorer=fuzz.ratio, workers=self.workers) * self.GLUED_WEIGHT
            whole[short] = np.maximum(whole[short], prefix)
        s_title[rows] = np.maximum(s_title[rows], whole)

    def match(self, catalog: Catalog, queries: Sequence[tuple[str, str]],
              top: int = 5) -> list[list[TextCandidate]]:
        from rapidfuzz import fuzz, process

        akeys = [artist_key(a) for a, _ in queries]
        tkeys = [title_key(t) for _, t in queries]
        artists = self.candidate_artists(catalog, sorted({k for k in akeys if k}))
        pair_q, pair_a, pair_s = [], [], []
        title_q, title_g = [], []
        for i, key in enumerate(akeys):
            cands = artists.get(key) if key else None
            if cands and tkeys[i]:
                for artist, s in cands:
                    pair_q.append(i), pair_a.append(artist), pair_s.append(s)
            elif tkeys[i]:
                for group in catalog.title_lookup.get(tkeys[i], ()):
                    title_q.append(i), title_g.append(group)
        pair_a_arr = np.asarray(pair_a, dtype=np.int64)
        counts = catalog.start[pair_a_arr + 1] - catalog.start[pair_a_arr]
        q = np.repeat(np.asarray(pair_q, dtype=np.int64), counts)
        s_artist = np.repeat(np.asarray(pair_s, dtype=np.float64), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        g = np.repeat(catalog.start[pair_a_arr], counts) + offsets
        s_title = (process.cpdist([tkeys[i] for i in q.tolist()], [catalog.title_keys[j] for j in g.tolist()],
                                  scorer=fuzz.token_sort_ratio, workers=self.workers).astype(np.float64)
                   if len(q) else np.zeros(0))
        self._score_glued(catalog, tkeys, q, g, s_title)
        q = np.concatenate([q, np.asarray(title_q, dtype=np.int64)])
        g = np.concatenate([g, np.asarray(title_g, dtype=np.int64)])
        s_artist = np.concatenate([s_artist, np.zeros(len(title_q))])
        s_title = np.concatenate([s_title, np.full(len(title_q), 100.0)])
        score = (self.artist_weight * s_artist + (1 - self.artist_weight) * s_title) / 100
        return _top_candidates(catalog, len(queries), q, g, s_artist, s_title, score, top)


class ExactMatcher:
    """Only entries whose artist key and title key both equal the query's (score 1)."""

    name = "exact"

    def match(self, catalog: Catalog, queries: Sequence[tuple[str, str]],
              top: int = 5) -> list[list[TextCandidate]]:
        q, g = [], []
        for i, (artist, title) in enumerate(queries):
            a = catalog.artist_index.get(artist_key(artist))
            if a is None:
                continue
            tkey = title_key(title)
            for j in catalog.groups_of(a):
                if catalog.title_keys[j] == tkey:
                    q.append(i)
                    g.append(j)
        ones = np.full(len(q), 100.0)
        return _top_candidates(catalog, len(queries), np.asarray(q, dtype=np.int64),
                               np.asarray(g, dtype=np.int64), ones, ones, ones / 100, top)
