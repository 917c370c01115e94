"""Query an index with MIDI files: MIDI -> features (note templates or synthesis) -> pipeline -> ranked hits.

A :class:`Searcher` is built once per index or :class:`~seqretrieve.index.shards.Shards` (it
resolves the pipeline's matchers, the index's feature extractor and the synthesizer) and then
answers one MIDI file at a time. Pipelines say
what they need (``PipelineSpec.needs``) and how much they are preferred; nothing here knows a
pipeline or matcher by name.
"""

from __future__ import annotations

from typing import Sequence

from ..registry import Registry, get_registry
from ..types import PipelineSpec, QueryData
from .run import QueryResult, run_pipeline

DEFAULT_PIPELINE = "brute-force"
#: how a query's MIDI becomes frames: note templates, no waveform, wherever they were made for the
#: index's extractor (the built-in CQT); else ``FALLBACK_QUERY_SYNTH`` renders audio
DEFAULT_QUERY_SYNTH = "cqt-templates"
FALLBACK_QUERY_SYNTH = "tinysoundfont"


def query_synthesizer(extractor, registry: Registry, name: str | None = None):
    """The synthesizer called ``name``, or by default the note templates when they fit
    ``extractor`` and TinySoundFont otherwise (another extractor, e.g. a plugin's chroma)."""
    if name is not None:
        return registry.create("synthesizer", name)
    templates = registry.create("synthesizer", DEFAULT_QUERY_SYNTH)
    return templates if not templates.mismatches(extractor) else registry.create("synthesizer", FALLBACK_QUERY_SYNTH)


class Searcher:
    """Answers MIDI queries against one open index with one pipeline: a registered name, a
    :class:`PipelineSpec` (e.g. composed with ``--stages``), or None for
    :func:`default_pipeline_name`."""

    def __init__(
        self,
        index,
        pipeline: str | PipelineSpec | None = None,
        synthesizer: str | None = None,
        keep: dict[str, int | float] | None = None,
        registry: Registry | None = None,
    ):
        registry = registry or get_registry()
        if len(index) == 0 or index.extractor is None:
            from ..errors import IndexStoreError

            raise IndexStoreError(f"the index at {index.path} has no entries yet; add recordings with "
                                  f"`seqretrieve index build SOURCES... --index {index.path}`")
        if pipeline is None:
            pipeline = default_pipeline_name(index, registry)
        spec = pipeline if isinstance(pipeline, PipelineSpec) else registry.get("pipeline", pipeline)
        check_needs(spec, index)
        if keep:
            spec = _override_keep(spec, keep)
        spec = counts_for(spec, len(index))
        self.index = index
        self.registry = registry
        self.pipeline = spec
        self.matchers = build_matchers(spec, registry)
        self.extractor = index_extractor(index, registry)
        self.synthesizer = query_synthesizer(self.extractor, registry, synthesizer)

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
    """The feature extractor the index was built with, refused (IndexStoreError) when no installed
    plugin provides it or when it now makes other frames than the index holds (other parameters
    or version): queries would be compared with entries of another kind."""
    from ..errors import IndexStoreError, UnknownComponentError
    from ..index.build import extractor_record

    stored = index.extractor
    name = stored["name"]
    try:
        extractor = registry.create("feature_extractor", name)
    except UnknownComponentError as exc:
        raise IndexStoreError(f"the index at {index.path} was built with the feature extractor {name!r}, "
                              f"which no installed plugin provides ({exc})") from exc
    if extractor_record(extractor) != stored:
        raise IndexStoreError(
            f"the index at {index.path} holds {name} features made with {stored['params']}, but the "
            f"installed {name} extractor makes {extractor_record(extractor)['params']}; install the "
            f"extractor version the index was built with, or build a new index")
    return extractor


def check_needs(spec: PipelineSpec, index) -> None:
    """Refuse a pipeline whose ``needs`` the index lacks, saying how to add them."""
    from ..errors import IndexStoreError

    missing = sorted(set(spec.needs) - set(index.meta.get("representations", {})))  # an Index or Shards
    if missing:
        raise IndexStoreError(
            f"pipeline {spec.name!r} needs the learned representation(s) {', '.join(missing)}, which the "
            f"index at {index.path} lacks; add them with `seqretrieve index update --index {index.path}` "
            f"or choose another --pipeline")


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


def unranked_entries(index, spec: PipelineSpec) -> dict[str, int]:
    """Representation name -> entries lacking it, for each representation ``spec`` needs that
    some entries lack (all of them when the index holds none of it): a pipeline with such a
    stage cannot rank those entries; ``index update`` encodes them."""
    lacking = index.lacking_representations()
    counts = {name: lacking.get(name, len(index)) for name in sorted(spec.needs)}
    return {name: n for name, n in counts.items() if n}


def default_pipeline_name(index, registry: Registry | None = None) -> str:
    """The most preferred registered pipeline (``PipelineSpec.preference``) that ranks every
    entry: each entry holds every representation it needs (``cascade`` on an index fully
    encoded with the shipped representations; ties and the fallback go to ``brute-force``)."""
    registry = registry or get_registry()
    usable = [spec for spec in registry.components("pipeline").values() if not unranked_entries(index, spec)]
    best = max(usable, key=lambda spec: (spec.preference, spec.name == DEFAULT_PIPELINE), default=None)
    return DEFAULT_PIPELINE if best is None else best.name
