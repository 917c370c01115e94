"""Brute-force matcher: DTW on the query's and each entry's feature frames (the accuracy reference).

Every candidate is scored with :func:`seqretrieve.dtw.align.score_features` (djitw semantics,
median penalty, gully); entries are ranked by the normalised path score, lower is better.

Tempo: with several ``rates`` the query's frames are resampled by each (a global time-scaling,
:mod:`seqretrieve.matchers.tempo`). Scoring every rate at full resolution would cost their sum
(about 6x), so the rate is chosen per entry on frames pooled ``coarse`` times (1/coarse^2 of the
cells per rate) and only the best ``refine`` rates are scored at full resolution; the entry's
score is the best of those. Every extra rate is also a chance for a wrong entry to fit by accident,
so a score found at rate ``r`` counts ``rate_penalty * |ln r|`` worse, in the choice of rate and
in the score: the path-normalised scores do not depend on the other candidates, so the penalty is
in score units (unlike the hash stage's, :mod:`seqretrieve.matchers.tempo`) and a ranking split
across index shards is the same as over one index.

With a ``guide`` each candidate's DTW fills only a band of ``radius`` frames around a coarse path,
scaled to frames (:mod:`seqretrieve.dtw.guide`): far fewer cells, and the same score wherever the
band holds the full path; a candidate whose band holds no admissible end gets full DTW. The guide
is either ``"coarse"`` (multiscale: the DTW path of the frames pooled ``coarse`` times, at the
chosen rate) or a hash representation such as "dhs" (the Hamming-DTW path of the codes of the
query at the chosen rate). ``seqretrieve align`` keeps full DTW.

With a ``window`` (and several rates, so that there is a pooled pass) each candidate's
full-resolution DTW takes only the query frames its pooled path spans at the chosen rate,
widened on each side by ``window`` times the entry's length, and every entry frame
(:func:`seqretrieve.dtw.align.score_query_rows`): for a 4-minute query and a 30-s entry about a
fifth of the cells, with any path shape inside. It is the same DTW wherever the best full path
lies in the window; a path that reaches the window's first or last row, where the query goes on,
may want to go further, so that candidate is scored over the whole query. ``median_stride`` > 1
takes the DTW penalty (the median distance) from every ``median_stride``-th query frame, so that
the other frames' distances are never computed.
"""

from __future__ import annotations

import numpy as np

from ..dtw.defaults import GULLY
from ..dtw.rates import DEFAULT_RATES, check_rates, resample_frames
from ..errors import ParameterError
from ..types import Hit, QueryData
from .tempo import rescaled_query

#: frames kept on each side of the guide path's blocks (2 codes of 8 frames)
GUIDE_RADIUS = 16
#: frames pooled per coarse frame when choosing the rate of an entry (and for the "coarse" guide)
COARSE = 4
#: the ``guide`` that bands each candidate's DTW around its own pooled frames' DTW path
COARSE_GUIDE = "coarse"
#: how much worse (in path-normalised score units per unit |ln rate|) a score at another rate
#: counts, chosen on validation songs (docs/models.md, "Tempo"): brute-force top-1 on 80 hard
#: excerpts 67.5% unpenalised -> 70.0% (as with no rates), while 20 tempo-gap queries among the
#: same 227 songs keep 15 at rank 1 up to 0.08 (14 at 0.12, 10 with no rates);
#: benchmarks/tune_dtw_rate_penalty.py
DTW_RATE_PENALTY = 0.08


