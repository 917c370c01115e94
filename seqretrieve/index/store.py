"""The index: one LMDB environment (a directory) with named sub-databases.

Sub-databases (keys are UTF-8 strings unless noted; JSON values are UTF-8 JSON objects). Ids and
paths from file names that are not valid UTF-8 keep their exact bytes: the original bytes as keys,
``\\udcXX`` escapes in JSON (see :mod:`seqretrieve.names`).

``meta``
    ``schema_version`` -> JSON int (:data:`SCHEMA_VERSION`; another one is refused);
    ``created_by`` -> JSON string, the seqretrieve version that created the index;
    ``extractor`` -> JSON ``{name, params, frame_rate}`` of the features stored under
    ``features:<name>``; ``representations`` -> JSON ``{<name>: {name, version, kind, checksum,
    ...}}``, one record per learned representation stored under ``repr:<name>``; other keys are
    free JSON.
``entries``
    entry id -> JSON ``{row, artist, title, source, content_hash, duration, n_frames, extra}``;
    ``row`` is the entry's dense integer row number (0, 1, 2, ... in insertion order).
``rows``
    row number (8-byte big-endian unsigned, so key order = row order) -> entry id.
``features:<extractor>``
    entry id -> feature frames (T, D) float32, encoded by :mod:`seqretrieve.index.codec`.
``repr:<name>``
    entry id -> codes (T',) uint32 or an embedding (E,) float32 of a learned representation.
``failures``
    absolute source path -> JSON ``{error, when}`` (``when``: ISO 8601 UTC) of the last failed try.
``hashes``
    content hash of a source file -> entry id (a file whose hash is here is skipped on rebuild).

Every logical change (an entry with its metadata, row, hash and arrays) is one write transaction,
so readers (any number, in any process) see an entry completely or not at all. The map grows by
doubling on ``lmdb.MapFullError``. One writer process at a time (LMDB serialises writers).
"""

from __future__ import annotations

import json
import os
import struct
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping

import lmdb
import numpy as np

from .. import __version__
from ..errors import DuplicateEntryError, IndexStoreError, IndexWriteError, ModelMismatchError
from ..names import dumps, key, unkey
from .codec import decode_array, encode_array
from .location import default_index_path  # noqa: F401  (re-exported: the CLI's default)

SCHEMA_VERSION = 1
DEFAULT_MAP_SIZE = 1 << 30
MAX_DBS = 64
ARRAY_DB_PREFIXES = ("features:", "repr:")
_FIXED_DBS = ("meta", "entries", "rows", "failures", "hashes")
_ROW = struct.Struct(">Q")




@dataclass(frozen=True)
class Entry:
    """One entry to store: ``arrays`` maps an array database name to its array."""

    id: str
    metadata: Mapping[str, Any]
    arrays: Mapping[str, np.ndarray]
    content_hash: str


def _json(value: Any) -> bytes:
    return dumps(value, sort_keys=True).encode()


def _unjson(value: bytes) -> Any:
    return json.loads(bytes(value).decode())


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check_array_db(name: str) -> None:
    if not name.startswith(ARRAY_DB_PREFIXES) or name in ARRAY_DB_PREFIXES:
        raise IndexStoreError(f"array database name {name!r} must be 'features:<name>' or 'repr:<name>'")


def _no_index(path: str) -> IndexStoreError:
    return IndexStoreError(f"no index at {path}; build one with `seqretrieve index build SOURCES... --index {path}`")


