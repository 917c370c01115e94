"""Reading evaluation pairs: a CSV of ``midi,id`` rows (several correct ids joined by ``;``)."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import InputFileError


def read_pairs(path: str | Path) -> list[tuple[Path, set[str]]]:
    """(MIDI path, correct entry ids) per row; relative MIDI paths are taken from the CSV's folder."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read evaluation pairs ({exc.strerror or exc})") from exc
    if not rows or not {"midi", "id"} <= set(rows[0]):
        raise InputFileError(f"{path}: expected a CSV with the columns midi,id and at least one row")
    pairs = []
    for number, row in enumerate(rows, start=2):
        midi, ids = (row.get("midi") or "").strip(), {i.strip() for i in (row.get("id") or "").split(";") if i.strip()}
        if not midi or not ids:
            raise InputFileError(f"{path}:{number}: a row needs both a midi path and an id")
        pairs.append((path.parent / midi if not Path(midi).is_absolute() else Path(midi), ids))
    return pairs
