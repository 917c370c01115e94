"""``seqretrieve demo``: build a demo index from ``examples/`` and query it (the README's first command)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import typer

from .options import JSON_OPTION


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(demo)


def _default_workdir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("seqretrieve")) / "demo"


def demo(
    workdir: Optional[Path] = typer.Option(None, help="Where recordings and the index go (default: seqretrieve/demo in the user cache directory)."),
    examples: Optional[Path] = typer.Option(None, help="The examples folder (default: ./examples)."),
    fresh: bool = typer.Option(False, "--fresh", help="Delete earlier demo recordings and index first."),
    workers: int = typer.Option(2, min=1, help="Index build workers."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Render example songs with other instruments and tempo, index them, and find each query's recording."""
    from ..demo import DemoLayout, find_examples, make_recordings
    from ..index.build import build_index
    from ..index.store import Index
    from ..pipelines.search import Searcher
    from ..registry import get_registry
    from .output import emit_json, encoding_progress, progress_bar, progress_enabled, stderr, stdout
    from .render import print_hits

    layout = DemoLayout(find_examples(examples), workdir or _default_workdir())
    if fresh and layout.workdir.exists():
        shutil.rmtree(layout.workdir)
    show = progress_enabled(json_output)
    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    with progress_bar(show) as progress:
        task = progress.add_task("rendering recordings", total=len(layout.songs), rate="")
        recordings = make_recordings(layout, synthesizer, progress=lambda: progress.advance(task))
    if not json_output:
        stderr.print(f"{len(recordings)} recordings in {layout.recordings}; indexing ...")
    with progress_bar(show) as progress:
        summary = build_index([layout.recordings], layout.index, metadata_file=layout.metadata, workers=workers,
                              encode_progress=encoding_progress(progress))
    if not json_output:
        stderr.print(f"index {layout.index}: {summary.added} added, {summary.skipped} already there, {summary.failed} failed")
    correct = 0
    with Index.open(layout.index) as index:
        searcher = Searcher(index)  # the most preferred pipeline the index can run
        for query in layout.queries:
            result = searcher.search(str(query), top=3)
            top_id = result.hits[0].id if result.hits else None
            correct += top_id == query.stem
            if json_output:
                emit_json({"query": str(query), "expected": query.stem, "top": top_id,
                           "confidence": result.hits[0].confidence if result.hits else None,
                           "correct": top_id == query.stem})
            else:
                print_hits(result, index, searcher.pipeline.name)
    if json_output:
        emit_json({"summary": True, "queries": len(layout.queries), "correct_top1": correct})
    else:
        stdout.print(f"[bold]{correct}/{len(layout.queries)}[/] queries found their own recording at rank 1.")
