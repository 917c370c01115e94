"""Shared CLI output: results on stdout, progress and chatter on stderr, NDJSON for ``--json``."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console
from rich.markup import escape
from rich.text import Text
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..names import dumps, printable

# emoji off: user data such as a title ":100:" is printed as it is
stdout = Console(soft_wrap=True, emoji=False)
stderr = Console(stderr=True, emoji=False)


def emit_json(record: dict[str, Any]) -> None:
    """Write one NDJSON line to stdout and flush (so pipes see results as they come)."""
    sys.stdout.write(dumps(record, default=_jsonable) + "\n")
    sys.stdout.flush()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def plain(text: object) -> str:
    """User data (a path, a title, a message quoting them) for a rich markup string: shown as it
    is, on one line (markup escaped, see :func:`seqretrieve.names.printable`)."""
    return escape(printable(str(text)))


def cell(text: object) -> Text:
    """User data as a rich table cell, never parsed as markup."""
    return Text(printable(str(text)))


def print_error(message: str) -> None:
    """One unwrapped ``error: ...`` line on stderr (a test or a script can grep it)."""
    stderr.print(f"[bold red]error:[/] {plain(message)}", highlight=False, soft_wrap=True)


def print_interrupted(message: str) -> None:
    """The one line printed when Ctrl-C or SIGTERM stops a command (what was kept, how to resume)."""
    stderr.print(f"[yellow]{plain(message)}[/]", highlight=False, soft_wrap=True)


def progress_enabled(json_output: bool) -> bool:
    """Progress bars only on an interactive stderr and never with ``--json``."""
    return not json_output and sys.stderr.isatty()


def encoding_progress(bar: Progress):
    """A ``progress(name, done, total)`` callback showing one task per representation on ``bar``."""
    tasks: dict[str, Any] = {}

    def progress(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(f"encoding {name}", total=total, rate="")
        bar.update(tasks[name], completed=done, total=total)

    return progress


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
