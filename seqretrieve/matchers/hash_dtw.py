"""Hash-DTW matcher: DTW on the Hamming distance between packed uint32 hash sequences.

The query's codes (MIDI network) are compared with each candidate's codes (audio network),
sliced from the index's contiguous code array (loaded once per process). One numba loop scores
all candidates: Hamming distances computed on the fly with the ``ctpop`` intrinsic, two rolling
rows of accumulated cost and path length, no matrix allocated. Semantics are those of
:func:`seqretrieve.dtw.align.score_codes` (free start, additive penalty, gully end, the same
``best_predecessor`` tie rules as the DTW kernels); the score is cost / path length in bits.

With ``embedding_weight`` w > 0 the ranking fuses two views of each candidate: the Hamming-DTW
score and the embedding distance, each standardised over the candidates (z-scores), summed as
``z(hash) + w * z(embedding)``. The embedding is weak alone but its errors are not those of the
hash sequences: on the validation split, w = 1 kept the right entry in the top 30 for 97.4% of
"hard" queries instead of 93.8% with the hashes alone (BENCHMARKS.md has the table).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..dtw.distance import xor_popcount32
from ..dtw.kernel import DIAGONAL, FROM_ABOVE, best_predecessor
from ..types import Hit, QueryData
from .embedding import EmbeddingMatcher, RepresentationMatcher, top_rows


@njit(cache=True, nogil=True)
def _score_one(query, entry, phi, gully):
    """Path-length-normalised Hamming DTW of query (N,) vs entry (M,) uint32 (int32 costs,
    whole-number penalty ``phi``); the path length is carried forward instead of traced back."""
    n, m = query.shape[0], entry.shape[0]
    if n == 0 or m == 0:
        return np.inf
    shorter = min(n, m)
    g = shorter - 1 if gully >= 1.0 else int(gully * shorter)
    D = np.empty((2, m), np.int32)  # rows i - 1 and i by parity
    L = np.empty((2, m), np.int32)
    cost = np.empty(m, np.int32)
    for j in range(m):
        D[0, j] = xor_popcount32(query[0], entry[j])
        L[0, j] = 1
    best_col, best_col_len = np.int32(2**30), np.int32(1)
    if g == 0:
        best_col = D[0, m - 1]
    for i in range(1, n):
        cur, prev = i & 1, (i - 1) & 1
        x = query[i]
        for j in range(m):  # independent of the recurrence: vectorised popcounts
            cost[j] = xor_popcount32(x, entry[j])
        left = cost[0]
        left_l = np.int32(1)
        D[cur, 0] = left
        L[cur, 0] = left_l
        for j in range(1, m):
            best, move = best_predecessor(D[prev, j - 1], D[prev, j], left + phi, phi)
            length = L[prev, j - 1] if move == DIAGONAL else L[prev, j] if move == FROM_ABOVE else left_l
            left = best + cost[j]
            left_l = length + np.int32(1)
            D[cur, j] = left
            L[cur, j] = left_l
        if i >= g and D[cur, m - 1] < best_col:
            best_col, best_col_len = D[cur, m - 1], L[cur, m - 1]
    last = (n - 1) & 1
    best_row, best_row_len = np.int32(2**30), np.int32(1)
    for j in range(g, m):  # end on the last row unless the last column is strictly cheaper
        if D[last, j] < best_row:
            best_row, best_row_len = D[last, j], L[last, j]
    if best_row > best_col:
        return best_col / best_col_len
    return best_row / best_row_len


@njit(cache=True, nogil=True)
def hash_dtw_scores(query, codes, offsets, rows, phi, gully):
    """Scores (K,) float64 of query (N,) uint32 against entries ``rows`` (K,) int64, entry r
    being ``codes[offsets[r]:offsets[r + 1]]`` (codes (total,) uint32, offsets (N + 1,) int64)."""
    out = np.empty(rows.shape[0], np.float64)
    for k in range(rows.shape[0]):
        r = rows[k]
        out[k] = _score_one(query, codes[offsets[r]:offsets[r + 1]], phi, gully)
    return out


def standardised(scores: np.ndarray) -> np.ndarray:
    """(scores - mean) / std over the finite ``scores`` (K,); non-finite ones stay +inf."""
    scores = np.asarray(scores, np.float64)
    finite = np.isfinite(scores)
    out = np.full(scores.shape, np.inf)
    if finite.any():
        values = scores[finite]
        spread = values.std()
        out[finite] = (values - values.mean()) / (spread if spread > 0 else 1.0)
    return out


def _whole(penalty: float) -> np.int32:
    if not float(penalty).is_integer() or penalty < 0:
        raise ValueError(f"the hash-DTW penalty must be a whole number of bits >= 0, not {penalty}")
    return np.int32(penalty)


def hash_dtw_score(query: np.ndarray, entry: np.ndarray, penalty: float, gully: float) -> float:
    """Score of codes ``query`` (N,) vs ``entry`` (M,) uint32 (+inf when either is empty)."""
    q = np.ascontiguousarray(query, np.uint32)
    e = np.ascontiguousarray(entry, np.uint32)
    return float(_score_one(q, e, _whole(penalty), float(gully)))


class HashDTWMatcher(RepresentationMatcher):
    """Ranks candidates by Hamming DTW on hash sequences, optionally fused with the distance of
    ``embedding`` (weight ``embedding_weight``; 0 = hashes alone); returns the best ``max_hits``."""

    def __init__(self, representation: str = "dhs", penalty: float = 15, gully: float = 0.9,
                 embedding: str = "pse", embedding_weight: float = 0.0, max_hits: int | None = None):
        super().__init__(representation, max_hits)
        self.name = "hash-dtw"
        self.penalty = penalty
        self.gully = gully
        if not (np.isfinite(embedding_weight) and embedding_weight >= 0):
            raise ValueError(f"embedding_weight must be a number >= 0, not {embedding_weight}")
        self.embedding_weight = float(embedding_weight)
        self.embedding = EmbeddingMatcher(embedding) if self.embedding_weight else None

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        from ..index.representations import load_matrices

        matrices = load_matrices(index, self.model())
        codes = np.ascontiguousarray(self.encode_query(query), np.uint32)
        rows = np.arange(len(matrices.ids), dtype=np.int64) if candidates is None else np.asarray(candidates, np.int64)
        scores = hash_dtw_scores(codes, matrices.codes, matrices.offsets, rows,
                                 _whole(self.penalty), float(self.gully))
        if self.embedding is not None:
            distances = self.embedding.distances(query, index, candidates)  # None: all, no copy
            scores = standardised(scores) + self.embedding_weight * standardised(distances)
        order = top_rows(scores, self.max_hits)
        return [Hit(matrices.ids[rows[k]], float(scores[k])) for k in order.tolist()]
