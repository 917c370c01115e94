"""Reading the small CSV files that commands take as input (evaluation pairs, alignment rows)."""

from __future__ import annotations

import csv
from pathlib import Path

from .errors import InputFileError


def read_csv(path: str | Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV with a header holding ``columns``, each of them non-empty (stripped).

    Raises InputFileError naming the file (and line) when it cannot be read, lacks a column or
    rows, or a row leaves a required cell empty.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not rows or not set(columns) <= set(rows[0]):
        raise InputFileError(f"{path}: expected a CSV with the columns {','.join(columns)} and at least one row")
    for number, row in enumerate(rows, start=2):
        for column in columns:
            row[column] = (row.get(column) or "").strip()
            if not row[column]:
                raise InputFileError(f"{path}:{number}: the row needs a value in every column of {','.join(columns)}")
    return rows
