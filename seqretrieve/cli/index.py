"""``seqretrieve index build|info|verify``: make, describe and check the LMDB index."""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator, Optional

import typer

from .options import INDEX_OPTION, JSON_OPTION, MAX_DURATION_OPTION, resolve_index_path

#: failures listed after a build (the rest are counted; `index info --failures` lists all)
SHOWN_FAILURES = 10
#: audio files per task on a Dask cluster (a task costs ~1 s per file; fewer, larger tasks)
CLUSTER_CHUNK = 8


def register(app: typer.Typer) -> None:
    """Add the ``index`` group."""
    group = typer.Typer(help="Build, describe and check the index of recordings.", no_args_is_help=True)
    group.command("build", no_args_is_help=True)(build)
    group.command("update")(update)
    group.command("info")(info)
    group.command("verify")(verify)
    app.add_typer(group, name="index")


def build(
    sources: list[Path] = typer.Argument(..., help="Audio files or folders (searched recursively).", show_default=False),
    index: Optional[Path] = INDEX_OPTION,
    metadata: Optional[Path] = typer.Option(
        None, "--metadata", "-m", help="Catalogue: MSD unique_tracks.txt, or a CSV with id (or path), artist, title columns."
    ),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="Extraction processes."),
    extractor: str = typer.Option("cqt", "--extractor", help="Feature extractor (see `seqretrieve plugins`)."),
    representations: bool = typer.Option(
        True, "--representations/--no-representations",
        help="Also encode new entries with every learned representation for this extractor (for fast pipelines).",
    ),
    max_duration: float = MAX_DURATION_OPTION,
    shard: Optional[str] = typer.Option(
        None, "--shard", show_default=False, callback=lambda value: _shard(value),
        help="I/N: index only shard I of N (entries split by a stable hash of their id; build each on its own machine)."),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", envvar="SEQRETRIEVE_SCHEDULER", show_default=False,
        help="Dask scheduler address (tcp://HOST:8786): extract features on its workers; this process writes."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Add recordings to the index; files already indexed are skipped, failed ones retried.

    Files that cannot be read are listed and skipped; the exit code is then 1. Sources with no
    audio file at all are an error. Ctrl-C or SIGTERM keeps what was committed: run the same
    command again to resume. One build or update per index at a time.
    """
    path = resolve_index_path(index)
    with _says_what_was_kept(path, "the same command"):
        _build(sources, path, metadata, workers, extractor, representations, max_duration, shard, scheduler, json_output)


def _build(sources: list[Path], path: Path, metadata: Path | None, workers: int, extractor: str,
           representations: bool, max_duration: float, shard: tuple[int, int] | None, scheduler: str | None,
           json_output: bool) -> None:
    from ..batch.executors import pool
    from ..index.build import build_index
    from .output import emit_json, encoding_progress, plain, progress_bar, progress_enabled, stdout

    started = time.perf_counter()
    with progress_bar(progress_enabled(json_output)) as bar:
        task = bar.add_task("indexing", total=None, rate="")

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f} clips/s")

        with pool(scheduler=scheduler) if scheduler else nullcontext() as cluster:
            summary = build_index(sources, path, metadata_file=metadata, workers=cluster.slots if cluster else workers,
                                  extractor=extractor, progress=progress, max_duration=max_duration * 60, shard=shard,
                                  executor=cluster.executor if cluster else None,
                                  chunk_size=CLUSTER_CHUNK if cluster else 1,
                                  representations=representations, encode_progress=encoding_progress(bar))
        encoded = summary.representations
    record = {"index": str(path), "added": summary.added, "skipped": summary.skipped,
              "failed": summary.failed, "seconds": round(summary.seconds, 3),
              "clips_per_second": round(summary.clips_per_second, 2), "representations": encoded}
    if json_output:
        for failed_path, message in summary.failures:
            emit_json({"failed": failed_path, "error": message})
        emit_json(record)
    else:
        for failed_path, message in summary.failures[:SHOWN_FAILURES]:
            stdout.print(f"[red]failed:[/] {plain(message)}", highlight=False)
        hidden = len(summary.failures) - SHOWN_FAILURES
        if hidden > 0:
            stdout.print(f"... and {hidden} more (`seqretrieve index info --failures`)")
        stdout.print(
            f"{plain(path)}: {summary.added} added, {summary.skipped} already indexed, {summary.failed} failed "
            f"in {summary.seconds:.1f} s ({summary.clips_per_second:.1f} clips/s)",
            highlight=False,
        )
    if summary.failed:
        raise typer.Exit(1)


@contextmanager
def _says_what_was_kept(path: Path, command: str) -> Iterator[None]:
    """A signal outside the build's or update's own handling (opening the index, stopping the
    workers, writing the summary) still ends with one line: every commit is kept, how to resume."""
    from ..errors import Interrupted

    try:
        yield
    except Interrupted as exc:
        if exc.explained:
            raise
        raise Interrupted(f"interrupted: every commit is kept in the index at {path}{_in_all(path)}; "
                          f"run {command} again to resume", exc.signum) from exc


def _in_all(path: Path) -> str:
    """' (N in all)' for the index at ``path``; '' if it cannot be read (not made yet)."""
    from ..index.store import Index

    try:
        with Index.open(path) as opened:
            return f" ({len(opened)} in all)"
    except Exception:  # noqa: BLE001 - only a message depends on it
        return ""


def _shard(value: str | None) -> tuple[int, int] | None:
    from ..index.shards import parse_shard

    try:
        return parse_shard(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def update(
    index: Optional[Path] = INDEX_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Add or refresh learned representations from the stored features (no audio is decoded).

    Entries whose representation is current are skipped; a retrained model (other checksum)
    replaces the stored codes or embeddings. Ctrl-C or SIGTERM keeps the batches encoded so far.
    """
    from ..index.store import Index

    path = resolve_index_path(index)
    Index.open(path).close()  # a missing index is an error here, never created
    with _says_what_was_kept(path, f"`seqretrieve index update --index {path}`"):
        _update(path, json_output)


