"""Query an index with MIDI files: MIDI -> features (note templates or synthesis) -> pipeline -> ranked hits.

A :class:`Searcher` is built once per index or :class:`~seqretrieve.index.shards.Shards` (it
resolves the pipeline's matchers, the index's feature extractor and the synthesizer) and then
answers one MIDI file at a time.
"""

from __future__ import annotations

from typing import Sequence

from ..registry import Registry, get_registry
from ..types import PipelineSpec, QueryData
from .run import QueryResult, run_pipeline

DEFAULT_PIPELINE = "brute-force"
#: how a query's MIDI becomes frames: note templates, no waveform (``tinysoundfont`` renders audio)
DEFAULT_QUERY_SYNTH = "cqt-templates"


class Searcher:
    """Answers MIDI queries against one open index with one pipeline."""

    def __init__(
        self,
        index,
        pipeline: str = DEFAULT_PIPELINE,
        synthesizer: str = DEFAULT_QUERY_SYNTH,
        keep: dict[str, int | float] | None = None,
        registry: Registry | None = None,
    ):
        registry = registry or get_registry()
        if len(index) == 0 or index.extractor is None:
            from ..errors import IndexStoreError

            raise IndexStoreError(f"the index at {index.path} has no entries yet; add recordings with "
                              f"`seqretrieve index build SOURCES... --index {index.path}`")
        spec: PipelineSpec = registry.get("pipeline", pipeline)
        if keep:
            spec = _override_keep(spec, keep)
        spec = counts_for(spec, len(index))
        self.index = index
        self.registry = registry
        self.pipeline = spec
        self.matchers = build_matchers(spec, registry)
        self.extractor = index_extractor(index, registry)
        self.synthesizer = registry.create("synthesizer", synthesizer)

    def prepare(self, midi_path: str) -> QueryData:
        """The MIDI file loaded and its synthesized features; raises InputFileError for a bad file."""
        from ..audio.midi import load_midi
        from ..features.extract import features_from_midi

        midi = load_midi(midi_path)
        query = QueryData(path=str(midi_path), midi=midi, registry=self.registry)
        query.features[self.extractor.name] = features_from_midi(midi, self.extractor, self.synthesizer)
        return query

    def search(self, midi_path: str, top: int = 10) -> QueryResult:
        """Rank the index for one MIDI file; raises InputFileError for a bad file."""
        return self.rank(self.prepare(midi_path), top)

    def rank(self, query: QueryData, top: int = 10, join_last: Sequence[str] = ()) -> QueryResult:
        """Rank the index for a prepared query; ``join_last``: entry ids added to the last
        stage's candidates."""
        return run_pipeline(self.pipeline, self.matchers, query, self.index, top, join_last)


def index_extractor(index, registry: Registry):
    """The feature extractor the index was built with; an extractor no installed plugin provides
    is an IndexStoreError (the index is fine, the plugin is missing), not a usage error."""
    from ..errors import IndexStoreError, UnknownComponentError

    name = index.extractor["name"]
    try:
        return registry.create("feature_extractor", name)
    except UnknownComponentError as exc:
        raise IndexStoreError(f"the index at {index.path} was built with the feature extractor {name!r}, "
                              f"which no installed plugin provides ({exc})") from exc


def build_matchers(pipeline: PipelineSpec, registry: Registry | None = None) -> dict:
    """Stage matcher name -> matcher built with the stage's options; one with a ``max_hits``
    parameter returns no more than the stage keeps (building 10,000 hits that the stage then
    drops costs more than the distances)."""
    from ..errors import ParameterError

    registry = registry or get_registry()
    matchers = {}
    for stage in pipeline.stages:
        spec = registry.get("matcher", stage.matcher)
        unknown = set(stage.options) - set(spec.parameters)
        if unknown:
            raise ParameterError(
                f"pipeline {pipeline.name!r} gives matcher {stage.matcher!r} unknown options "
                f"{', '.join(sorted(unknown))} (it takes: {', '.join(spec.parameters) or 'none'})"
            )
        options = dict(stage.options)
        if isinstance(stage.keep, int) and "max_hits" in spec.parameters:  # fractions: see counts_for
            options["max_hits"] = stage.keep
        matchers[stage.matcher] = spec.create(**options)
    return matchers


def counts_for(spec: PipelineSpec, n_entries: int) -> PipelineSpec:
    """``spec`` with every fractional ``keep`` turned into the count it means for an index of
    ``n_entries`` (so a first stage keeping 10% of 1M entries builds 100,000 hits, not 1M)."""
    from dataclasses import replace

    stages, candidates = [], n_entries
    for stage in spec.stages:
        kept = stage.kept_count(candidates)
        stages.append(replace(stage, keep=kept) if isinstance(stage.keep, float) else stage)
        candidates = kept
    return replace(spec, stages=stages)


def _override_keep(spec: PipelineSpec, keep: dict[str, int | float]) -> PipelineSpec:
    from dataclasses import replace

    from ..errors import UsageError

    stages = []
    names = {stage.matcher for stage in spec.stages}
    unknown = set(keep) - names
    if unknown:
        raise UsageError(
            f"--keep names {', '.join(sorted(unknown))}, not a stage of pipeline {spec.name!r} "
            f"(stages: {', '.join(stage.matcher for stage in spec.stages)})"
        )
    for stage in spec.stages:
        stages.append(replace(stage, keep=keep.get(stage.matcher, stage.keep)))
    return replace(spec, stages=stages)


def needed_representations(spec: PipelineSpec, registry: Registry | None = None) -> set[str]:
    """Names of the learned representations the stages of ``spec`` read from the index."""
    registry = registry or get_registry()
    return {value for stage in spec.stages
            for key, value in {**registry.get("matcher", stage.matcher).parameters, **stage.options}.items()
            if key in ("representation", "embedding") and value}


def unranked_entries(index, spec: PipelineSpec, registry: Registry | None = None) -> dict[str, int]:
    """Representation name -> entries lacking it, for those ``spec`` needs and some entries lack
    (a pipeline with such a stage cannot rank those entries: ``index update`` encodes them)."""
    lacking = index.lacking_representations()
    return {name: lacking[name] for name in sorted(needed_representations(spec, registry))
            if lacking.get(name)}


def default_pipeline_name(index, registry: Registry | None = None) -> str:
    """``cascade`` when it is registered and every entry of the index holds every representation
    it needs, else ``brute-force`` (which ranks every entry)."""
    registry = registry or get_registry()
    cascade = registry.components("pipeline").get("cascade")
    if cascade is not None:
        lacking = index.lacking_representations()
        needed = needed_representations(cascade, registry)
        if needed <= set(lacking) and not any(lacking[name] for name in needed):
            return "cascade"
    return DEFAULT_PIPELINE
