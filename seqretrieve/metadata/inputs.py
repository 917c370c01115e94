"""MIDI paths from the command line's inputs: folders (walked), MIDI files, or text files of paths.

Paths are yielded as bytes so that names which are not valid UTF-8 survive untouched. Nothing is
dropped without a count: every line of a list file is a path or a skip recorded in
:class:`Skipped` (comment ``#`` lines, blank lines, lines holding binary data), and so is every
unreadable sub-folder. A list file that is binary data (a NUL byte or mostly control bytes in
its first 8 KiB) is refused up front with :class:`InputFileError`.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from ..errors import InputFileError
from ..audio.midi import MIDI_EXTENSIONS

_EXTENSIONS = tuple(e.encode() for e in MIDI_EXTENSIONS)
#: skip reasons that make the command exit 1 (the others are expected in a list file)
ERROR_REASONS = frozenset({"binary line", "unreadable folder"})
SHOWN_PLACES = 5


@dataclass
class Skipped:
    """What the inputs held that is not a MIDI path: counts by reason and the first few places."""

    counts: Counter = field(default_factory=Counter)
    places: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, place: str) -> None:
        self.counts[reason] += 1
        shown = self.places.setdefault(reason, [])
        if len(shown) < SHOWN_PLACES:
            shown.append(place)

    @property
    def errors(self) -> int:
        """How many skips are errors (``ERROR_REASONS``)."""
        return sum(n for reason, n in self.counts.items() if reason in ERROR_REASONS)

    def as_dict(self) -> dict:
        """``{reason: {"count": n, "first": [places]}}`` for a JSON summary."""
        return {reason: {"count": n, "first": self.places[reason]} for reason, n in self.counts.items()}


def _is_midi_file(path: str) -> bool:
    if path.lower().endswith(tuple(MIDI_EXTENSIONS)):
        return True
    with open(path, "rb") as handle:
        return handle.read(4) == b"MThd"


def looks_binary(head: bytes) -> bool:
    """True for data that is not text: a NUL byte, or over 10% control bytes (tab/CR/LF/FF aside)."""
    if b"\0" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > 0.1 * max(len(head), 1)


def _check_list(path: str) -> None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read list of paths ({exc.strerror})") from exc
    if looks_binary(head):
        raise InputFileError(f"{path}: not a MIDI file nor a text list of paths (binary data)")


def iter_midi_paths(inputs: Sequence[str], skipped: Skipped | None = None) -> Iterator[tuple[bytes, bytes | None]]:
    """``(path, root)`` for every MIDI path: ``root`` is the folder walked (None for listed paths);
    skips are recorded in ``skipped``. A missing input or a binary list file raises
    InputFileError now, before anything is yielded."""
    for item in inputs:
        if not os.path.exists(item):
            raise InputFileError(f"{item}: no such file or folder")
        if not os.path.isdir(item) and not _is_midi_file(item):
            _check_list(item)
    return _walk(inputs, skipped if skipped is not None else Skipped())


def _walk(inputs: Sequence[str], skipped: Skipped) -> Iterator[tuple[bytes, bytes | None]]:
    for item in inputs:
        if os.path.isdir(item):
            root = os.fsencode(item)
            walk = os.walk(root, onerror=lambda e: skipped.add(
                "unreadable folder", f"{os.fsdecode(e.filename)}: {e.strerror}"))
            for folder, dirs, files in walk:
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(_EXTENSIONS):
                        yield os.path.join(folder, name), root
        elif _is_midi_file(item):
            yield os.fsencode(item), None
        else:
            yield from _listed_paths(item, skipped)


def _listed_paths(path: str, skipped: Skipped) -> Iterator[tuple[bytes, None]]:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip(b"\r\n").strip()
            if not line:
                skipped.add("blank line", f"{path}:{number}")
            elif line.startswith(b"#"):
                skipped.add("comment line", f"{path}:{number}")
            elif looks_binary(line):
                skipped.add("binary line", f"{path}:{number}")
            else:
                yield line, None
