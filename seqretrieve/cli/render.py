"""Rich tables for human output of query results."""

from __future__ import annotations

from rich.table import Table

from .output import cell, plain, stdout


def print_hits(result, index, pipeline: str) -> None:
    """One table per query: rank, id, artist, title, score, confidence."""
    table = Table(title=f"{plain(result.query)}  [dim]({plain(pipeline)})[/]", title_justify="left")
    for column, justify in (("rank", "right"), ("id", "left"), ("artist", "left"), ("title", "left"),
                            ("score", "right"), ("confidence", "right")):
        table.add_column(column, justify=justify)
    for rank, hit in enumerate(result.hits, start=1):
        metadata = index.metadata(hit.id)
        confidence = "" if hit.confidence is None else f"{hit.confidence:.2f}"
        table.add_row(str(rank), cell(hit.id), cell(metadata.get("artist", "")), cell(metadata.get("title", "")),
                      f"{hit.score:.4f}", confidence)
    if not result.hits:
        table.caption = "no entries"
    stdout.print(table)


def print_explain(result) -> None:
    """Per stage: candidates in, kept, seconds, and where the final top hit ranked there."""
    table = Table(title="stages", title_justify="left")
    for column in ("stage", "matcher", "candidates", "kept", "seconds", "top hit's rank"):
        table.add_column(column, justify="right" if column != "matcher" else "left", overflow="fold")
    for row in result.explain():
        shown = {**row["options"], **({"carry": row["carry"]} if row["carry"] else {})}
        options = ", ".join(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                            for key, value in shown.items())
        rank = row["top_hit_rank"]
        table.add_row(str(row["stage"]), cell(row["matcher"] + (f" ({options})" if options else "")),
                      str(row["candidates"]), str(row["kept"]), f"{row['seconds']:.3f}",
                      "-" if rank is None else str(rank))
    stdout.print(table)
