"""The part of a build that runs in worker processes: decode + extract, never touch the index.

Imported by spawned workers, so it imports nothing heavy at module level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SeqretrieveError

_EXTRACTORS: dict[str, Any] = {}


@dataclass(frozen=True)
class Extracted:
    """One file's outcome: ``frames`` (T, D) float32 and ``frame_rate``, or an ``error`` line."""

    path: str
    frames: np.ndarray | None = None
    frame_rate: float = 0.0
    error: str | None = None


def _extractor(extractor: Any) -> Any:
    """An extractor object from a registry name (built once per process) or the object itself."""
    if not isinstance(extractor, str):
        return extractor
    if extractor not in _EXTRACTORS:
        from ..registry import get_registry

        _EXTRACTORS[extractor] = get_registry().create("feature_extractor", extractor)
    return _EXTRACTORS[extractor]


def extract_files(paths: list[str], extractor: Any) -> list[Extracted]:
    """Features of each file in ``paths``; a file that fails gives an error line, not an exception.

    ``extractor``: a registered extractor name or a picklable extractor object.
    """
    from ..features.extract import features_from_audio_file

    extractor = _extractor(extractor)
    results = []
    for path in paths:
        try:
            features = features_from_audio_file(path, extractor)
            frames = np.ascontiguousarray(features.frames, dtype=np.float32)
            results.append(Extracted(path, frames, float(features.frame_rate)))
        except SeqretrieveError as exc:
            results.append(Extracted(path, error=str(exc)))
        except Exception as exc:  # a decoder or extractor crash on one odd file must not stop a build
            results.append(Extracted(path, error=f"{path}: unexpected {type(exc).__name__}: {exc}"))
    return results
