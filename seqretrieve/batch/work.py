"""The part of ``match`` that runs on workers (local processes or Dask workers): answer a chunk
of MIDI files against the index shards, never write the results database.

Each worker process opens the shards once, read-only, and answers one query at a time (the
threads of a multi-threaded Dask worker take turns); the learned representations' matrices are memory-mapped, so the OS shares them
between the processes of one machine.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from ..errors import SeqretrieveError
from .results import Answer


@dataclass(frozen=True)
class MatchSettings:
    """Everything a worker needs to answer queries (picklable, hashable).

    ``keep``: (stage, count or fraction) pairs; ``aligned_dir``: write aligned MIDI files of hits
    with confidence >= ``aligned_confidence`` there (None: do not).
    """

    index_paths: tuple[str, ...]
    pipeline: str
    keep: tuple[tuple[str, int | float], ...] = ()
    synthesizer: str = "tinysoundfont"
    top: int = 5
    metadata_first: bool = False
    aligned_dir: str | None = None
    aligned_confidence: float = 0.5


class _Session:
    """One worker's open shards, searcher and (with ``metadata_first``) name matcher."""

    def __init__(self, settings: MatchSettings):
        from ..index.shards import Shards
        from ..pipelines.search import Searcher

        self.settings = settings
        self.shards = Shards.open(settings.index_paths)
        self.searcher = Searcher(self.shards, pipeline=settings.pipeline, synthesizer=settings.synthesizer,
                                 keep=dict(settings.keep))
        self.names = None
        if settings.metadata_first:
            from .metadata_first import NameCandidates

            self.names = NameCandidates(self.shards)

    def answer(self, path: str) -> Answer:
        started = time.perf_counter()
        md5 = _md5(path)
        query = self.searcher.prepare(path)
        joined = self.names.ids_for(path) if self.names is not None else None
        result = self.searcher.rank(query, self.settings.top, joined or ())
        hits = []
        for hit in result.hits:
            metadata = self.shards.metadata(hit.id)
            record = {"id": hit.id, "score": hit.score, "confidence": hit.confidence,
                      "artist": metadata.get("artist", ""), "title": metadata.get("title", ""),
                      "stage_ranks": result.rank_at_stages(hit.id), "aligned_path": None}
            if self.settings.aligned_dir and (hit.confidence or 0.0) >= self.settings.aligned_confidence:
                from .aligned import write_aligned

                record["aligned_path"] = write_aligned(query, self.shards, hit.id, md5, self.settings.aligned_dir)
            hits.append(record)
        return Answer(path, md5=md5, seconds=time.perf_counter() - started, hits=hits,
                      stages=result.explain(), metadata_candidates=None if joined is None else len(joined))


_SESSIONS: dict[MatchSettings, _Session] = {}
_LOCK = threading.Lock()


def session_for(settings: MatchSettings) -> _Session:
    """This process's session for ``settings``, opened on first use (closing sessions of other
    settings: LMDB allows one open environment per index and process)."""
    if settings not in _SESSIONS:
        release_sessions()
        _SESSIONS[settings] = _Session(settings)
    return _SESSIONS[settings]


def _md5(path: str) -> str:
    from ..errors import InputFileError

    try:
        with open(path, "rb") as handle:
            return hashlib.md5(handle.read()).hexdigest()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror})") from exc


def answer_chunk(paths: list[str], settings: MatchSettings) -> list[Answer]:
    """An :class:`Answer` per path; a file that fails gives an error line, not an exception
    (opening the index failing does raise: nothing could be answered)."""
    with _LOCK:  # one query at a time per process: the learned models are not thread-safe
        session = session_for(settings)
        return [_answer_or_error(session, path) for path in paths]


def _answer_or_error(session: _Session, path: str) -> Answer:
    try:
        return session.answer(path)
    except SeqretrieveError as exc:
        return Answer(path, error=str(exc))
    except Exception as exc:  # one odd file (a synthesizer or decoder crash) must not stop a batch
        return Answer(path, error=f"{path}: unexpected {type(exc).__name__}: {exc}")


def release_sessions() -> None:
    """Close every open session of this process (the driver's, at the end of a run)."""
    for session in _SESSIONS.values():
        session.shards.close()
    _SESSIONS.clear()
