"""Build or extend an index from audio files: parallel extraction, one writer, batched commits.

For each file, in sorted order, the parent process hashes it and skips it when that content is
indexed (before any decoding), refuses an id already taken by other content, and sends the rest
in chunks to workers (spawned processes, or any ``concurrent.futures.Executor``) that decode and
extract. Only the parent writes: results are committed in submission order, every
``batch_size`` entries or ``commit_seconds``. Every commit is whole, so a build killed at any
moment leaves a valid index, and running it again finishes the job without duplicates. Files
that failed are recorded in ``failures`` and retried on the next run; a failure record disappears
once its file is indexed. One build per index at a time (:mod:`.lock`). Ctrl-C or SIGTERM
commits what was extracted, stops the workers and raises :class:`~seqretrieve.errors.Interrupted`
saying so; workers also exit by themselves when the parent dies (SIGKILL).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..audio.decode import DEFAULT_MAX_DURATION
from ..errors import IndexStoreError, InputFileError, Interrupted, SeqretrieveError
from ..types import TrackMetadata
from .lock import writer_lock
from .sources import find_audio_files, match_catalog, stem
from .store import Entry, Index
from .pool import sigint_deferred, worker_pool
from .worker import Extracted, extract_files

#: ``progress(done, total)``: files handled so far (added, skipped or failed) out of all found.
ProgressCallback = Callable[[int, int], None]


@dataclass
class BuildSummary:
    """What one build did; ``failures`` lists (path, message) of the files that failed this run,
    ``representations`` the entries encoded per learned representation; ``seconds`` covers
    feature extraction only."""

    added: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    representations: dict[str, int] = field(default_factory=dict)

    @property
    def clips_per_second(self) -> float:
        """Files decoded per second (added + failed), over the whole run."""
        return (self.added + self.failed) / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Job:
    path: str
    entry_id: str
    record: TrackMetadata | None
    content_hash: str


class _InlineExecutor(Executor):
    """Runs each task at once in this process (``workers=1``: no spawn cost)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to whoever reads the future, as a pool would
            future.set_exception(exc)
        return future


def extractor_record(extractor: Any) -> dict[str, Any]:
    """The ``meta["extractor"]`` record of an extractor object: name, params, frame_rate."""
    params = json.loads(json.dumps(extractor.params()))
    return {"name": extractor.name, "params": params, "frame_rate": float(extractor.frame_rate)}


def _claim_extractor(index: Index, extractor: Any) -> str:
    """Record the extractor in a new index, or check it is the one the index was built with."""
    wanted = extractor_record(extractor)
    stored = index.extractor
    if stored is None:
        index.set_meta("extractor", wanted)
    elif stored != wanted:
        raise IndexStoreError(
            f"the index at {index.path} holds {stored['name']} features with {stored['params']}; "
            f"this build makes {wanted['name']} with {wanted['params']}: use another --index"
        )
    return f"features:{extractor.name}"


