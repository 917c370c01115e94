"""Built-in matchers, registered through the same hook a third-party plugin uses."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..types import ComponentSpec


@hookimpl
def seqretrieve_matchers():
    from ..dtw.defaults import GULLY
    from ..dtw.rates import DEFAULT_RATES
    from .dtw import COARSE, DTW_RATE_PENALTY, GUIDE_RADIUS, FeatureDTWMatcher

    return [
        ComponentSpec(
            "dtw",
            FeatureDTWMatcher,
            version="4",  # 3: rate_penalty; 4: window, median_stride
            description=f"DTW on the index's feature frames (cosine distance, median penalty, gully {GULLY}) "
                        "with the query at several global time-scalings (rates); "
                        "guide=coarse: only a band around each entry's DTW path on 4x-pooled frames; "
                        "guide=<hash representation>: around its Hamming-DTW path; "
                        "window=W: only the query frames near each entry's pooled path (W x its length "
                        "more on each side); median_stride=S: the penalty from every S-th query frame",
            parameters={"extractor": None, "gully": GULLY, "band": None, "guide": None, "radius": GUIDE_RADIUS,
                        "rates": DEFAULT_RATES, "coarse": COARSE, "refine": 1,
                        "rate_penalty": DTW_RATE_PENALTY, "window": None, "median_stride": 1},
        )
    ]