def _update(path: Path, json_output: bool) -> None:
    from ..index.lock import writer_lock
    from ..index.representations import add_all_representations
    from ..index.store import Index
    from .output import emit_json, encoding_progress, progress_bar, progress_enabled, stdout

    with progress_bar(progress_enabled(json_output)) as bar, Index.create(path) as opened, \
            writer_lock(opened.path, "seqretrieve index update"):
        encoded = add_all_representations(opened, progress=encoding_progress(bar))
    if json_output:
        emit_json({"index": str(path), "representations": encoded})
    elif encoded:
        for name, count in encoded.items():
            stdout.print(f"{name}: {count} entries encoded")
    else:
        stdout.print("no learned representation is registered for this index's feature extractor")


def _size(n_bytes: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n_bytes < 1024 or unit == "GiB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError("unreachable")


def info(
    index: Optional[Path] = INDEX_OPTION,
    failures: bool = typer.Option(False, "--failures", help="Also list every file that failed, with why."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Entries, feature extractor, representations, failures, size on disk and map size."""
    from ..index.store import Index
    from .output import emit_json, plain, stdout

    with Index.open(resolve_index_path(index)) as opened:
        summary = opened.info()
        failed = opened.failures() if failures else {}
    if json_output:
        emit_json(summary)
        for path, record in failed.items():
            emit_json({"failed": path, **record})
        return
    extractor = summary["extractor"] or {}
    lines = [
        ("index", summary["path"]),
        ("entries", f"{summary['entries']:,}"),
        ("extractor", f"{extractor.get('name', '(none yet)')} {extractor.get('params', '')}".strip()),
        ("frame rate", f"{extractor['frame_rate']:.3f} /s" if extractor else "-"),
        ("representations", ", ".join(f"{n} v{r.get('version')} ({r.get('kind')})"
                                      for n, r in summary["representations"].items()) or "(none)"),
        ("lacking", ", ".join(f"{n:,} entries lack {name} (`seqretrieve index update` encodes them)"
                              for name, n in summary["lacking_representations"].items() if n) or "-"),
        ("failures", f"{summary['failures']:,}"),
        ("size on disk", _size(summary["size_bytes"])),
        ("map size", _size(summary["map_size"])),
        ("schema", f"{summary['schema_version']} (created by seqretrieve {summary['created_by']})"),
    ]
    for label, value in lines:
        stdout.print(f"[bold]{label:>16}[/]  {plain(value)}", highlight=False)
    for path, record in failed.items():
        stdout.print(f"[red]failed:[/] {plain(record['error'])} ({plain(record['when'])})", highlight=False)


def verify(
    index: Optional[Path] = INDEX_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Check the index's consistency; exit code 1 when a problem is found."""
    from ..index.store import Index
    from .output import emit_json, plain, stdout

    with Index.open(resolve_index_path(index)) as opened:
        problems = opened.verify()
        entries = len(opened)
        path = opened.path
    if json_output:
        for problem in problems:
            emit_json({"problem": problem})
        emit_json({"index": path, "entries": entries, "ok": not problems, "problems": len(problems)})
    else:
        for problem in problems:
            stdout.print(f"[red]problem:[/] {plain(problem)}", highlight=False)
        verdict = "[green]OK[/]" if not problems else f"[red]{len(problems)} problem(s)[/]"
        stdout.print(f"{plain(path)}: {entries:,} entries, {verdict}", highlight=False)
    if problems:
        raise typer.Exit(1)
