"""Catalogue readers: the MSD's ``unique_tracks.txt`` and CSV files with a header, streaming.

``read_catalog(path)`` detects the format from the file's first line, checks the file up front
(missing, empty or unknown format -> :class:`InputFileError`, one line) and then yields
:class:`TrackMetadata` one line at a time, so memory stays flat for any file size.

Undecodable bytes never stop a read: the line is decoded with U+FFFD replacements, counted in
:class:`ReadStats`, and a :class:`CatalogDecodeWarning` names the file and the count at the end.
Malformed lines (wrong field count, no id) are skipped, counted and warned about the same way.
"""

from __future__ import annotations

import csv
import os
import warnings
from dataclasses import dataclass
from typing import IO, Iterator

from ..errors import CatalogDecodeWarning, InputFileError
from ..types import TrackMetadata

MSD_SEP = "<SEP>"
#: CSV header names (case-insensitive) that give the entry id, in order of preference.
ID_COLUMNS = ("id", "path", "file")
CSV_DELIMITERS = ",;\t|"



@dataclass
class ReadStats:
    """Counters of one read: records yielded, lines decoded with replacement, malformed lines
    skipped, blank lines (MSD: records + skipped + blank = lines; CSV counts rows, header aside)."""

    records: int = 0
    replaced: int = 0
    skipped: int = 0
    blank: int = 0


# --------------------------------------------------------------------------- decoding
def _decode(raw: bytes, stats: ReadStats) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        stats.replaced += 1
        return raw.decode("utf-8", errors="replace")


def _text_lines(handle: IO[bytes], stats: ReadStats) -> Iterator[str]:
    """Decoded lines without their line ends; a UTF-8 BOM on the first line is dropped."""
    first = True
    for raw in handle:
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        yield _decode(raw, stats).rstrip("\r\n")


def _nonblank(lines: Iterator[str], stats: ReadStats) -> Iterator[str]:
    """``lines`` without the blank ones, which are counted in ``stats.blank``."""
    for line in lines:
        if line.strip():
            yield line
        else:
            stats.blank += 1


def _first_line(path: str) -> str:
    """The first non-blank line of ``path``; missing/unreadable/empty -> InputFileError."""
    if not os.path.exists(path):
        raise InputFileError(f"{path}: catalogue file not found")
    if os.path.isdir(path):
        raise InputFileError(f"{path}: is a folder, expected a catalogue file")
    try:
        with open(path, "rb") as handle:
            for line in _text_lines(handle, ReadStats()):
                if line.strip():
                    return line
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read catalogue ({exc.strerror or exc})") from exc
    raise InputFileError(f"{path}: catalogue file is empty")


def _warn(path: str, stats: ReadStats) -> None:
    problems = []
    if stats.replaced:
        problems.append(f"{stats.replaced} line(s) had undecodable bytes (replaced with U+FFFD)")
    if stats.skipped:
        problems.append(f"{stats.skipped} malformed line(s) skipped")
    if problems:
        warnings.warn(f"{path}: " + "; ".join(problems), CatalogDecodeWarning, stacklevel=3)


# --------------------------------------------------------------------------- MSD
class MsdReader:
    """``TRACK_ID<SEP>SONG_ID<SEP>artist<SEP>title`` lines; id = TRACK_ID, extra = {song_id}."""

    name = "msd"

    def can_read(self, path: str) -> bool:
        return _first_line(path).count(MSD_SEP) == 3

    def read(self, path: str, stats: ReadStats | None = None) -> Iterator[TrackMetadata]:
        stats = stats if stats is not None else ReadStats()
        with open(path, "rb") as handle:
            for line in _nonblank(_text_lines(handle, stats), stats):
                parts = line.split(MSD_SEP)
                if len(parts) != 4 or not parts[0].strip():
                    stats.skipped += 1
                    continue
                track_id, song_id, artist, title = parts
                stats.records += 1
                yield TrackMetadata(track_id.strip(), artist.strip(), title.strip(),
                                    {"song_id": song_id.strip()})
        _warn(path, stats)


