"""Which files a build reads, and the id and catalogue record of each."""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Iterable

from ..errors import InputFileError
from ..types import TrackMetadata


def find_audio_files(sources: Iterable[str | os.PathLike], extensions: Iterable[str] | None = None) -> list[str]:
    """Absolute paths of the audio files in ``sources`` (files as given, folders recursively by
    extension, following symlinked folders once each), sorted and without repeats; a missing
    source is an InputFileError."""
    if extensions is None:
        from ..audio.decode import AUDIO_EXTENSIONS as extensions
    wanted = {e.lower() for e in extensions}
    found: set[str] = set()
    walked: set[str] = set()  # real paths of the folders seen: a link loop is walked once
    for source in sources:
        source = os.path.abspath(os.fspath(source))
        if os.path.isdir(source):
            for folder, subfolders, names in os.walk(source, followlinks=True):
                real = os.path.realpath(folder)
                if real in walked:
                    subfolders.clear()
                    continue
                walked.add(real)
                found.update(os.path.join(folder, n) for n in names if os.path.splitext(n)[1].lower() in wanted)
        elif os.path.exists(source):
            found.add(source)
        else:
            raise InputFileError(f"{source}: no such file or folder")
    return sorted(found)


def stem(path: str) -> str:
    """The default entry id of a file: its name without the extension."""
    return os.path.splitext(os.path.basename(path))[0]


def match_catalog(metadata_file: str | os.PathLike, files: list[str]) -> dict[str, tuple[str, TrackMetadata]]:
    """Absolute file path -> (entry id, catalogue record) for the files the catalogue names.

    A record names a file by its ``path``/``file`` column (absolute, or relative to the
    catalogue's folder, or a bare file name), or else by its id equal to the file's stem (MSD:
    ``TRAAAAW128F429D538`` <- ``.../TRAAAAW128F429D538.mp3``). Where the id itself is a path
    (a CSV with only a ``path`` column) the entry id is the file's stem. Streams the catalogue,
    keeping only matching records.
    """
    from ..metadata.readers import read_catalog

    base = os.path.dirname(os.path.abspath(os.fspath(metadata_file)))
    by_path = set(files)
    by_name: dict[str, list[str]] = defaultdict(list)
    by_stem: dict[str, list[str]] = defaultdict(list)
    for path in files:
        by_name[os.path.basename(path)].append(path)
        by_stem[stem(path)].append(path)

    def named(hint: str) -> list[str]:
        full = os.path.normpath(os.path.join(base, hint))
        return [full] if full in by_path else by_name.get(os.path.basename(hint), [])

    matched: dict[str, tuple[str, TrackMetadata]] = {}
    for record in read_catalog(metadata_file):
        hint = record.extra.get("path") or record.extra.get("file")
        if hint:
            matched.update((path, (record.id, record)) for path in named(hint))
        elif targets := named(record.id):
            matched.update((path, (stem(path), record)) for path in targets)
        else:
            matched.update((path, (record.id, record)) for path in by_stem.get(record.id, []))
    return matched
