"""Consistency checks of an open index, all inside one read transaction.

Checked: the schema record; every entry has a parseable record, its row and its content hash
pointing back to it, and its features (valid header, ``n_frames`` rows); rows are dense
0..n-1; every hash and every array belongs to an existing entry; each recorded
representation covers every entry.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Mapping

import lmdb

from ..errors import CorruptValueError
from ..names import unkey
from .codec import decode_array

#: at most this many lines per kind of problem; the rest are counted.
MAX_PER_KIND = 20


class _Problems:
    """Collects problem lines, at most ``MAX_PER_KIND`` per kind, and counts the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.hidden: Counter[str] = Counter()
        self._shown: Counter[str] = Counter()

    def add(self, kind: str, line: str) -> None:
        if self._shown[kind] < MAX_PER_KIND:
            self._shown[kind] += 1
            self.lines.append(line)
        else:
            self.hidden[kind] += 1

    def result(self) -> list[str]:
        return self.lines + [f"... and {n} more problems of kind {kind!r}" for kind, n in self.hidden.items()]


def _text(value: Any) -> str:
    return unkey(value)


def _check_array(problems: _Problems, db_name: str, entry_id: str, value: Any, n_frames: Any) -> None:
    try:
        array = decode_array(value)
    except CorruptValueError as exc:
        problems.add("bad array", f"{db_name} array of {entry_id!r}: {exc}")
        return
    if db_name.startswith("features:") and (array.ndim != 2 or array.shape[0] != n_frames):
        problems.add("shape", f"{db_name} array of {entry_id!r} has shape {array.shape}, "
                              f"its entry says {n_frames} frames")


def find_problems(dbs: Mapping[str, Any], array_dbs: Mapping[str, Any], meta: Mapping[str, Any],
                  txn: lmdb.Transaction) -> list[str]:
    """One line per problem seen by ``txn``; empty when sound.

    ``dbs``: fixed sub-database name -> handle; ``array_dbs``: array database name -> handle;
    ``meta``: the decoded ``meta`` records read in ``txn``.
    """
    from .store import _ROW, SCHEMA_VERSION

    problems = _Problems()
    if meta.get("schema_version") != SCHEMA_VERSION:
        problems.add("schema", f"schema version {meta.get('schema_version')!r}, expected {SCHEMA_VERSION}")
    features = f"features:{meta['extractor']['name']}" if meta.get("extractor") else None
    recorded = {f"repr:{name}" for name in meta.get("representations", {})}
    complete = ({features} if features else set()) | recorded
    for name in recorded - set(array_dbs):
        problems.add("missing db", f"representation {name} is recorded in meta but has no arrays")
    for name in set(array_dbs) - complete:
        if name.startswith("repr:"):
            problems.add("repr meta", f"{name} has arrays but no representation record in meta "
                                      f"(encoding was stopped: `seqretrieve index update` finishes it)")

    n_entries = txn.stat(dbs["entries"])["entries"]
    if n_entries and features is None:
        problems.add("schema", "the index has entries but no extractor record in meta")
    for key, value in txn.cursor(db=dbs["entries"]):
        entry_id = _text(key)
        try:
            record = json.loads(_text(value))
            row, content_hash = record["row"], record["content_hash"]
        except (ValueError, KeyError, TypeError) as exc:
            problems.add("entry", f"entry {entry_id!r} has an unreadable record ({exc})")
            continue
        if not isinstance(row, int) or txn.get(_ROW.pack(row) if row >= 0 else b"", db=dbs["rows"]) != bytes(key):
            problems.add("row", f"entry {entry_id!r}: row {row!r} does not point back to it")
        if txn.get(str(content_hash).encode(), db=dbs["hashes"]) != bytes(key):
            problems.add("hash", f"entry {entry_id!r}: its content hash does not point back to it")
        for name in sorted(complete & set(array_dbs)):
            array = txn.get(key, db=array_dbs[name])
            if array is None:
                hint = " (`seqretrieve index update` encodes it)" if name.startswith("repr:") else ""
                problems.add(f"missing {name}", f"entry {entry_id!r} has no {name} array{hint}")
            else:
                _check_array(problems, name, entry_id, array, record.get("n_frames"))
        if features is not None and features not in array_dbs:
            problems.add(f"missing {features}", f"entry {entry_id!r} has no {features} array")

    rows = [_ROW.unpack(bytes(k))[0] if len(k) == _ROW.size else -1
            for k in txn.cursor(db=dbs["rows"]).iternext(values=False)]
    if rows != list(range(n_entries)):
        problems.add("rows", f"rows are not dense: {len(rows)} rows for {n_entries} entries")
    for key, value in txn.cursor(db=dbs["hashes"]):
        if txn.get(bytes(value), db=dbs["entries"]) is None:
            problems.add("hash", f"content hash {_text(key)} points to a missing entry {_text(value)!r}")
    for name, db in array_dbs.items():
        if name in complete:
            continue  # already decoded entry by entry above
        for key, value in txn.cursor(db=db):
            if txn.get(bytes(key), db=dbs["entries"]) is not None:
                _check_array(problems, name, _text(key), value, None)
    for name, db in array_dbs.items():
        for key in txn.cursor(db=db).iternext(values=False):
            if txn.get(bytes(key), db=dbs["entries"]) is None:
                problems.add("orphan", f"{name} holds an array for {_text(key)!r}, which has no entry")
    for key, value in txn.cursor(db=dbs["failures"]):
        try:
            json.loads(_text(value))["error"]
        except (ValueError, KeyError, TypeError):
            problems.add("failure", f"failure record of {_text(key)} is unreadable")
    return problems.result()