def _chunks(jobs: Iterable[_Job], size: int) -> Iterator[list[_Job]]:
    chunk: list[_Job] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Builder:
    """One build's state: planning, pending commits and counts."""

    def __init__(self, index: Index, features_db: str, total: int, batch_size: int,
                 commit_seconds: float, progress: ProgressCallback | None):
        self.index = index
        self.features_db = features_db
        self.total = total
        self.batch_size = batch_size
        self.commit_seconds = commit_seconds
        self.progress = progress
        self.summary = BuildSummary()
        self.committed = 0  # entries written so far this run
        self.entries: list[Entry] = []
        self.failures: dict[str, str | None] = {}  # None: forget an old failure of an indexed file
        self.last_commit = time.monotonic()

    def report(self) -> None:
        if self.progress is not None:
            s = self.summary
            self.progress(s.added + s.skipped + s.failed, self.total)

    def _fail(self, path: str, message: str) -> None:
        self.failures[path] = message
        self.summary.failed += 1
        self.summary.failures.append((path, message))

    def jobs(self, files: list[str], catalog: dict[str, tuple[str, TrackMetadata]]) -> Iterator[_Job]:
        """The files that need extracting; skips known content and refuses taken ids on the way."""
        from ..audio.decode import content_hash

        hashes: set[str] = set()
        ids: dict[str, str] = {}
        failed_before = set(self.index.failures())
        for path in files:
            try:
                digest = content_hash(path)
            except SeqretrieveError as exc:
                self._fail(path, str(exc))
                self.report()
                continue
            entry_id, record = catalog.get(path, (stem(path), None))
            if digest in hashes or self.index.hash_owner(digest) is not None:
                self.summary.skipped += 1
                if path in failed_before:  # e.g. a racing build's "already in the index" record
                    self.failures.setdefault(path, None)
            elif entry_id in ids or entry_id in self.index:
                other = ids.get(entry_id) or self.index.metadata(entry_id).get("source")
                self._fail(path, f"{path}: entry id {entry_id!r} is already taken by {other} "
                                 f"(different content); rename the file or give it an id in the catalogue")
            else:
                hashes.add(digest)
                ids[entry_id] = path
                yield _Job(path, entry_id, record, digest)
                continue
            self.report()

    def take(self, chunk: list[_Job], results: list[Extracted]) -> None:
        """Queue one chunk's results for the next commit."""
        for job, result in zip(chunk, results):
            if result.error is not None:
                self._fail(job.path, result.error)
            else:
                record = job.record or TrackMetadata(job.entry_id)
                n_frames = len(result.frames)
                metadata = {
                    "artist": record.artist, "title": record.title, "source": job.path,
                    "duration": n_frames / result.frame_rate, "n_frames": n_frames, "extra": dict(record.extra),
                }
                self.entries.append(Entry(job.entry_id, metadata, {self.features_db: result.frames}, job.content_hash))
                self.summary.added += 1
            self.report()
        if len(self.entries) >= self.batch_size or time.monotonic() - self.last_commit >= self.commit_seconds:
            self.commit()

    def commit(self) -> None:
        """Write the queued entries and failures in one transaction (an interrupted write keeps
        nothing of them: a re-run redoes those files)."""
        entries, failures = self.entries, self.failures
        self.entries, self.failures = [], {}
        if entries or failures:
            for entry, error in self.index.put_entries(entries, failures):
                self.summary.added -= 1
                self.index.record_failure(entry.metadata["source"], str(error))
                self._fail(entry.metadata["source"], str(error))
        self.committed += len(entries)
        self.last_commit = time.monotonic()


