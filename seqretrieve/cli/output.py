"""Shared CLI output: results on stdout, progress and chatter on stderr, NDJSON for ``--json``."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True)


def emit_json(record: dict[str, Any]) -> None:
    """Write one NDJSON line to stdout and flush (so pipes see results as they come)."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, default=_jsonable) + "\n")
    sys.stdout.flush()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def print_error(message: str) -> None:
    """One unwrapped ``error: ...`` line on stderr (a test or a script can grep it)."""
    from rich.markup import escape

    stderr.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def progress_enabled(json_output: bool) -> bool:
    """Progress bars only on an interactive stderr and never with ``--json``."""
    return not json_output and sys.stderr.isatty()


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    """A rich progress bar on stderr with rate, count and ETA; a silent one when disabled."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        disable=not enabled,
        transient=False,
    )
    with progress:
        yield progress
