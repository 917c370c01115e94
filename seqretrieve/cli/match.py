"""``seqretrieve match SOURCES... --out RESULTS.sqlite``: match a whole MIDI collection, resumably.

``match SOURCES...`` is short for ``match run SOURCES...``; ``match export`` writes the hits out.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from .options import JSON_OPTION, resolve_index_path

#: failures listed after a run (the rest are counted; the ``failures`` table has all)
SHOWN_FAILURES = 10


class _RunByDefault(TyperGroup):
    """``match ARGS`` runs ``match run ARGS`` unless ARGS starts with a subcommand or --help."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    """Add the ``match`` group."""
    group = typer.Typer(cls=_RunByDefault, no_args_is_help=True,
                        help="Match a collection of MIDI files into a results database (SQLite); "
                             "`match SOURCES...` = `match run SOURCES...`.")
    group.command("run", no_args_is_help=True)(run)
    group.command("export", no_args_is_help=True)(export)
    app.add_typer(group, name="match")


def run(
    sources: list[Path] = typer.Argument(
        ..., help="MIDI files, folders (searched recursively) or text files listing paths.", show_default=False),
    index: list[Path] = typer.Option(
        [], "--index", "-i", envvar="SEQRETRIEVE_INDEX", show_default=False,
        help="Index directory; repeat it (or give a text file listing shard directories) for shards "
             "(default: $SEQRETRIEVE_INDEX, else the user data directory's index)."),
    out: Path = typer.Option(..., "--out", "-o", help="Results database (SQLite; created, or resumed).", show_default=False),
    top: int = typer.Option(5, "--top", "-k", min=1, help="Hits stored per query."),
    pipeline: Optional[str] = typer.Option(
        None, "--pipeline", "-p", help="Matcher pipeline (see `seqretrieve plugins`); default: the best available."),
    keep: list[str] = typer.Option(
        [], "--keep", help="Override what a stage keeps: STAGE=N candidates or STAGE=P% of them (repeatable)."),
    synth: str = typer.Option("tinysoundfont", "--synth", help="Synthesizer that renders the MIDI."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Local worker processes (each opens the index once)."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", envvar="SEQRETRIEVE_SCHEDULER", show_default=False,
        help="Dask scheduler address (tcp://HOST:8786): run on its workers instead of local processes."),
    chunk_size: Optional[int] = typer.Option(
        None, "--chunk-size", min=1, show_default=False,
        help="Queries per task (default: about 4 tasks per worker, at most 100)."),
    metadata_first: bool = typer.Option(
        False, "--metadata-first",
        help="Also send entries whose artist/title match the file's cleaned name to the last (DTW) stage."),
    aligned: Optional[Path] = typer.Option(
        None, "--aligned", help="Write each hit's MIDI aligned to its recording here, as ENTRY_ID/MD5.mid.",
        show_default=False),
    aligned_confidence: float = typer.Option(
        0.5, "--aligned-confidence", min=0.0, max=1.0, help="Only hits at least this confident get an aligned file."),
    json_output: bool = typer.Option(False, "--json", help="The summary (and failures) as NDJSON, no progress."),
) -> None:
    """Answer every MIDI file not yet in RESULTS; kill it any time and run it again to finish.

    A file that cannot be matched is a row in the `failures` table; the exit code is then 1.
    """
    from ..batch.driver import run_match
    from ..batch.executors import pool
    from ..batch.work import MatchSettings
    from ..index.shards import index_paths
    from ..index.store import Index
    from ..pipelines.search import default_pipeline_name
    from .output import emit_json, progress_bar, progress_enabled, stdout
    from .query import _parse_keep

    paths = index_paths(index or [resolve_index_path(None)])
    if pipeline is None:
        with Index.open(paths[0]) as first:
            pipeline = default_pipeline_name(first)
    settings = MatchSettings(tuple(paths), pipeline, tuple(_parse_keep(keep).items()), synth, top, metadata_first,
                             str(aligned.resolve()) if aligned else None, aligned_confidence)
    failures: list[tuple[str, str]] = []
    started = time.perf_counter()
    with progress_bar(progress_enabled(json_output)) as bar, pool(workers, scheduler) as workers_pool:
        task = bar.add_task("matching", total=None, rate="")

        def progress(done: int, total: int, answer) -> None:
            if answer.error is not None:
                failures.append((answer.path, answer.error))
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:.2f} queries/s")

        summary = run_match(sources, out, settings, workers_pool, chunk_size, progress)
    record = {"results": str(out), "answered": summary.answered, "failed": summary.failed,
              "skipped": summary.skipped, "seconds": round(summary.seconds, 3),
              "queries_per_second": round(summary.queries_per_second, 3), "total_answered": summary.total_answered,
              "total_matched": summary.total_matched, "total_failed": summary.total_failed}
    if json_output:
        for path, message in failures:
            emit_json({"failed": path, "error": message})
        emit_json(record)
    else:
        for _, message in failures[:SHOWN_FAILURES]:
            stdout.print(f"[red]failed:[/] {message}", highlight=False)
        if len(failures) > SHOWN_FAILURES:
            stdout.print(f"... and {len(failures) - SHOWN_FAILURES} more (the failures table of {out})")
        stdout.print(
            f"{out}: {summary.answered} answered, {summary.failed} failed, {summary.skipped} already answered "
            f"in {summary.seconds:.1f} s ({summary.queries_per_second:.2f} queries/s); in total "
            f"{summary.total_answered} answered, {summary.total_matched} matched (confidence >= 0.5), "
            f"{summary.total_failed} failed", highlight=False)
    if summary.failed:
        raise typer.Exit(1)


def export(
    results: Path = typer.Argument(..., help="A results database written by `seqretrieve match`.", show_default=False),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv, ndjson or parquet (parquet needs pyarrow)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output file (default: stdout).", show_default=False),
) -> None:
    """Write one record per hit (query path, rank, entry, score, confidence, ...)."""
    from ..batch.export import FORMATS, export as write
    from ..batch.results import Results
    from ..errors import SeqretrieveError

    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)}, not {fmt!r}", param_hint="--format")
    if not results.is_file():
        raise SeqretrieveError(f"{results}: no such results database")
    with Results(results) as opened:
        write(opened, fmt, str(out) if out else None)
