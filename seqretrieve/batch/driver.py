"""The batch driver: plan the queries not answered yet, send chunks to workers, write answers.

Only this process writes the results database; workers (see :mod:`seqretrieve.batch.work`)
return answers. Each answer is committed on arrival, one transaction per query, so a driver
killed at any moment (SIGKILL) loses at most the chunks in flight, and the next run asks only
for the queries the database lacks. A chunk whose task fails (its worker died more often than
the executor retries) is split and its files retried one per task; a file whose own task
still fails becomes a ``failures`` row, so one file that crashes workers cannot stop a batch.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable, Sequence

from ..errors import SeqretrieveError
from .executors import Pool
from .results import Answer, Results, path_text
from .work import MatchSettings, answer_chunk, release_sessions, session_for

#: ``progress(done, total, answer)``: queries handled this run out of those to do
ProgressCallback = Callable[[int, int, Answer], None]

#: the most queries in one task (a chunk costs about this many seconds at 1M entries)
MAX_CHUNK = 100


@dataclass
class MatchSummary:
    """One run: ``answered``/``failed`` this run, ``skipped`` (answered before), totals in the
    database (``total_answered``, ``total_matched`` at confidence >= 0.5, ``total_failed``)."""

    answered: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    total_answered: int = 0
    total_matched: int = 0
    total_failed: int = 0

    @property
    def queries_per_second(self) -> float:
        return (self.answered + self.failed) / self.seconds if self.seconds > 0 else 0.0


def find_queries(sources: Sequence[str | os.PathLike]) -> list[str]:
    """Absolute paths of the MIDI files in ``sources`` (files, folders walked recursively, text
    files listing paths), in order, without repeats."""
    from ..metadata.inputs import iter_midi_paths

    paths = (os.path.abspath(os.fsdecode(path)) for path, _ in iter_midi_paths([os.fspath(s) for s in sources]))
    return list(dict.fromkeys(paths))


def run_config(session) -> tuple[dict, list[dict]]:
    """The runs table's ``config`` (what decides the answers) and ``indexes`` of a session."""
    settings = session.settings
    stages = [{"matcher": stage.matcher, "keep": stage.keep, "options": dict(stage.options), "carry": stage.carry}
              for stage in session.searcher.pipeline.stages]
    meta = session.shards.meta
    config = {"pipeline": session.searcher.pipeline.name, "stages": stages, "top": settings.top,
              "synthesizer": settings.synthesizer, "metadata_first": settings.metadata_first,
              "extractor": meta.get("extractor"), "models": meta.get("representations", {})}
    indexes = [{"path": shard.path, "entries": len(shard)} for shard in session.shards.shards]
    return config, indexes


def chunk_size_for(todo: int, pool: Pool) -> int:
    """Queries per task: 1 in this process, else enough for ~4 tasks per slot, at most MAX_CHUNK."""
    if pool.inline:
        return 1
    return max(1, min(MAX_CHUNK, math.ceil(todo / (4 * pool.slots))))


def run_match(sources: Sequence[str | os.PathLike], out: str | os.PathLike, settings: MatchSettings,
              pool: Pool, chunk_size: int | None = None, progress: ProgressCallback | None = None) -> MatchSummary:
    """Answer every MIDI file in ``sources`` not yet in the results database ``out``."""
    started = time.perf_counter()
    queries = find_queries(sources)
    session = session_for(settings)  # checks the index and pipeline here, before any worker starts
    try:
        config, indexes = run_config(session)
        with Results(out) as results:
            done = results.answered()
            todo = [path for path in queries if path_text(path) not in done]
            summary = MatchSummary(skipped=len(queries) - len(todo))
            results.start_run(session.searcher.pipeline.name, config, indexes, pool.label)
            size = chunk_size or chunk_size_for(len(todo), pool)
            chunks = deque(([todo[i:i + size], False] for i in range(0, len(todo), size)))

            def store(answer: Answer) -> None:
                results.write(answer)
                if answer.error is None:
                    summary.answered += 1
                else:
                    summary.failed += 1
                if progress is not None:
                    progress(summary.answered + summary.failed, len(todo), answer)

            _dispatch(chunks, settings, pool, store)
            results.finish_run()
            counts = results.counts()
    finally:
        release_sessions()
    summary.seconds = time.perf_counter() - started
    summary.total_answered, summary.total_matched, summary.total_failed = (
        counts["answered"], counts["matched"], counts["failed"])
    return summary


def _dispatch(chunks: deque, settings: MatchSettings, pool: Pool, store: Callable[[Answer], None]) -> None:
    """Keep ``2 * slots`` chunks in flight and store answers as chunks complete.

    ``chunks``: [paths, isolated] items; a failed chunk comes back as one-file isolated chunks.
    """
    in_flight: dict[Future, list] = {}
    while chunks or in_flight:
        while chunks and len(in_flight) < 2 * pool.slots:
            chunk = chunks.popleft()
            in_flight[pool.executor.submit(answer_chunk, chunk[0], settings)] = chunk
        finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        for future in finished:
            paths, isolated = in_flight.pop(future)
            try:
                answers = future.result()
            except BrokenProcessPool as exc:
                raise SeqretrieveError("a worker process died (out of memory?); every answered query is "
                                       "kept: run the same command again to finish") from exc
            except SeqretrieveError:
                raise  # the index or pipeline cannot be opened on the worker: nothing can be answered
            except Exception as exc:
                if not isolated:
                    chunks.extend([[path], True] for path in paths)
                    continue
                answers = [Answer(paths[0], error=f"{paths[0]}: the worker failed on this file "
                                                   f"({type(exc).__name__}: {exc})")]
            for answer in answers:
                store(answer)
