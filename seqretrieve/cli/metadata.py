"""``seqretrieve clean-metadata`` and ``seqretrieve match-metadata``: clean artist/title out of MIDI
paths and match them against a catalogue (MSD ``unique_tracks.txt``, CSV, or an index)."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator, Optional

import typer

from ..metadata.evidence import DEFAULT_MIN_SCORE
from .options import JSON_OPTION

CLEAN_FIELDS = ("path", "artist", "title", "confidence", "flags", "rules", "work", "catalog_id")
MATCH_FIELDS = ("path", "query_artist", "query_title", "rank", "id", "artist", "title",
                "artist_score", "title_score", "score", "kind", "reading")
DOUBTFUL_FLAGS = {"no-artist", "no-title", "unsplit-name"}

INPUTS = typer.Argument(..., help="Folders of MIDI files, MIDI files, or text files with one path per line.",
                        show_default=False)
CATALOG = typer.Option(None, "--catalog", "-c", help="Catalogue file: MSD unique_tracks.txt or CSV with a header.")
INDEX = typer.Option(None, "--index", "-i", help="Use the artist/title of a seqretrieve index as catalogue.")
OUT = typer.Option(None, "--out", "-o", help="Write results here (.csv, or .jsonl/.ndjson) instead of stdout.")
MATCHER = typer.Option("blocked-fuzzy", "--matcher", help="Text matcher (see `seqretrieve plugins`).")
THRESHOLD = typer.Option(DEFAULT_MIN_SCORE, "--threshold", min=0.0, max=1.0,
                         help="Match score from which an artist+title match replaces the cleaned names "
                              "with the catalogue's.")
MIDI_TEXT = typer.Option(True, "--midi-text/--no-midi-text",
                         help="Read track names and text events of existing files when the path has no title.")


def register(app: typer.Typer) -> None:
    """Add ``clean-metadata`` and ``match-metadata`` to the root app."""
    app.command("clean-metadata", no_args_is_help=True)(clean_metadata)
    app.command("match-metadata", no_args_is_help=True)(match_metadata)


@contextmanager
def _writer(out: Optional[Path], json_output: bool, fields: tuple[str, ...]) -> Iterator:
    """A function writing one record as CSV or NDJSON to ``out`` or stdout."""
    as_json = json_output or (out is not None and out.suffix.lower() in {".jsonl", ".ndjson", ".json"})
    handle: IO[str] = open(out, "w", encoding="utf-8", newline="") if out is not None else sys.stdout
    try:
        if as_json:
            def write(record: dict) -> None:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            table = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
            table.writeheader()
            write = table.writerow
        yield write
    finally:
        handle.flush()
        if out is not None:
            handle.close()


def _prepare(inputs: list[str], catalog: Optional[Path], index: Optional[Path], matcher: str,
             midi_text: bool, require_catalog: bool):
    """(paths iterator, cleaner, catalog or None, matcher, Skipped record of the inputs)."""
    from ..errors import InputFileError
    from ..metadata.catalog import load_catalog
    from ..metadata.clean import Cleaner
    from ..metadata.inputs import Skipped, iter_midi_paths
    from ..registry import get_registry

    if catalog is not None and index is not None:
        raise InputFileError("give --catalog or --index, not both")
    if require_catalog and catalog is None and index is None:
        raise InputFileError("match-metadata needs a catalogue: --catalog FILE or --index PATH")
    skipped = Skipped()
    text_matcher = get_registry().create("text_matcher", matcher)
    loaded = None
    if catalog is not None or index is not None:
        loaded = load_catalog(str(catalog) if catalog else None, str(index) if index else None)
    paths = iter_midi_paths(inputs, skipped)
    return paths, Cleaner(midi_text=midi_text), loaded, text_matcher, skipped


def _summary(counts: Counter, skipped, json_output: bool, catalog_size: int | None) -> None:
    """The counts and every skip on stderr: plain lines, or one JSON object with ``--json``."""
    from rich.markup import escape

    from .output import stderr

    if json_output:
        record = {"summary": {**counts, "catalog_entries": catalog_size}, "skipped": skipped.as_dict()}
        sys.stderr.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    for reason, n in sorted(skipped.counts.items()):
        places = ", ".join(skipped.places[reason]) + (", ..." if n > len(skipped.places[reason]) else "")
        stderr.print(f"[yellow]skipped:[/] {n} {escape(reason)}(s): {escape(places)}", highlight=False,
                     soft_wrap=True)
    line = (f"{counts['total']} names: {counts['cleaned']} cleaned, {counts['flagged']} flagged "
            f"(no usable artist/title)")
    if "answered" in counts or "unanswered" in counts:
        line += (f", {counts['answered']} answered from the catalogue ({catalog_size} entries), "
                 f"{counts['unanswered']} without an answer")
    elif catalog_size is not None:
        line += (f", {counts['canonical']} matched to the catalogue ({catalog_size} entries), "
                 f"{counts['canonical-artist']} with the catalogue's artist spelling")
    stderr.print(escape(line), highlight=False, soft_wrap=True)


def _count(counts: Counter, name) -> None:
    counts["total"] += 1
    counts["flagged" if DOUBTFUL_FLAGS & set(name.flags) else "cleaned"] += 1
    counts.update(f for f in name.flags if f in {"canonical", "canonical-artist"})


def clean_metadata(
    inputs: list[str] = INPUTS,
    catalog: Optional[Path] = CATALOG,
    index: Optional[Path] = INDEX,
    out: Optional[Path] = OUT,
    threshold: float = THRESHOLD,
    matcher: str = MATCHER,
    midi_text: bool = MIDI_TEXT,
    json_output: bool = JSON_OPTION,
) -> None:
    """Clean artist/title out of MIDI paths: one row per file (path, artist, title, confidence,
    flags, rules); with a catalogue, confident matches take the catalogue's spelling and id."""
    from ..metadata.pipeline import clean_and_match

    paths, cleaner, loaded, text_matcher, skipped = _prepare(inputs, catalog, index, matcher, midi_text, False)
    counts: Counter = Counter()
    with _writer(out, json_output, CLEAN_FIELDS) as write:
        for name, _ in clean_and_match(paths, cleaner, loaded, text_matcher, threshold, top=1):
            _count(counts, name)
            write(name.as_dict())
    _summary(counts, skipped, json_output, len(loaded) if loaded is not None else None)
    if skipped.errors:
        raise typer.Exit(1)


