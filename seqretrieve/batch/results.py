"""The results database of ``seqretrieve match``: one SQLite file, one writer (the driver).

Schema (documented for users in docs/matching.md):

``runs``
    one row per invocation: ``run_id``, ``started``/``finished`` (ISO 8601 UTC; ``finished`` NULL
    while running or after a kill), ``pipeline``, ``config`` (JSON: the pipeline's stages with
    their keep counts and options, top, synthesizer, metadata_first, the index's extractor and
    learned models with checksums), ``indexes`` (JSON: shard paths and entries), ``workers``
    (how it ran), ``version`` (seqretrieve's).
``queries``
    one row per answered MIDI file: ``query_id``, ``path`` (UNIQUE), ``md5`` of the file,
    ``run_id``, ``seconds`` (worker time), ``best_id``/``best_confidence``/``matched``
    (confidence >= 0.5), ``metadata_candidates`` (ids joined by ``--metadata-first``), ``stages``
    (JSON: per stage matcher, candidates, kept, seconds, the top hit's rank), ``answered``.
``hits``
    the top K of each query: ``query_id``, ``rank`` (1 = best), ``entry_id``, ``score``,
    ``confidence``, ``artist``, ``title``, ``stage_ranks`` (JSON list: its rank at each stage,
    null where pruned before), ``aligned_path`` (the aligned MIDI written by ``--aligned``).
``failures``
    one row per MIDI file that could not be answered: ``path`` (UNIQUE), ``run_id``, ``error``,
    ``failed``. A later run retries it; an answer then replaces the failure.

A query (its ``queries`` row and its hits) or a failure is one transaction, so a run killed at
any moment keeps every answered query whole, and the next run skips them.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

from .. import __version__
from ..dtw.align import MATCH_THRESHOLD
from ..errors import SeqretrieveError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    pipeline TEXT NOT NULL,
    config TEXT NOT NULL,
    indexes TEXT NOT NULL,
    workers TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queries (
    query_id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    md5 TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    seconds REAL NOT NULL,
    best_id TEXT,
    best_confidence REAL,
    matched INTEGER NOT NULL,
    metadata_candidates INTEGER,
    stages TEXT NOT NULL,
    answered TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hits (
    query_id INTEGER NOT NULL REFERENCES queries(query_id),
    rank INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    score REAL NOT NULL,
    confidence REAL,
    artist TEXT,
    title TEXT,
    stage_ranks TEXT NOT NULL,
    aligned_path TEXT,
    PRIMARY KEY (query_id, rank)
);
CREATE INDEX IF NOT EXISTS hits_entry ON hits(entry_id);
CREATE TABLE IF NOT EXISTS failures (
    path TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    error TEXT NOT NULL,
    failed TEXT NOT NULL
);
"""


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def path_text(path: str | bytes) -> str:
    """A file path as database text: bytes that are not UTF-8 become ``\\xNN`` (SQLite text
    must be valid UTF-8); the same path always gives the same text."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass
class Answer:
    """One MIDI file's outcome from a worker: its hits (dicts with id, score, confidence,
    artist, title, stage_ranks, aligned_path) and stage report, or an ``error`` line."""

    path: str
    error: str | None = None
    md5: str = ""
    seconds: float = 0.0
    hits: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    metadata_candidates: int | None = None


class Results:
    """An open results database (created if missing). Use as a context manager."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise SeqretrieveError(f"{self.path}: not a usable results database ({exc})") from exc
        self.run_id: int | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Results":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start_run(self, pipeline: str, config: dict, indexes: list[dict], workers: str) -> int:
        """Record a new run; refuses (SeqretrieveError) a database made with another config."""
        text = json.dumps(config, sort_keys=True)
        first = self.db.execute("SELECT pipeline, config FROM runs ORDER BY run_id LIMIT 1").fetchone()
        if first is not None and first[1] != text:
            raise SeqretrieveError(
                f"{self.path} holds results of other settings (pipeline {first[0]}, {first[1]}); "
                f"use another --out to match with these")
        cursor = self.db.execute(
            "INSERT INTO runs (started, pipeline, config, indexes, workers, version) VALUES (?, ?, ?, ?, ?, ?)",
            (utcnow(), pipeline, text, json.dumps(indexes), workers, __version__))
        self.run_id = cursor.lastrowid
        return self.run_id

    def finish_run(self) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (utcnow(), self.run_id))

    def answered(self) -> set[str]:
        """Paths (database text) of every query already answered."""
        return {row[0] for row in self.db.execute("SELECT path FROM queries")}

    def write(self, answer: Answer) -> None:
        """Store one answer (or failure) in one transaction."""
        key = path_text(answer.path)
        with self._transaction():
            if answer.error is not None:
                self.db.execute("INSERT OR REPLACE INTO failures (path, run_id, error, failed) VALUES (?, ?, ?, ?)",
                                (key, self.run_id, answer.error, utcnow()))
                return
            best = answer.hits[0] if answer.hits else {}
            confidence = best.get("confidence")
            cursor = self.db.execute(
                "INSERT INTO queries (path, md5, run_id, seconds, best_id, best_confidence, matched, "
                "metadata_candidates, stages, answered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, answer.md5, self.run_id, answer.seconds, best.get("id"), confidence,
                 int(confidence is not None and confidence >= MATCH_THRESHOLD), answer.metadata_candidates,
                 json.dumps(answer.stages), utcnow()))
            self.db.executemany(
                "INSERT INTO hits (query_id, rank, entry_id, score, confidence, artist, title, stage_ranks, "
                "aligned_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(cursor.lastrowid, rank, hit["id"], hit["score"], hit["confidence"], hit["artist"], hit["title"],
                  json.dumps(hit["stage_ranks"]), hit.get("aligned_path"))
                 for rank, hit in enumerate(answer.hits, start=1)])
            self.db.execute("DELETE FROM failures WHERE path = ?", (key,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an exception (the connection autocommits)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def counts(self) -> dict[str, int]:
        """Totals over the whole database: answered, matched (confidence >= 0.5), failed."""
        answered, matched = self.db.execute("SELECT COUNT(*), COALESCE(SUM(matched), 0) FROM queries").fetchone()
        failed = self.db.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
        return {"answered": answered, "matched": matched, "failed": failed}

    def rows(self) -> Iterator[dict[str, Any]]:
        """One flat record per hit (query path, rank, entry, scores, ...), query order then rank."""
        cursor = self.db.execute(
            "SELECT q.path, q.md5, h.rank, h.entry_id, h.score, h.confidence, h.artist, h.title, "
            "h.stage_ranks, h.aligned_path FROM queries q JOIN hits h USING (query_id) ORDER BY q.query_id, h.rank")
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

