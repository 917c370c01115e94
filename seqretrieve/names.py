"""File names and other user text carried losslessly: stored, written as JSON, printed.

A path or id is a Python ``str`` as ``os.fsdecode`` makes it: a byte of a file name that is not
valid UTF-8 becomes a lone surrogate U+DC80..U+DCFF ("surrogateescape", PEP 383), so
``os.fsencode`` gives the exact bytes back. The index stores such strings as their original
bytes (LMDB keys, :func:`key`) or with the JSON escape ``\\udcXX`` (JSON values, :func:`dumps`);
NDJSON output uses the same escape, so every line is valid UTF-8 and ``os.fsencode(json.loads(
line)["source"])`` is the file's name byte for byte. Human output (:func:`printable`) shows such
a byte as ``\\xe9`` and a control character (a newline in a name) as its escape, on one line.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\udc80-\udcff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\udc80-\udcff]")


def key(text: str) -> bytes:
    """The bytes of ``text`` (an id or path) as an LMDB key: UTF-8, escaped bytes restored."""
    return text.encode("utf-8", "surrogateescape")


def unkey(raw: Any) -> str:
    """The ``str`` of an LMDB key written by :func:`key` (bytes that are not UTF-8 escaped)."""
    return bytes(raw).decode("utf-8", "surrogateescape")


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)`` that stays valid UTF-8: escaped bytes of a file
    name are written as ``\\udcXX``, which ``json.loads`` turns back into the same string."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def printable(text: str) -> str:
    """``text`` for a terminal, on one line: a byte that is not UTF-8 as ``\\xNN``, a control
    character as ``\\n``, ``\\t``, ``\\x1b`` ... (rich markup is escaped by the caller)."""
    def escape(match: re.Match) -> str:
        char = match.group()
        code = ord(char)
        return f"\\x{code - 0xDC00:02x}" if code >= 0xDC80 else repr(char)[1:-1]

    return _UNPRINTABLE.sub(escape, text)