class Index:
    """An open index; use :meth:`create` (writable, made if missing) or :meth:`open`.

    Usable as a context manager; :meth:`close` releases the environment.
    """

    def __init__(self, path: str, env: lmdb.Environment, readonly: bool):
        self.path = path
        self.readonly = readonly
        self._env = env
        self._dbs: dict[str, Any] = {}
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, path: str | os.PathLike, map_size: int = DEFAULT_MAP_SIZE) -> "Index":
        """Open the index at ``path`` for writing, creating an empty one if there is none.

        Parameters
        ----------
        path : str or os.PathLike
            The index folder (an LMDB environment); it must be missing, empty or an index.
        map_size : int
            Initial LMDB map size in bytes; it doubles whenever a write needs more.

        Returns
        -------
        Index
            Open for reading and writing; use it as a context manager to close it.

        Raises
        ------
        IndexStoreError
            ``path`` is a file, a folder holding something else, unwritable, or an index of
            another schema version.

        Examples
        --------
        >>> import tempfile
        >>> with Index.create(tempfile.mkdtemp() + "/index") as index:
        ...     len(index), index.extractor
        (0, None)
        """
        path = os.path.abspath(os.fspath(path))
        if os.path.exists(path) and not os.path.isdir(path):
            raise IndexStoreError(f"cannot create an index at {path}: it is a file, not a directory")
        fresh = not os.path.exists(os.path.join(path, "data.mdb"))
        if fresh and os.path.isdir(path) and set(os.listdir(path)) - {"lock.mdb", "writer.lock"}:
            raise IndexStoreError(f"cannot create an index at {path}: the folder is not empty and holds no index")
        try:
            os.makedirs(path, exist_ok=True)
            env = lmdb.open(path, map_size=map_size, max_dbs=MAX_DBS, subdir=True, lock=True)
        except (OSError, lmdb.Error) as exc:
            raise IndexStoreError(f"cannot open the index at {path} for writing: {exc}") from exc
        index = cls(path, env, readonly=False)
        if env.info()["map_size"] < map_size:
            env.set_mapsize(map_size)
        if env.stat()["entries"] == 0:  # new, or a crash before the first commit
            index._write(index._initialise)
        index._open_fixed()
        return index

    def _initialise(self, txn: lmdb.Transaction) -> None:
        """Create the fixed sub-databases and the schema record in one transaction."""
        for name in _FIXED_DBS:
            self._dbs[name] = self._env.open_db(name.encode(), txn=txn, create=True)
        self._put_meta(txn, {"schema_version": SCHEMA_VERSION, "created_by": __version__})

    def _open_fixed(self) -> None:
        """Open the fixed sub-databases and check the schema version (closing on failure)."""
        if any(self._db(name) is None for name in _FIXED_DBS):
            self.close()
            raise IndexStoreError(f"{self.path} is not a seqretrieve index (its sub-databases are missing)")
        self._check_schema()

    @classmethod
    def open(cls, path: str | os.PathLike, readonly: bool = True) -> "Index":
        """Open an existing index.

        Readers keep LMDB's lock (safe next to a builder in another process) unless the folder is
        not writable, where they open without it.

        Parameters
        ----------
        path : str or os.PathLike
            The index folder.
        readonly : bool
            False opens it for writing (as :meth:`create`, but never creates one).

        Returns
        -------
        Index
            Use it as a context manager to close it.

        Raises
        ------
        IndexStoreError
            No index at ``path``, another schema version, or it cannot be opened.

        Examples
        --------
        >>> import tempfile
        >>> path = tempfile.mkdtemp() + "/index"
        >>> Index.create(path).close()
        >>> with Index.open(path) as index:
        ...     index.ids()
        []
        """
        path = os.path.abspath(os.fspath(path))
        if not os.path.isfile(os.path.join(path, "data.mdb")):
            raise _no_index(path)
        if not readonly:
            return cls.create(path)
        lock = os.access(path, os.W_OK)
        try:
            env = lmdb.open(path, readonly=True, lock=lock, max_dbs=MAX_DBS, subdir=True, map_size=0)
        except lmdb.Error as exc:
            raise IndexStoreError(f"cannot open the index at {path}: {exc}") from exc
        index = cls(path, env, readonly=True)
        index._open_fixed()
        return index

    def _check_schema(self) -> None:
        version = self.meta.get("schema_version")
        if version != SCHEMA_VERSION:
            self.close()
            raise IndexStoreError(
                f"the index at {self.path} has schema version {version}, this seqretrieve "
                f"({__version__}) reads version {SCHEMA_VERSION}: build a new index from the same recordings "
                f"in another folder (`seqretrieve index build SOURCES... --index NEW_FOLDER`), or delete this "
                f"one first"
            )

    def close(self) -> None:
        """Release the environment (idempotent)."""
        self._env.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transactions
    def _db(self, name: str, create: bool = False) -> Any:
        """The handle of sub-database ``name``, or None if it does not exist (and not ``create``)."""
        handle = self._dbs.get(name)
        if handle is None:
            try:
                handle = self._env.open_db(name.encode(), create=create and not self.readonly)
            except lmdb.NotFoundError:
                return None
            except lmdb.MapFullError:
                self._grow()
                return self._db(name, create)
            self._dbs[name] = handle
        return handle

    @contextmanager
    def _read(self) -> Iterator[lmdb.Transaction]:
        """One read transaction (adopting a map grown by a writer in another process)."""
        try:
            txn = self._env.begin()
        except lmdb.MapResizedError:
            self._env.set_mapsize(0)
            txn = self._env.begin()
        with txn:
            yield txn

    def _grow(self) -> None:
        self._env.set_mapsize(self._env.info()["map_size"] * 2)

    def _write(self, change: Callable[[lmdb.Transaction], Any]) -> Any:
        """Run ``change(txn)`` in one write transaction; grow the map and retry when it is full."""
        if self.readonly:
            raise IndexStoreError(f"the index at {self.path} is open read-only")
        while True:
            try:
                with self._env.begin(write=True) as txn:
                    return change(txn)
            except lmdb.MapFullError:
                self._grow()
            except (lmdb.Error, OSError) as exc:
                raise IndexWriteError(
                    f"could not write to the index at {self.path} ({exc}; is the disk full?); everything committed "
                    f"before is kept: free space and run the command again"
                ) from exc

    # ------------------------------------------------------------------ meta
    @property
    def meta(self) -> dict[str, Any]:
        """Every ``meta`` record, decoded."""
        with self._read() as txn:
            return self._meta(txn)

    def _meta(self, txn: lmdb.Transaction) -> dict[str, Any]:
        return {bytes(k).decode(): _unjson(v) for k, v in txn.cursor(db=self._dbs["meta"])}

    def _put_meta(self, txn: lmdb.Transaction, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            txn.put(key.encode(), _json(value), db=self._dbs["meta"])

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON-able ``value`` under ``key`` in ``meta`` (one transaction)."""
        self._write(lambda txn: self._put_meta(txn, {key: value}))

    @property
    def extractor(self) -> dict[str, Any] | None:
        """``{name, params, frame_rate}`` of the stored features, None before the first build."""
        return self.meta.get("extractor")

    def features_db(self) -> str:
        """The array database name of the stored features (``features:<extractor>``)."""
        info = self.extractor
        if info is None:
            raise IndexStoreError(f"the index at {self.path} holds no features yet")
        return f"features:{info['name']}"

    def representations(self) -> dict[str, dict[str, Any]]:
        """Representation name -> its meta record (name, version, kind, checksum, ...)."""
        return self.meta.get("representations", {})

    def set_representation(self, name: str, version: str, kind: str, checksum: str, **extra: Any) -> None:
        """Record that ``repr:<name>`` holds arrays made by this representation model."""
        record = {"name": name, "version": version, "kind": kind, "checksum": checksum, **extra}

        def change(txn: lmdb.Transaction) -> None:
            records = self._meta(txn).get("representations", {})
            self._put_meta(txn, {"representations": {**records, name: record}})

        self._write(change)

    def check_representation(self, representation: Any) -> None:
        """Raise :class:`ModelMismatchError` unless ``repr:<name>`` was made by this same model."""
        stored = self.representations().get(representation.name)
        if stored is None:
            raise ModelMismatchError(
                f"the index at {self.path} holds no {representation.name!r} representation; "
                f"add it before querying with it"
            )
        for key in ("version", "kind", "checksum"):
            if stored.get(key) != getattr(representation, key):
                raise ModelMismatchError(
                    f"the index at {self.path} was encoded with {representation.name} {key} "
                    f"{stored.get(key)!r}, not {getattr(representation, key)!r}; re-encode the index"
                )

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        with self._read() as txn:
            return txn.stat(self._dbs["entries"])["entries"]

    def __contains__(self, entry_id: object) -> bool:
        with self._read() as txn:
            return txn.get(key(str(entry_id)), db=self._dbs["entries"]) is not None

    def ids(self) -> list[str]:
        """Every entry id in row order (= insertion order); do not modify the list.

        Rows are only ever appended, so the list is cached until the number of rows changes
        (a query against 1M entries must not re-read them every time).
        """
        with self._read() as txn:
            count = txn.stat(self._dbs["rows"])["entries"]
            if len(self._ids) != count:
                self._ids = [unkey(v) for v in txn.cursor(db=self._dbs["rows"]).iternext(keys=False)]
                self._row_of = {}
        return self._ids

    def row_of(self) -> dict[str, int]:
        """Entry id -> row number for every entry (cached like :meth:`ids`)."""
        ids = self.ids()
        if len(self._row_of) != len(ids):
            self._row_of = {entry_id: row for row, entry_id in enumerate(ids)}
        return self._row_of

    def metadata(self, entry_id: str) -> dict[str, Any]:
        """The entry's metadata (row, artist, title, source, content_hash, duration, n_frames, extra)."""
        with self._read() as txn:
            value = txn.get(key(entry_id), db=self._dbs["entries"])
        if value is None:
            raise IndexStoreError(f"the index at {self.path} has no entry {entry_id!r}")
        return _unjson(value)

    def hash_owner(self, content_hash: str) -> str | None:
        """The id of the entry made from a file with this content hash, or None."""
        with self._read() as txn:
            value = txn.get(content_hash.encode(), db=self._dbs["hashes"])
        return None if value is None else unkey(value)

    def array_dbs(self) -> list[str]:
        """Names of the array databases present (``features:*``, ``repr:*``)."""
        with self._read() as txn:
            names = [bytes(k).decode() for k in txn.cursor().iternext(values=False)]
        return sorted(n for n in names if n.startswith(ARRAY_DB_PREFIXES))

    def _array_db(self, db_name: str) -> Any:
        db = self._db(db_name)
        if db is None:
            raise IndexStoreError(f"the index at {self.path} has no array database {db_name!r}")
        return db

    def get_array(self, db_name: str, entry_id: str) -> np.ndarray:
        """The array of ``entry_id`` in ``db_name`` (read-only)."""
        db = self._array_db(db_name)
        with self._read() as txn:
            value = txn.get(key(entry_id), db=db)
        if value is None:
            raise IndexStoreError(f"the index at {self.path} has no {db_name} array for {entry_id!r}")
        return decode_array(value)

    def iter_arrays(self, db_name: str) -> Iterator[tuple[str, np.ndarray]]:
        """``(id, array)`` for every entry in row order, from one read transaction.

        Entries without an array in ``db_name`` are left out (``verify`` reports them).
        """
        db = self._array_db(db_name)
        with self._read() as txn:
            for value in txn.cursor(db=self._dbs["rows"]).iternext(keys=False):
                array = txn.get(value, db=db)
                if array is not None:
                    yield unkey(value), decode_array(array)

    def failures(self) -> dict[str, dict[str, str]]:
        """Source path -> ``{error, when}`` of every file whose last try failed."""
        with self._read() as txn:
            return {unkey(k): _unjson(v) for k, v in txn.cursor(db=self._dbs["failures"])}

    # ------------------------------------------------------------------ writing
    def put_entries(self, batch: Iterable[Entry], failures: Mapping[str, str | None] | None = None
                    ) -> list[tuple[Entry, DuplicateEntryError]]:
        """Store a batch of entries and ``failures`` (source path -> message, or None to forget
        an old failure) in one transaction.

        Returns the entries refused (known id or hash) and why. Storing an entry clears the
        failure recorded for its ``metadata["source"]``.
        """
        batch = list(batch)
        for name in {n for entry in batch for n in entry.arrays}:
            _check_array_db(name)
            self._db(name, create=True)

        def change(txn: lmdb.Transaction) -> list[tuple[Entry, DuplicateEntryError]]:
            self._put_failures(txn, failures or {})
            return [r for e in batch if (r := self._put(txn, e)) is not None]

        return self._write(change)

    def _put_failures(self, txn: lmdb.Transaction, failures: Mapping[str, str | None]) -> None:
        when = _utcnow()
        for path, message in failures.items():
            if message is None:
                txn.delete(key(str(path)), db=self._dbs["failures"])
            else:
                txn.put(key(str(path)), _json({"error": message, "when": when}), db=self._dbs["failures"])

    def _put(self, txn: lmdb.Transaction, entry: Entry) -> tuple[Entry, DuplicateEntryError] | None:
        id_key, hash_key = key(entry.id), entry.content_hash.encode()
        if txn.get(id_key, db=self._dbs["entries"]) is not None:
            return entry, DuplicateEntryError(f"entry id {entry.id!r} is already in the index")
        owner = txn.get(hash_key, db=self._dbs["hashes"])
        if owner is not None:
            return entry, DuplicateEntryError(
                f"the same content is already in the index as {unkey(owner)!r}"
            )
        row = txn.stat(self._dbs["rows"])["entries"]
        record = {**entry.metadata, "row": row, "content_hash": entry.content_hash}
        txn.put(id_key, _json(record), db=self._dbs["entries"])
        txn.put(_ROW.pack(row), id_key, db=self._dbs["rows"])
        txn.put(hash_key, id_key, db=self._dbs["hashes"])
        for name, array in entry.arrays.items():
            txn.put(id_key, encode_array(array), db=self._dbs[name])
        source = entry.metadata.get("source")
        if source:
            txn.delete(key(str(source)), db=self._dbs["failures"])
        return None

    def put_arrays(self, db_name: str, items: Iterable[tuple[str, np.ndarray]], batch_size: int = 256) -> None:
        """Add or replace arrays of existing entries in ``db_name`` (e.g. ``repr:<name>``), batched."""
        _check_array_db(db_name)
        db = self._db(db_name, create=True)
        batch: list[tuple[str, np.ndarray]] = []

        def commit(txn: lmdb.Transaction) -> None:
            for entry_id, array in batch:
                if txn.get(key(entry_id), db=self._dbs["entries"]) is None:
                    raise IndexStoreError(f"the index at {self.path} has no entry {entry_id!r}")
                txn.put(key(entry_id), encode_array(array), db=db)

        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                self._write(commit)
                batch.clear()
        if batch:
            self._write(commit)

    def record_failure(self, path: str, message: str) -> None:
        """Remember that ``path`` failed with ``message`` (replacing an older failure)."""
        self._write(lambda txn: self._put_failures(txn, {path: message}))

    # ------------------------------------------------------------------ reports
    def lacking_representations(self) -> dict[str, int]:
        """Recorded representation name -> how many entries have no array of it (0 when complete;
        a build with ``--no-representations`` or one stopped before encoding leaves some)."""
        names = self.representations()
        handles = {name: self._db(f"repr:{name}") for name in names}
        with self._read() as txn:
            entries = txn.stat(self._dbs["entries"])["entries"]
            return {name: entries - (txn.stat(db)["entries"] if db is not None else 0)
                    for name, db in handles.items()}

    def info(self) -> dict[str, Any]:
        """A summary: path, entries, extractor, representations (and entries lacking each),
        failures, bytes on disk, map size."""
        meta = self.meta
        handles = {name: self._array_db(name) for name in self.array_dbs()}
        with self._read() as txn:
            failures = txn.stat(self._dbs["failures"])["entries"]
            arrays = {name: txn.stat(db)["entries"] for name, db in handles.items()}
        disk = sum(e.stat().st_size for e in os.scandir(self.path) if e.is_file())
        return {
            "path": self.path,
            "schema_version": meta.get("schema_version"),
            "created_by": meta.get("created_by"),
            "entries": len(self),
            "extractor": meta.get("extractor"),
            "representations": self.representations(),
            "lacking_representations": self.lacking_representations(),
            "arrays": arrays,
            "failures": failures,
            "size_bytes": disk,
            "map_size": self._env.info()["map_size"],
        }

    def verify(self) -> list[str]:
        """Every inconsistency found, one line each (empty = the index is sound)."""
        from .verify import find_problems

        handles = {name: self._array_db(name) for name in self.array_dbs()}
        with self._read() as txn:
            return find_problems(self._dbs, handles, self._meta(txn), txn)
