"""MIDI paths from the command line's inputs: folders (walked), MIDI files, or text files of paths.

Paths are yielded as bytes so that names which are not valid UTF-8 survive untouched; unreadable
sub-folders are reported through ``on_error`` and skipped.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence

from ..errors import InputFileError
from ..audio.midi import MIDI_EXTENSIONS

_EXTENSIONS = tuple(e.encode() for e in MIDI_EXTENSIONS)


def _is_midi_file(path: str) -> bool:
    if path.lower().endswith(tuple(MIDI_EXTENSIONS)):
        return True
    with open(path, "rb") as handle:
        return handle.read(4) == b"MThd"


def iter_midi_paths(inputs: Sequence[str], on_error: Callable[[str], None] = lambda m: None
                    ) -> Iterator[tuple[bytes, bytes | None]]:
    """``(path, root)`` for every MIDI path: ``root`` is the folder walked (None for listed paths).
    A missing input raises InputFileError now, before anything is yielded."""
    for item in inputs:
        if not os.path.exists(item):
            raise InputFileError(f"{item}: no such file or folder")
    return _walk(inputs, on_error)


def _walk(inputs: Sequence[str], on_error: Callable[[str], None]) -> Iterator[tuple[bytes, bytes | None]]:
    for item in inputs:
        if os.path.isdir(item):
            root = os.fsencode(item)
            walk = os.walk(root, onerror=lambda e: on_error(f"{os.fsdecode(e.filename)}: {e.strerror}"))
            for folder, dirs, files in walk:
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(_EXTENSIONS):
                        yield os.path.join(folder, name), root
        elif _is_midi_file(item):
            yield os.fsencode(item), None
        else:
            yield from _listed_paths(item, on_error)


def _listed_paths(path: str, on_error: Callable[[str], None]) -> Iterator[tuple[bytes, None]]:
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read list of paths ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip(b"\r\n").strip()
            if not line or line.startswith(b"#"):
                continue
            if b"\0" in line:
                on_error(f"{path}:{number}: not a path (binary data), skipped")
                continue
            yield line, None
