"""Brute-force matcher: DTW on the query's and each entry's feature frames (the accuracy reference).

Every candidate is scored with :func:`seqretrieve.dtw.align.score_features` (djitw semantics,
median penalty, gully); entries are ranked by the normalised path score, lower is better.
"""

from __future__ import annotations

import numpy as np

from ..types import Hit, QueryData


class FeatureDTWMatcher:
    """Ranks entries by DTW on stored features of ``extractor`` (None: the index's extractor)."""

    def __init__(self, extractor: str | None = None, gully: float = 0.96, band: float | None = None):
        self.name = "dtw"
        self.extractor = extractor
        self.gully = gully
        self.band = band

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        """Hits for every candidate row (all entries when ``candidates`` is None), best first."""
        from ..dtw.align import score_features

        extractor = self.extractor or index.extractor["name"]
        query_frames = query.features[extractor].frames
        db = f"features:{extractor}"
        ids = index.ids()
        rows = range(len(ids)) if candidates is None else candidates
        hits = []
        for row in rows:
            entry_id = ids[int(row)]
            score, confidence = score_features(
                query_frames, index.get_array(db, entry_id), gully=self.gully, band=self.band
            )
            hits.append(Hit(entry_id, float(score), float(confidence)))
        hits.sort(key=lambda hit: hit.score)
        return hits