def build_index(
    sources: list[str | os.PathLike],
    index_path: str | os.PathLike,
    metadata_file: str | os.PathLike | None = None,
    workers: int = 1,
    extractor: Any = "cqt",
    progress: ProgressCallback | None = None,
    batch_size: int = 64,
    commit_seconds: float = 2.0,
    executor: Executor | None = None,
    chunk_size: int = 1,
    max_duration: float = DEFAULT_MAX_DURATION,
    shard: tuple[int, int] | None = None,
    registry: Any = None,
    representations: bool = True,
    encode_progress: Callable[[str, int, int], None] | None = None,
) -> BuildSummary:
    """Add the audio files in ``sources`` to the index at ``index_path`` (created if missing).

    Incremental: files already indexed with the same content are skipped, failed ones retried.
    Bad files (and recordings over ``max_duration`` seconds) are recorded in the index's failures
    and skipped; every commit survives a kill, and Ctrl-C or SIGTERM stops it cleanly.

    Parameters
    ----------
    sources : list of str or os.PathLike
        Audio files or folders (searched recursively).
    index_path : str or os.PathLike
        The index folder.
    metadata_file : str or os.PathLike or None
        A catalogue (MSD ``unique_tracks.txt`` or CSV) giving entry ids, artists and titles.
    workers : int
        > 1 starts a spawn process pool unless ``executor`` is given (then it only sizes the
        chunks in flight, ``4 * workers``).
    extractor : str or FeatureExtractor
        A feature extractor name in ``registry`` (None: the process-wide one) or an extractor
        object; the object goes to the workers, so it must be picklable.
    progress : callable or None
        ``progress(done, total)`` after each file.
    batch_size, commit_seconds : int, float
        A commit every ``batch_size`` entries or ``commit_seconds``, whichever comes first.
    executor : concurrent.futures.Executor or None
        Runs the extraction instead of an own pool (e.g. a Dask client's).
    chunk_size : int
        Files per task (raise it for executors with a high per-task cost).
    max_duration : float
        Longest recording accepted, in seconds.
    shard : tuple of (int, int) or None
        (i, n): only the files whose entry id is in shard i of n
        (:func:`~seqretrieve.index.shards.shard_of`).
    registry : Registry or None
        Where names are looked up; None: :func:`~seqretrieve.registry.get_registry`.
    representations : bool
        Then encode every entry lacking a learned representation made for this extractor
        (what the default ``cascade`` pipeline needs).
    encode_progress : callable or None
        ``encode_progress(name, done, total)`` while encoding.

    Returns
    -------
    BuildSummary
        Added, skipped, failed counts, the failures (path, message), seconds of extraction and
        entries encoded per representation.

    Raises
    ------
    InputFileError
        ``sources`` hold no audio file at all.
    IndexBusyError
        Another build or update of the same index is running.
    IndexWriteError
        A write failed (disk full); every earlier commit is kept.
    IndexStoreError
        The index holds features of another extractor, or cannot be opened.
    UnknownComponentError
        ``extractor`` names no registered extractor.

    Examples
    --------
    >>> import tempfile, numpy as np, soundfile
    >>> folder = tempfile.mkdtemp()
    >>> soundfile.write(f"{folder}/tone.wav", 0.3 * np.sin(np.arange(22050) / 10), 22050)
    >>> summary = build_index([folder], f"{folder}/index", representations=False)
    >>> summary.added, summary.failed
    (1, 0)
    """
    started = time.perf_counter()
    files = find_audio_files(sources)
    if not files:
        from ..audio.decode import AUDIO_EXTENSIONS

        raise InputFileError(f"no audio files in {', '.join(map(str, sources))} "
                             f"(looked for {' '.join(sorted(AUDIO_EXTENSIONS))})")
    catalog = match_catalog(metadata_file, files) if metadata_file is not None else {}
    if shard is not None:
        from .shards import shard_of

        files = [path for path in files if shard_of(catalog.get(path, (stem(path),))[0], shard[1]) == shard[0]]
    if isinstance(extractor, str):
        from ..registry import get_registry

        extractor = (registry or get_registry()).create("feature_extractor", extractor)
    with Index.create(index_path) as index, writer_lock(index.path, "seqretrieve index build"):
        builder = _Builder(index, _claim_extractor(index, extractor), len(files),
                           batch_size, commit_seconds, progress)
        own = None
        try:  # the pool's start (spawning workers takes seconds) is inside: a signal then is handled too
            if executor is None:
                own = worker_pool(workers) if workers > 1 else _InlineExecutor()
                executor = own
            builder.report()
            in_flight: deque[tuple[Future, list[_Job]]] = deque()
            spawns = isinstance(executor, ProcessPoolExecutor)  # a submit may start a worker
            for chunk in _chunks(builder.jobs(files, catalog), chunk_size):
                with sigint_deferred(spawns):
                    future = executor.submit(extract_files, [j.path for j in chunk], extractor, max_duration)
                in_flight.append((future, chunk))
                if len(in_flight) >= 4 * max(workers, 1):
                    builder.take(in_flight[0][1], _result(in_flight.popleft()[0]))
            while in_flight:
                builder.take(in_flight[0][1], _result(in_flight.popleft()[0]))
            builder.commit()
            if own is not None:  # inside too: a signal while the workers stop is handled like any other
                own.shutdown(wait=True)
                own = None
        except (KeyboardInterrupt, Interrupted) as exc:
            _stop(own)
            own = None
            builder.commit()  # what the workers had finished
            raise Interrupted(
                f"interrupted: {builder.committed} new entries committed to the index at {index.path} "
                f"({len(index)} in all); run the same command again to resume",
                getattr(exc, "signum", signal.SIGINT),
            ) from exc
        finally:
            if own is not None:
                own.shutdown(wait=True, cancel_futures=True)
        builder.summary.seconds = time.perf_counter() - started
        if representations:
            from .representations import add_all_representations

            builder.summary.representations = add_all_representations(index, registry, encode_progress)
    return builder.summary


def _stop(executor: Executor | None) -> None:
    """Cancel the queued tasks and end the workers now, without waiting for the running ones."""
    if executor is None:
        return
    processes = list((getattr(executor, "_processes", None) or {}).values())  # ProcessPoolExecutor's
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
    executor.shutdown(wait=True, cancel_futures=True)


def _result(future: Future) -> list[Extracted]:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise SeqretrieveError(
            "a feature-extraction worker process died (out of memory?); everything committed so far "
            "is kept: run the build again to finish"
        ) from exc