class FeatureDTWMatcher:
    """Ranks entries by DTW on stored features of ``extractor`` (None: the index's extractor),
    trying the query at each of ``rates`` (``(1,)``: as written, the published matcher)."""

    def __init__(self, extractor: str | None = None, gully: float = GULLY, band: float | None = None,
                 guide: str | None = None, radius: int = GUIDE_RADIUS,
                 rates=DEFAULT_RATES, coarse: int = COARSE, refine: int = 1,
                 rate_penalty: float = DTW_RATE_PENALTY, window: float | None = None, median_stride: int = 1):
        self.name = "dtw"
        self.extractor = extractor
        self.gully = gully
        self.band = band
        self.radius = int(radius)
        if guide is not None and band is not None:
            raise ParameterError("the dtw matcher takes either a band or a guide, not both")
        self.guide = guide
        if guide is not None and guide != COARSE_GUIDE:
            from .embedding import RepresentationMatcher

            self.guide = RepresentationMatcher(guide, None)
        self.rates = check_rates(rates)
        if int(coarse) < 1 or int(refine) < 1:
            raise ValueError(f"coarse and refine must be >= 1, got {coarse} and {refine}")
        self.coarse = int(coarse)
        self.refine = int(refine)
        if not rate_penalty >= 0:
            raise ValueError(f"rate_penalty must be >= 0, not {rate_penalty}")
        self.rate_penalty = float(rate_penalty)
        if window is not None and (guide is not None or band is not None):
            raise ParameterError("the dtw matcher takes one of a window, a band or a guide")
        if window is not None and not window >= 0:
            raise ValueError(f"window must be >= 0 (a share of the entry's frames), not {window}")
        if int(median_stride) < 1 or (int(median_stride) > 1 and (guide is not None or band is not None)):
            raise ValueError(f"median_stride must be >= 1 (1 with a band or guide), not {median_stride}")
        self.window = None if window is None else float(window)
        self.median_stride = int(median_stride)

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        """Hits for every candidate row (all entries when ``candidates`` is None), best first."""
        from ..dtw.guide import band_around_path

        extractor = self.extractor or index.extractor["name"]
        frames = _Lazy(lambda rate: rescaled_query(query, rate).features[extractor].frames)
        coarse_guide = self.guide == COARSE_GUIDE
        pooled = ({rate: resample_frames(query.features[extractor].frames, rate / self.coarse)
                   for rate in self.rates} if len(self.rates) > self.refine or coarse_guide else {})
        bands = _Lazy(lambda rate: self._band_for(rescaled_query(query, rate), index, len(frames[rate])))
        db = f"features:{extractor}"
        ids = index.ids()
        rows = range(len(ids)) if candidates is None else candidates
        hits = []
        for row in rows:
            entry_id = ids[int(row)]
            entry = index.get_array(db, entry_id)
            fits = self._coarse_fits(pooled, resample_frames(entry, 1.0 / self.coarse)) if pooled else {}
            scored = []
            for rate in self._rates_for(fits):
                if coarse_guide:  # the band around the pooled frames' path at this rate
                    path = fits[rate][1]
                    limits = band_around_path(path.path_query, path.path_entry, len(frames[rate]), len(entry),
                                              self.coarse, self.radius)
                    scored.append(self._score(frames[rate], entry, limits, rate))
                elif self.guide is not None:
                    scored.append(self._score(frames[rate], entry, bands[rate](int(row), len(entry)), rate))
                elif self.band is not None:
                    scored.append(self._score(frames[rate], entry, self.band, rate))
                else:
                    window = self._window(fits[rate][1], len(pooled[rate]), len(frames[rate]), len(entry)) if (
                        self.window is not None and fits) else None
                    scored.append(self._score_rows(frames[rate], entry, window, rate))
            score, confidence = min(scored)
            hits.append(Hit(entry_id, float(score), float(confidence)))
        hits.sort(key=lambda hit: hit.score)
        return hits

    def _score(self, frames: np.ndarray, entry: np.ndarray, limits, rate: float) -> tuple[float, float]:
        """(score with the rate penalty, confidence) of query ``frames`` (at ``rate``) vs ``entry``
        within ``limits`` (full DTW when a guide band holds no admissible end)."""
        from ..dtw.align import score_features

        score, confidence = score_features(frames, entry, gully=self.gully, band=limits)
        if self.guide is not None and not np.isfinite(score):  # no end inside the band
            score, confidence = score_features(frames, entry, gully=self.gully)
        return score + self._penalty(rate), confidence

    def _score_rows(self, frames: np.ndarray, entry: np.ndarray, window, rate: float) -> tuple[float, float]:
        """:meth:`_score` with the path kept to the query frames ``window`` (first, last; None: all),
        all of them again when the path reaches a window edge short of the query's ends."""
        from ..dtw.align import score_query_rows

        score, confidence, (first, last) = score_query_rows(frames, entry, window, self.gully, self.median_stride)
        if window is not None and (first == window[0] > 0 or last == window[1] < len(frames) - 1
                                   or not np.isfinite(score)):
            score, confidence, _ = score_query_rows(frames, entry, None, self.gully, self.median_stride)
        return score + self._penalty(rate), confidence

    def _window(self, span: tuple[int, int], pooled: int, n: int, m: int) -> tuple[int, int]:
        """(first, last) of the query's ``n`` frames: the pooled path's ``span`` of ``pooled``
        frames at full resolution, ``window`` x the entry's ``m`` frames more on each side."""
        margin = int(round(self.window * m))
        first = span[0] * n // pooled - margin
        last = (span[1] + 1) * n // pooled - 1 + margin
        return max(0, first), min(n - 1, max(last, first))

    def _penalty(self, rate: float) -> float:
        return self.rate_penalty * abs(float(np.log(rate)))

    def _coarse_fits(self, pooled: dict, entry_pooled: np.ndarray) -> dict:
        """``rate -> (score with the rate penalty, where the path lies)`` of the query's frames
        pooled at each rate (``pooled``: rate -> frames) against the entry's pooled alike
        (M / coarse, D); where: the alignment for the "coarse" guide (its band follows the path),
        else the first and last pooled query frame of the path (a window's centre)."""
        from ..dtw.align import align_features, score_query_rows

        fits = {}
        for rate, frames in pooled.items():
            if self.guide == COARSE_GUIDE:
                aligned = align_features(frames, entry_pooled, gully=self.gully)
                fits[rate] = (aligned.score + self._penalty(rate), aligned)
            else:
                score, _, span = score_query_rows(frames, entry_pooled, None, self.gully, self.median_stride)
                fits[rate] = (score + self._penalty(rate), span)
        return fits

    def _rates_for(self, fits: dict) -> list[float]:
        """The ``refine`` rates with the best coarse ``fits`` (:meth:`_coarse_fits`); every rate
        when there are no more."""
        if len(self.rates) <= self.refine:
            return list(self.rates)
        scores = [fits[rate][0] for rate in self.rates]
        return [self.rates[k] for k in np.argsort(scores, kind="stable")[: self.refine]]

    def _band_for(self, query: QueryData, index, n: int):
        """``band(row, m)``: per-row limits for the query's ``n`` frames and entry ``row``'s
        ``m`` around the Hamming-DTW path of their codes; None (full DTW) where a side has none."""
        from ..dtw.align import align_codes
        from ..dtw.guide import band_around_path
        from ..index.representations import load_matrices

        matrices = load_matrices(index, self.guide.model(query))
        codes = np.ascontiguousarray(self.guide.encode_query(query), np.uint32)
        scale = max(1, round(n / max(len(codes), 1)))

        def band(row: int, m: int):
            entry = matrices.codes[matrices.offsets[row]:matrices.offsets[row + 1]]
            if len(codes) == 0 or len(entry) == 0:
                return None
            path = align_codes(codes, entry, gully=self.gully)  # ends where the frames' path may
            return band_around_path(path.path_query, path.path_entry, n, m, scale, self.radius)

        return band


class _Lazy(dict):
    """``key -> make(key)``, made on first use (most rates are never scored at full resolution)."""

    def __init__(self, make):
        super().__init__()
        self._make = make

    def __missing__(self, key):
        value = self[key] = self._make(key)
        return value
