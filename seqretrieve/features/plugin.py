"""Built-in feature extractors: ``cqt`` (the published constant-Q features).

Cheap to import: librosa loads only when features are computed.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..types import ComponentSpec
from .cqt import VERSION, CQTExtractor


@hookimpl
def seqretrieve_feature_extractors():
    return [
        ComponentSpec(
            "cqt",
            CQTExtractor,
            version=VERSION,
            description="log-amplitude CQT, C2 + 48 semitones, 21.5 frames/s, L2-normalised frames",
        )  # parameters: CQTExtractor's signature
    ]
