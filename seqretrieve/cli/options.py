"""Options shared by several commands, so each is spelled and documented once."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

INDEX_OPTION = typer.Option(
    None,
    "--index",
    "-i",
    envvar="SEQRETRIEVE_INDEX",
    help="Index directory (default: $SEQRETRIEVE_INDEX, else seqretrieve/index in the user data directory).",
    show_default=False,
)
JSON_OPTION = typer.Option(False, "--json", help="NDJSON on stdout (one object per line), no progress.")


def resolve_index_path(index: Optional[Path]) -> Path:
    """The ``--index`` value, else the default index location."""
    if index is not None:
        return index
    from ..index.store import default_index_path

    return Path(default_index_path())
