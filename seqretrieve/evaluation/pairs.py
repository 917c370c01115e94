"""Reading evaluation pairs: a CSV of ``midi,id`` rows (several correct ids joined by ``;``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError
from ..tables import read_csv


def read_pairs(path: str | Path) -> list[tuple[Path, set[str]]]:
    """(MIDI path, correct entry ids) per row; relative MIDI paths are taken from the CSV's folder."""
    folder = Path(path).parent
    pairs = []
    for row in read_csv(path, ("midi", "id")):
        ids = {entry_id.strip() for entry_id in row["id"].split(";") if entry_id.strip()}
        if not ids:
            raise InputFileError(f"{path}: the row for {row['midi']} names no entry id")
        pairs.append((folder / row["midi"], ids))
    return pairs
