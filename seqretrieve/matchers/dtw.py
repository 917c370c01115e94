"""Brute-force matcher: DTW on the query's and each entry's feature frames (the accuracy reference).

Every candidate is scored with :func:`seqretrieve.dtw.align.score_features` (djitw semantics,
median penalty, gully); entries are ranked by the normalised path score, lower is better.

With ``guide`` (a hash representation, e.g. "dhs") each candidate's DTW fills only a band of
``radius`` frames around its Hamming-DTW path on the codes (same gully), scaled to frames
(:mod:`seqretrieve.dtw.guide`): far fewer cells, and the same score wherever the band holds the
full path; a candidate whose band holds no admissible end gets full DTW. The cascade's last
stage uses it; ``seqretrieve align`` keeps full DTW.
"""

from __future__ import annotations

import numpy as np

from ..types import Hit, QueryData

#: frames kept on each side of the guide path's blocks (2 codes of 8 frames)
GUIDE_RADIUS = 16


class FeatureDTWMatcher:
    """Ranks entries by DTW on stored features of ``extractor`` (None: the index's extractor)."""

    def __init__(self, extractor: str | None = None, gully: float = 0.96, band: float | None = None,
                 guide: str | None = None, radius: int = GUIDE_RADIUS):
        self.name = "dtw"
        self.extractor = extractor
        self.gully = gully
        self.band = band
        self.radius = int(radius)
        if guide is not None and band is not None:
            raise ValueError("the dtw matcher takes either a band or a guide, not both")
        self.guide = None
        if guide is not None:
            from .embedding import RepresentationMatcher

            self.guide = RepresentationMatcher(guide, None)

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        """Hits for every candidate row (all entries when ``candidates`` is None), best first."""
        from ..dtw.align import score_features

        extractor = self.extractor or index.extractor["name"]
        query_frames = query.features[extractor].frames
        db = f"features:{extractor}"
        ids = index.ids()
        rows = range(len(ids)) if candidates is None else candidates
        band = (self._band_for(query, index, len(query_frames)) if self.guide is not None
                else lambda row, m: self.band)
        hits = []
        for row in rows:
            entry_id = ids[int(row)]
            entry_frames = index.get_array(db, entry_id)
            limits = band(int(row), len(entry_frames))
            score, confidence = score_features(query_frames, entry_frames, gully=self.gully, band=limits)
            if self.guide is not None and not np.isfinite(score):  # no end inside the band
                score, confidence = score_features(query_frames, entry_frames, gully=self.gully)
            hits.append(Hit(entry_id, float(score), float(confidence)))
        hits.sort(key=lambda hit: hit.score)
        return hits

    def _band_for(self, query: QueryData, index, n: int):
        """``band(row, m)``: per-row limits for the query's ``n`` frames and entry ``row``'s
        ``m`` around the Hamming-DTW path of their codes; None (full DTW) where a side has none."""
        from ..dtw.align import align_codes
        from ..dtw.guide import band_around_path
        from ..index.representations import load_matrices

        matrices = load_matrices(index, self.guide.model())
        codes = np.ascontiguousarray(self.guide.encode_query(query), np.uint32)
        scale = max(1, round(n / max(len(codes), 1)))

        def band(row: int, m: int):
            entry = matrices.codes[matrices.offsets[row]:matrices.offsets[row + 1]]
            if len(codes) == 0 or len(entry) == 0:
                return None
            path = align_codes(codes, entry, gully=self.gully)  # ends where the frames' path may
            return band_around_path(path.path_query, path.path_entry, n, m, scale, self.radius)

        return band
