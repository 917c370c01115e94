"""Clean a MIDI file's path (and embedded text) into artist/title with a confidence and reasons.

``Cleaner().clean("Idol, Billy/White Wedding.mid")`` -> ``CleanName(artist="Billy Idol",
title="White Wedding", confidence=1.0, ...)``. The folder holding the file is the artist
candidate, the file name (without its MIDI extension, any case) the title candidate; the rules
(``seqretrieve_text_normalizers`` plugins, run in ``order``) do the rest. Names with bytes that
are not UTF-8 are decoded as cp1252 for display and flagged ``recoded-name``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Sequence

from ..audio.midi import MIDI_EXTENSIONS
from .rules import Draft

#: confidence multiplier per flag; flags not listed cost nothing
FLAG_PENALTIES = {
    "no-title": 0.0, "no-artist": 0.35, "unsplit-name": 0.5, "title-from-midi": 0.6,
    "film": 0.8, "artist-from-name": 0.85, "recoded-name": 0.9, "version-suffix": 0.95,
    "track-number": 0.97, "remark": 0.97, "featuring": 0.97,
}


@dataclass(frozen=True)
class CleanName:
    """One cleaned MIDI name. ``path``: as given (undecodable bytes as ``\\xNN``); ``flags``:
    what is doubtful; ``rules``: the rules that changed something; ``work``: film/show/game;
    ``catalog_id``: the catalogue entry it was canonicalised to, if any."""

    path: str
    artist: str
    title: str
    confidence: float
    flags: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    work: str = ""
    catalog_id: str = ""

    def as_dict(self) -> dict:
        """The output record (flags and rules joined with ``;``)."""
        return {"path": self.path, "artist": self.artist, "title": self.title,
                "confidence": round(self.confidence, 3), "flags": ";".join(self.flags),
                "rules": ";".join(self.rules), "work": self.work, "catalog_id": self.catalog_id}


def display_path(path: str | bytes) -> tuple[str, bool]:
    """``(printable path, was_recoded)``: undecodable bytes are shown as ``\\xNN``."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace"), True


def _readable(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def split_path(path: str | bytes, root: str | bytes | None = None) -> tuple[str, str, bool]:
    """``(folder, stem, recoded)`` of a MIDI path: the parent folder's name (relative to
    ``root`` when given; "" at the root) and the file name without a MIDI extension."""
    raw = os.fsencode(path).replace(b"\\", b"/")
    if root is not None:
        prefix = os.fsencode(root).replace(b"\\", b"/").rstrip(b"/") + b"/"
        raw = raw[len(prefix):] if raw.startswith(prefix) else raw
    parts = [p for p in raw.split(b"/") if p]
    name = _readable(parts[-1]) if parts else ""
    folder = _readable(parts[-2]) if len(parts) > 1 else ""
    recoded = any(_readable(p) != p.decode("utf-8", errors="replace") for p in parts[-2:])
    for ext in MIDI_EXTENSIONS:
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    return folder.strip(), name.strip(), recoded


def confidence(flags: Sequence[str]) -> float:
    """Product of the penalties of ``flags``."""
    value = 1.0
    for flag in flags:
        value *= FLAG_PENALTIES.get(flag, 1.0)
    return value


class Cleaner:
    """Applies cleaning rules in order. ``rules``: TextRule objects (default: every registered
    ``text_normalizer``); ``midi_text``: also read track names/text events of existing files."""

    def __init__(self, rules: Sequence | None = None, midi_text: bool = True):
        if rules is None:
            from ..registry import get_registry

            rules = [spec.create() for spec in get_registry().components("text_normalizer").values()]
        self.rules = sorted(rules, key=lambda r: (r.order, r.name))
        self.midi_text = midi_text

    def clean(self, path: str | bytes, root: str | bytes | None = None) -> CleanName:
        """The cleaned name of one MIDI path (the file need not exist)."""
        folder, stem, recoded = split_path(path, root)
        embedded: tuple[str, ...] = ()
        if self.midi_text and os.path.isfile(path):
            from .midi_text import embedded_text

            embedded = tuple(embedded_text(path))
        draft = Draft(artist=folder, title=stem, embedded=embedded,
                      flags=frozenset({"recoded-name"} if recoded else ()))
        fired = []
        for rule in self.rules:
            new = rule.apply(draft)
            if new != draft:
                fired.append(rule.name)
                draft = new
        flags = tuple(sorted(draft.flags))
        title = re.sub(r"\s+", " ", draft.title).strip()
        return CleanName(display_path(path)[0], draft.artist.strip(), title, confidence(flags),
                         flags, tuple(fired), draft.work)