# --------------------------------------------------------------------------- CSV
def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_columns(header: str) -> list[str] | None:
    """Lower-cased column names if ``header`` is a usable CSV header, else None."""
    names = next(csv.reader([header], delimiter=_sniff_delimiter(header)), [])
    names = [n.strip().lower() for n in names]
    if not any(c in names for c in ID_COLUMNS) or not ({"artist", "title"} & set(names)):
        return None
    return names


class CsvReader:
    """CSV with a header: ``id`` (or ``path``/``file``), ``artist``, ``title``; other columns -> extra."""

    name = "csv"

    def can_read(self, path: str) -> bool:
        line = _first_line(path)
        return MSD_SEP not in line and _csv_columns(line) is not None

    def read(self, path: str, stats: ReadStats | None = None) -> Iterator[TrackMetadata]:
        stats = stats if stats is not None else ReadStats()
        header = _first_line(path)
        columns = _csv_columns(header)
        if columns is None:
            raise InputFileError(
                f"{path}: CSV header needs an id (or path/file) column and artist or title: {header[:80]!r}"
            )
        id_column = next(c for c in ID_COLUMNS if c in columns)
        with open(path, "rb") as handle:
            rows = csv.reader(_nonblank(_text_lines(handle, stats), stats), delimiter=_sniff_delimiter(header))
            next(rows, None)  # the header
            for row in rows:
                if len(row) != len(columns):
                    stats.skipped += 1
                    continue
                fields = {name: value.strip() for name, value in zip(columns, row)}
                entry_id = fields.pop(id_column)
                if not entry_id:
                    stats.skipped += 1
                    continue
                artist, title = fields.pop("artist", ""), fields.pop("title", "")
                stats.records += 1
                yield TrackMetadata(entry_id, artist, title, fields)
        _warn(path, stats)


# --------------------------------------------------------------------------- entry point
BUILTIN_READERS = {"msd": MsdReader, "csv": CsvReader}


def _reader_for(path: str, format: str | None):
    """The reader named ``format`` (built-in or plugin), or the first one that can read ``path``."""
    if format is not None:
        if format in BUILTIN_READERS:
            return BUILTIN_READERS[format]()
        from ..registry import get_registry

        return get_registry().create("metadata_reader", format)
    _first_line(path)  # missing / empty -> one clear line before guessing
    for reader_class in BUILTIN_READERS.values():
        reader = reader_class()
        if reader.can_read(path):
            return reader
    from ..registry import get_registry

    for name, spec in sorted(get_registry().components("metadata_reader").items()):
        if name not in BUILTIN_READERS:
            reader = spec.create()
            if reader.can_read(path):
                return reader
    raise InputFileError(
        f"{path}: unknown catalogue format (expected MSD 'TRACK_ID<SEP>SONG_ID<SEP>artist<SEP>title' "
        f"lines or a CSV header with id/path/file and artist/title)"
    )


def read_catalog(path: str | os.PathLike, format: str | None = None,
                 stats: ReadStats | None = None) -> Iterator[TrackMetadata]:
    """Stream the catalogue at ``path`` as TrackMetadata; ``format`` = "msd", "csv", a plugin's
    reader name, or None to detect. The file is checked now; lines are read as you iterate.
    ``stats``, if given, is filled with the counts of records, repaired and skipped lines."""
    path = os.fspath(path)
    reader = _reader_for(path, format)
    _first_line(path)
    if isinstance(reader, CsvReader) and _csv_columns(_first_line(path)) is None:
        raise InputFileError(f"{path}: CSV header needs an id (or path/file) column and artist or title")
    if isinstance(reader, (MsdReader, CsvReader)):
        return reader.read(path, stats)
    return iter(reader.read(path))


__all__ = ["read_catalog", "MsdReader", "CsvReader", "ReadStats", "CatalogDecodeWarning"]
