"""Typed records that plugins yield from hooks, and the protocols their factories return.

Every record has a ``name`` (unique per kind), a ``version`` and a ``factory`` that builds the
component from keyword ``parameters``. Components are plain objects that follow the protocols
below; nothing here imports heavy libraries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

import numpy as np


# --------------------------------------------------------------------------- data records
@dataclass(frozen=True)
class FeatureSequence:
    """A sequence of feature frames and where it came from.

    ``frames``: (T, D) float32, one row per frame; ``frame_rate``: frames per second;
    ``extractor`` and ``params`` name the extractor that made it (stored in the index).
    """

    frames: np.ndarray
    frame_rate: float
    extractor: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.frames) / self.frame_rate


@dataclass(frozen=True)
class TrackMetadata:
    """One catalogue line: an entry id and its artist/title (``extra`` holds other columns)."""

    id: str
    artist: str = ""
    title: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One ranked index entry for a query: lower ``score`` is better; ``confidence`` in [0, 1]."""

    id: str
    score: float
    confidence: float | None = None


# --------------------------------------------------------------------------- component protocols
class FeatureExtractor(Protocol):
    """Turns audio samples into a :class:`FeatureSequence`.

    ``sample_rate`` is the rate audio must be given at; ``frame_rate`` the frames per second out.
    """

    name: str
    sample_rate: int
    frame_rate: float

    def params(self) -> dict[str, Any]: ...

    def from_samples(self, samples: np.ndarray, sample_rate: int) -> FeatureSequence:
        """``samples``: (n,) float32 mono at ``sample_rate``."""
        ...


class Synthesizer(Protocol):
    """Renders a ``pretty_midi.PrettyMIDI`` to mono float32 audio at ``sample_rate``.

    Optionally also ``frames(midi, extractor) -> FeatureSequence``: the extractor's frames made
    without a waveform (``features_from_midi`` then uses it instead of ``render``).
    """

    name: str

    def render(self, midi: Any, sample_rate: int) -> np.ndarray:
        """Returns (n,) float32 in [-1, 1]."""
        ...


class Representation(Protocol):
    """A learned encoder: feature frames (T, D) -> codes (T', ) uint32 or an embedding (E,).

    ``kind`` is ``"hash"`` (sequence of packed codes) or ``"embedding"`` (one vector).
    ``checksum`` identifies the model file; the index refuses a mismatched one.
    """

    name: str
    version: str
    kind: str
    checksum: str
    extractor: str

    def encode(self, frames: np.ndarray, side: str) -> np.ndarray:
        """``side`` is ``"audio"`` (index entries) or ``"midi"`` (queries)."""
        ...


class Matcher(Protocol):
    """Ranks index entries for one query.

    ``rank`` gets the query's prepared data (see :class:`QueryData`), the open index and an
    optional array of candidate row numbers to restrict to; it returns hits, best first.
    """

    name: str

    def rank(self, query: "QueryData", index: Any, candidates: np.ndarray | None) -> list[Hit]: ...


@dataclass
class QueryData:
    """Everything a matcher may need about one query, computed lazily and once.

    ``features``: extractor name -> FeatureSequence of the synthesized MIDI;
    ``encoded``: representation name -> its encoding of the query's features;
    ``rescaled``: time-scaling -> this query with its frames resampled (tempo-robust matchers).
    ``registry``: the :class:`~seqretrieve.registry.Registry` the query runs with (a matcher
    looks other components, e.g. its representation, up there; None: the process-wide one).
    """

    path: str
    midi: Any
    features: dict[str, FeatureSequence] = field(default_factory=dict)
    encoded: dict[str, np.ndarray] = field(default_factory=dict)
    rescaled: dict[float, "QueryData"] = field(default_factory=dict, repr=False)
    registry: Any = None


class MetadataReader(Protocol):
    """Reads a catalogue file into :class:`TrackMetadata` records, streaming."""

    name: str

    def can_read(self, path: str) -> bool: ...

    def read(self, path: str) -> Iterator[TrackMetadata]: ...


# --------------------------------------------------------------------------- hook records
@dataclass(frozen=True)
class ComponentSpec:
    """What a hook yields: a named, versioned factory with documented parameters.

    ``parameters``: the keyword parameters the factory takes, with their defaults; left out
    (None), they are read from the factory's signature (every parameter with a default), so a
    default is written once, in the factory.
    """

    name: str
    factory: Callable[..., Any]
    version: str = "0"
    description: str = ""
    parameters: Mapping[str, Any] | None = None

    def __post_init__(self):
        if self.parameters is None:
            object.__setattr__(self, "parameters", signature_defaults(self.factory))

    def create(self, **overrides: Any) -> Any:
        """Build the component with default parameters updated by ``overrides``."""
        return self.factory(**{**self.parameters, **overrides})


def signature_defaults(factory: Callable[..., Any]) -> dict[str, Any]:
    """Name -> default of every parameter of ``factory`` that has one (a class: its __init__)."""
    import inspect

    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return {}
    return {p.name: p.default for p in parameters
            if p.default is not inspect.Parameter.empty
            and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}


@dataclass(frozen=True)
class PipelineStage:
    """One cascade stage: a matcher name, how many candidates it passes on and parameters for its
    matcher that override the matcher's defaults in this stage only.

    ``keep``: an int N >= 1 keeps the best N; a float in (0, 1] keeps that fraction of the
    stage's candidates (rounded up, at least 1); None keeps all. ``carry``: weight w >= 0 of the
    previous stage's score in this stage's ranking, ``z(this) + w * z(previous)`` over this
    stage's candidates (0: this stage's score alone), so a final stage keeps the earlier
    stages' evidence.
    """

    matcher: str
    keep: int | float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    carry: float = 0.0

    def __post_init__(self):
        if not (isinstance(self.carry, (int, float)) and math.isfinite(self.carry) and self.carry >= 0):
            from .errors import ParameterError

            raise ParameterError(f"stage {self.matcher!r}: carry must be a number >= 0, not {self.carry!r}")
        keep = self.keep
        if isinstance(keep, bool) or not (
            keep is None or (isinstance(keep, int) and keep >= 1) or (isinstance(keep, float) and 0 < keep <= 1)
        ):
            from .errors import ParameterError

            raise ParameterError(f"stage {self.matcher!r}: keep must be a count >= 1 or a fraction in (0, 1], not {keep!r}")

    def kept_count(self, candidates: int) -> int:
        """How many of ``candidates`` this stage passes on."""
        if self.keep is None:
            return candidates
        if isinstance(self.keep, float):
            return min(candidates, max(1, math.ceil(self.keep * candidates)))
        return min(candidates, self.keep)


@dataclass(frozen=True)
class PipelineSpec:
    """A named cascade of matchers; the last stage's ranking is the answer.

    ``needs``: the learned representations the index must hold for it (a query refuses the
    pipeline otherwise); ``preference``: when no pipeline is named, the most preferred one whose
    needs the index meets runs (``brute-force``: 0).
    """

    name: str
    stages: Sequence[PipelineStage]
    description: str = ""
    version: str = "0"
    needs: Sequence[str] = ()
    preference: int = 0