def match_metadata(
    inputs: list[str] = INPUTS,
    catalog: Optional[Path] = CATALOG,
    index: Optional[Path] = INDEX,
    out: Optional[Path] = OUT,
    top: int = typer.Option(5, "--top", "-k", min=1, help="Candidate (artist, title) groups per MIDI file."),
    min_score: float = typer.Option(DEFAULT_MIN_SCORE, "--min-score", min=0.0, max=1.0,
                                    help="Drop candidates below this score."),
    partial: bool = typer.Option(False, "--partial",
                                 help="Also list title-only and artist-only candidates (never rank-1 "
                                      "answers; for the content stage)."),
    matcher: str = MATCHER,
    midi_text: bool = MIDI_TEXT,
    json_output: bool = JSON_OPTION,
) -> None:
    """Candidate (MIDI file, catalogue entry) pairs with artist, title and combined scores (0-1),
    best first; every id of a duplicated catalogue track is listed. Only artist+title matches
    (kind ``artist-title``) are answers; a file without one gets a row with rank 0."""
    from ..metadata.evidence import ANSWER_KIND
    from ..metadata.pipeline import clean_and_match

    paths, cleaner, loaded, text_matcher, skipped = _prepare(inputs, catalog, index, matcher, midi_text, True)
    counts: Counter = Counter()
    with _writer(out, json_output, MATCH_FIELDS) as write:
        for name, candidates in clean_and_match(paths, cleaner, loaded, text_matcher, None, top=top):
            _count(counts, name)
            query = {"path": name.path, "query_artist": name.artist, "query_title": name.title}
            kept = [c for c in candidates if c.score >= min_score and (partial or c.kind == ANSWER_KIND)]
            counts["answered" if kept and kept[0].kind == ANSWER_KIND else "unanswered"] += 1
            if not kept:
                write({**query, "rank": 0, "id": None, "artist": None, "title": None, "artist_score": None,
                       "title_score": None, "score": None, "kind": "none", "reading": None})
            for c in kept:
                write({**query, "rank": c.rank, "id": c.id, "artist": c.artist, "title": c.title,
                       "artist_score": round(c.artist_score, 3), "title_score": round(c.title_score, 3),
                       "score": round(c.score, 3), "kind": c.kind, "reading": c.reading})
    _summary(counts, skipped, json_output, len(loaded))
    if skipped.errors:
        raise typer.Exit(1)
