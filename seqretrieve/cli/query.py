"""``seqretrieve query SONG.mid ...``: rank the index entries for each MIDI file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import SeqretrieveError
from ..pipelines.search import DEFAULT_QUERY_SYNTH, FALLBACK_QUERY_SYNTH
from .options import INDEX_OPTION, JSON_OPTION, MIDI_MAX_DURATION_OPTION, MIDI_MAX_NOTES_OPTION, resolve_index_path


def register(app: typer.Typer) -> None:
    """Add the ``query`` command."""
    app.command("query", no_args_is_help=True)(query)


def _amount(amount: str) -> int | float | None:
    """``N`` (a count >= 1) -> N, ``P%`` (0 < P <= 100) -> P / 100, anything else None."""
    try:
        share = float(amount[:-1]) if amount.endswith("%") else None
    except ValueError:
        share = None
    if share is not None and 0 < share <= 100:
        return share / 100
    if amount.isdigit() and int(amount) >= 1:
        return int(amount)
    return None


def _parse_keep(values: list[str]) -> dict[str, int | float]:
    """``STAGE=N`` (a count >= 1) or ``STAGE=P%`` (0 < P <= 100: a share of the stage's candidates)."""
    keep = {}
    for value in values:
        stage, _, amount = value.partition("=")
        keep[stage] = _amount(amount)
        if keep[stage] is None:
            raise typer.BadParameter(f"expected STAGE=N with N >= 1 or STAGE=P% with 0 < P <= 100, got {value!r}",
                                     param_hint="--keep")
    return keep


def _parse_stages(value: str):
    """``MATCHER[=N|=P%],...`` -> a PipelineSpec named ``stages`` (the last stage keeps all)."""
    from ..types import PipelineSpec, PipelineStage

    stages = []
    for part in value.split(","):
        matcher, equals, amount = part.strip().partition("=")
        keep = _amount(amount) if equals else None
        if not matcher or (equals and keep is None):
            raise typer.BadParameter(f"expected MATCHER, MATCHER=N or MATCHER=P% separated by commas, got {part!r}",
                                     param_hint="--stages")
        stages.append(PipelineStage(matcher, keep))
    return PipelineSpec("stages", stages, description=f"--stages {value}")


def query(
    midi_files: list[Path] = typer.Argument(..., help="MIDI files to look up.", show_default=False),
    index: Optional[Path] = INDEX_OPTION,
    top: int = typer.Option(10, "--top", "-k", min=1, help="How many hits to show per query."),
    pipeline: Optional[str] = typer.Option(
        None, "--pipeline", "-p", help="Matcher pipeline (see `seqretrieve plugins`); default: the best available."
    ),
    keep: list[str] = typer.Option(
        [], "--keep", help="Override what a stage keeps: STAGE=N candidates or STAGE=P% of them (repeatable)."
    ),
    stages: Optional[str] = typer.Option(
        None, "--stages",
        help="Compose a pipeline instead of --pipeline: matchers in order with what each keeps, "
             "e.g. embedding=5%,hash-dtw=50,dtw."),
    explain: bool = typer.Option(
        False, "--explain",
        help="Show each stage's candidates, time and the top hit's rank there (with --json: one more line per query)."),
    synth: Optional[str] = typer.Option(
        None, "--synth", show_default=False,
        help=f"How the MIDI becomes frames: {DEFAULT_QUERY_SYNTH} (note templates, no audio; the default for the "
             f"built-in CQT) or a synthesizer such as {FALLBACK_QUERY_SYNTH} (the default for other extractors)."),
    midi_max_duration: float = MIDI_MAX_DURATION_OPTION,
    midi_max_notes: int = MIDI_MAX_NOTES_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Rank the index's recordings for each MIDI file (lower score = better match).

    A bad MIDI file is reported and skipped; the exit code is then 1.
    """
    from ..index.store import Index
    from ..pipelines.search import Searcher
    from .output import emit_json, print_error
    from .render import print_explain, print_hits

    if stages is not None and pipeline is not None:
        raise typer.BadParameter("give --pipeline or --stages, not both", param_hint="--stages")
    with Index.open(resolve_index_path(index)) as opened:
        searcher = Searcher(
            opened,
            pipeline=_parse_stages(stages) if stages is not None else pipeline,
            synthesizer=synth,
            keep=_parse_keep(keep),
        )
        _warn_unranked(opened, searcher.pipeline, fell_back=pipeline is None and stages is None)
        failed = 0
        for midi_file in midi_files:
            try:
                result = searcher.search(str(midi_file), top=top)
            except SeqretrieveError as exc:
                failed += 1
                if json_output:
                    emit_json({"query": str(midi_file), "error": str(exc)})
                else:
                    print_error(str(exc))
                continue
            if json_output:
                for rank, hit in enumerate(result.hits, start=1):
                    emit_json(
                        {
                            "query": str(midi_file),
                            "rank": rank,
                            "id": hit.id,
                            "score": hit.score,
                            "confidence": hit.confidence,
                            "pipeline": searcher.pipeline.name,
                            **_metadata_fields(opened.metadata(hit.id)),
                        }
                    )
                if explain:
                    emit_json({"query": str(midi_file), "pipeline": searcher.pipeline.name,
                               "stages": result.explain()})
            else:
                print_hits(result, opened, searcher.pipeline.name)
                if explain:
                    print_explain(result)
    if failed:
        raise typer.Exit(1)


def _warn_unranked(index, pipeline, fell_back: bool) -> None:
    """One ``warning:`` line on stderr (also with --json) when entries lack a learned
    representation: the default then falls back to a pipeline that ranks every entry (a more
    preferred one would skip them), a chosen ``pipeline`` (a PipelineSpec) skips them."""
    from ..pipelines.search import unranked_entries
    from ..registry import get_registry
    from .output import plain, stderr

    missing = {}
    if fell_back:
        stored = set(index.lacking_representations())
        preferred = [spec for spec in get_registry().components("pipeline").values()
                     if spec.preference > pipeline.preference and spec.needs and set(spec.needs) <= stored]
        if preferred:
            missing = unranked_entries(index, max(preferred, key=lambda spec: spec.preference))
        consequence = f"so the default ranks with {pipeline.name}" + (" (slow)" if not pipeline.needs else "")
    else:
        missing = unranked_entries(index, pipeline)
        consequence = f"and pipeline {pipeline.name!r} cannot rank them"
    if missing:
        what = ", ".join(f"{n:,} lack {name}" for name, n in missing.items())
        stderr.print(f"[yellow]warning:[/] {plain(what)} (of {len(index):,} entries), {plain(consequence)}: "
                     f"run `seqretrieve index update --index {plain(index.path)}` to encode them",
                     highlight=False, soft_wrap=True)


def _metadata_fields(metadata: dict) -> dict:
    """Artist and title at the top level of a JSON hit, everything else under ``metadata``."""
    return {"artist": metadata.get("artist", ""), "title": metadata.get("title", ""), "metadata": metadata}
