"""Hash-DTW matcher: DTW on the Hamming distance between packed uint32 hash sequences.

The query's codes (MIDI network) are compared with each candidate's codes (audio network),
sliced from the index's contiguous code array (loaded once per process); the DTW has the
guide's semantics (additive penalty, free start, gully) and the score is cost / path length.
"""

from __future__ import annotations

import numpy as np

from ..types import Hit, QueryData
from .embedding import RepresentationMatcher, top_rows


def hash_dtw_score(query: np.ndarray, entry: np.ndarray, penalty: float, gully: float) -> float:
    """Path-length-normalised Hamming-DTW cost of codes ``query`` (N,) vs ``entry`` (M,) uint32
    (+inf when either is empty)."""
    from ..dtw.align import score_codes

    if len(query) == 0 or len(entry) == 0:
        return float("inf")
    return score_codes(query, entry, penalty, gully)


class HashDTWMatcher(RepresentationMatcher):
    """Ranks candidates by Hamming DTW on hash sequences; returns the best ``max_hits``."""

    def __init__(self, representation: str = "dhs", penalty: float = 4.0, gully: float = 0.9,
                 max_hits: int | None = None):
        super().__init__(representation, max_hits)
        self.name = "hash-dtw"
        self.penalty = penalty
        self.gully = gully

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        from ..index.representations import load_matrices

        matrices = load_matrices(index, self.model())
        codes = np.ascontiguousarray(self.encode_query(query), np.uint32)
        rows = np.arange(len(matrices.ids)) if candidates is None else np.asarray(candidates, np.int64)
        offsets, store = matrices.offsets, matrices.codes
        scores = np.array(
            [hash_dtw_score(codes, np.asarray(store[offsets[r]:offsets[r + 1]]), self.penalty, self.gully)
             for r in rows.tolist()],
            np.float64,
        )
        order = top_rows(scores, self.max_hits)
        return [Hit(matrices.ids[rows[k]], float(scores[k])) for k in order.tolist()]
