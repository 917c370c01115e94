"""``seqretrieve evaluate PAIRS.csv``: retrieval accuracy of pipelines on labelled queries."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from ..errors import SeqretrieveError
from .options import INDEX_OPTION, JSON_OPTION, MIDI_MAX_DURATION_OPTION, MIDI_MAX_NOTES_OPTION, resolve_index_path


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` command."""
    app.command("evaluate", no_args_is_help=True)(evaluate)


def evaluate(
    pairs: Path = typer.Argument(..., help="CSV with columns midi,id (several correct ids joined by ';').", show_default=False),
    index: Optional[Path] = INDEX_OPTION,
    pipeline: list[str] = typer.Option(["brute-force"], "--pipeline", "-p", help="Pipeline(s) to compare (repeatable)."),
    midi_max_duration: float = MIDI_MAX_DURATION_OPTION,
    midi_max_notes: int = MIDI_MAX_NOTES_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Top-1/5/10, MRR, the rank covering 95% of queries and seconds per query, per pipeline.

    A query whose MIDI file cannot be read is reported and counted as a miss.
    """
    from rich.table import Table

    from ..evaluation.metrics import correct_rank, summarize
    from ..evaluation.pairs import read_pairs
    from ..index.store import Index
    from ..pipelines.search import Searcher
    from .output import emit_json, plain, print_error, progress_bar, progress_enabled, stdout

    labelled = read_pairs(pairs)
    table = Table(title=f"{plain(pairs)} ({len(labelled)} queries)", title_justify="left")
    for column in ("pipeline", "entries", "top-1", "top-5", "top-10", "MRR", "95% rank", "s/query"):
        table.add_column(column, justify="left" if column == "pipeline" else "right")
    with Index.open(resolve_index_path(index)) as opened, progress_bar(progress_enabled(json_output)) as progress:
        for name in pipeline:
            searcher = Searcher(opened, pipeline=name)
            task = progress.add_task(name, total=len(labelled), rate="")
            ranks, seconds = [], 0.0
            for midi, correct in labelled:
                started = time.perf_counter()
                try:
                    result = searcher.search(str(midi), top=len(opened))
                    ranks.append(correct_rank([hit.id for hit in result.hits], correct))
                except SeqretrieveError as exc:
                    print_error(str(exc))
                    ranks.append(None)
                seconds += time.perf_counter() - started
                progress.advance(task)
            stats = summarize(ranks, len(opened)) | {"pipeline": name, "seconds_per_query": seconds / len(labelled)}
            if json_output:
                emit_json(stats)
            table.add_row(name, str(stats["entries"]), f"{stats['top1']:.1%}", f"{stats['top5']:.1%}",
                          f"{stats['top10']:.1%}", f"{stats['mrr']:.3f}", str(stats["rank95"]),
                          f"{stats['seconds_per_query']:.2f}")
    if not json_output:
        stdout.print(table)
