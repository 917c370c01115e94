"""``seqretrieve match export``: the hits of a results database as CSV, NDJSON or Parquet.

One record per hit: path, md5, rank, entry_id, score, confidence, artist, title, stage_ranks
(JSON text), aligned_path. Parquet needs ``pyarrow`` (not a dependency of seqretrieve).
"""

from __future__ import annotations

import csv
import json
import sys
from typing import IO

from ..errors import SeqretrieveError
from .results import Results

FORMATS = ("csv", "ndjson", "parquet")
COLUMNS = ("path", "md5", "rank", "entry_id", "score", "confidence", "artist", "title", "stage_ranks", "aligned_path")


def export(results: Results, fmt: str, out: str | None) -> int:
    """Write every hit of ``results`` in ``fmt`` to ``out`` (None: stdout); returns the rows written."""
    if fmt not in FORMATS:
        raise SeqretrieveError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "parquet":
        return _parquet(results, out)
    handle: IO[str] = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        count = 0
        writer = csv.DictWriter(handle, COLUMNS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in results.rows():
            if writer is not None:
                writer.writerow(row)
            else:
                handle.write(json.dumps({**row, "stage_ranks": json.loads(row["stage_ranks"])}, ensure_ascii=False) + "\n")
            count += 1
        return count
    finally:
        if out:
            handle.close()


def _parquet(results: Results, out: str | None) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise SeqretrieveError("--format parquet needs pyarrow (pip install pyarrow); "
                               "csv and ndjson work without it") from exc
    if not out:
        raise SeqretrieveError("--format parquet writes a file: give --out FILE")
    rows = list(results.rows())
    pq.write_table(pa.Table.from_pylist(rows), out)
    return len(rows)
