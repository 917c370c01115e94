"""Learned representations inside an index: per-entry arrays plus contiguous matrices.

``add_representation`` encodes every entry's stored features (no audio decoding) into
``repr:<name>`` and records name/version/kind/checksum in the meta. Matchers never scan LMDB per
entry: next to the LMDB files it writes, row-aligned with ``Index.ids()``,

- embeddings: ``repr-<name>.npy`` (N, E) float32 (a row of NaN where an entry has no array);
- hash codes: ``repr-<name>.codes.npy`` (sum of lengths,) uint32 and ``repr-<name>.offsets.npy``
  (N + 1,) int64 (entry row r owns ``codes[offsets[r]:offsets[r + 1]]``);

plus ``repr-<name>.json`` (checksum, rows, arrays). They are memory-mapped once per process and
rebuilt from LMDB in memory when stale (e.g. entries added by an older build, or encoded since
by ``index update`` in another process).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import IndexStoreError


def squared_norms(matrix: np.ndarray) -> np.ndarray:
    """|m_r|^2 of every row of ``matrix`` (N, E) -> (N,) float32 (computed once per index)."""
    return np.einsum("ij,ij->i", matrix, matrix)


@dataclass(frozen=True)
class Matrices:
    """Contiguous arrays of one representation, row-aligned with ``ids``.

    ``embeddings`` (N, E) float32 and their squared row norms ``norms`` (N,) for kind
    "embedding"; ``codes`` (total,) uint32 and ``offsets`` (N + 1,) int64 for kind "hash".
    """

    ids: list[str]
    embeddings: np.ndarray | None = None
    codes: np.ndarray | None = None
    offsets: np.ndarray | None = None
    norms: np.ndarray | None = None

    def with_norms(self) -> "Matrices":
        """A copy with ``norms`` computed (embeddings only)."""
        if self.embeddings is None:
            return self
        return Matrices(self.ids, self.embeddings, norms=squared_norms(self.embeddings))

    @cached_property
    def bound(self):
        """The embeddings' :class:`~seqretrieve.index.prefix_bound.PrefixBound`, fitted on first
        use (once per process and index state, as the matrices are cached)."""
        from .prefix_bound import PrefixBound

        return PrefixBound.fit(self.embeddings, self.norms if self.norms is not None else squared_norms(self.embeddings))


def _paths(index, name: str) -> dict[str, Path]:
    base = Path(index.path)
    return {
        "meta": base / f"repr-{name}.json",
        "embeddings": base / f"repr-{name}.npy",
        "codes": base / f"repr-{name}.codes.npy",
        "offsets": base / f"repr-{name}.offsets.npy",
    }


def add_representation(index, representation, progress: Callable[[int, int], None] | None = None,
                       batch_size: int = 256) -> int:
    """Encode every entry of ``index`` lacking a current ``repr:<name>`` array, store the arrays,
    the meta record and the contiguous matrices. Returns how many entries were encoded.

    A stored representation with another checksum is replaced entirely. ``progress(done, total)``
    is called after each batch.
    """
    name, db = representation.name, f"repr:{representation.name}"
    stored = index.representations().get(name)
    current = stored is not None and stored.get("checksum") == representation.checksum
    have = {entry_id for entry_id, _ in index.iter_arrays(db)} if current and db in index.array_dbs() else set()
    todo = [entry_id for entry_id in index.ids() if entry_id not in have]
    encode = _entry_encoder(index, representation)
    done = 0

    def encoded():
        nonlocal done
        for entry_id in todo:
            yield entry_id, encode(entry_id)
            done += 1
            if progress and done % batch_size == 0:
                progress(done, len(todo))

    index.put_arrays(db, encoded(), batch_size=batch_size)
    index.set_representation(name, representation.version, representation.kind, representation.checksum,
                             extractor=representation.extractor)
    write_matrices(index, name, representation.kind, representation.checksum)
    if progress:
        progress(done, len(todo))
    return done


def _entry_encoder(index, representation) -> Callable[[str], np.ndarray]:
    """``encode(entry_id)``: the entry's audio-side encoding, from its stored features, or, for a
    representation derived from another (``derived_from``) whose current output the index
    holds, from that stored output (the code profile from the stored DHS codes)."""
    source = getattr(representation, "derived_from", None)
    stored = index.representations().get(source.name) if source is not None else None
    if stored is not None and stored.get("checksum") == source.checksum:
        return lambda entry_id: representation.from_source(index.get_array(f"repr:{source.name}", entry_id), "audio")
    features_db = index.features_db()
    return lambda entry_id: representation.encode(index.get_array(features_db, entry_id), "audio")


def add_all_representations(index, registry=None, progress: Callable[[str, int, int], None] | None = None
                            ) -> dict[str, int]:
    """``add_representation`` for every registered representation made for the index's feature
    extractor (what ``index build`` runs after features and ``index update`` runs alone).

    Returns representation name -> entries encoded; ``progress(name, done, total)``. Ctrl-C or
    SIGTERM keeps the batches encoded so far and raises :class:`~seqretrieve.errors.Interrupted`
    saying how to finish.
    """
    from ..errors import Interrupted
    from ..registry import get_registry

    registry = registry or get_registry()
    extractor = (index.extractor or {}).get("name")
    counts = {}
    try:
        for name in sorted(registry.components("representation")):
            representation = registry.create("representation", name)
            if representation.extractor != extractor:
                continue
            report = None if progress is None else (lambda done, total, name=name: progress(name, done, total))
            counts[name] = add_representation(index, representation, report)
    except (KeyboardInterrupt, Interrupted) as exc:
        raise Interrupted(
            f"interrupted while encoding learned representations: every entry's features and the "
            f"encoded batches are kept; run `seqretrieve index update --index {index.path}` to finish",
            getattr(exc, "signum", 2),
        ) from exc
    return counts


def _collect(index, name: str, kind: str) -> Matrices:
    """Matrices built from the LMDB arrays (one read transaction)."""
    ids = index.ids()
    row_of = {entry_id: row for row, entry_id in enumerate(ids)}
    arrays = dict(index.iter_arrays(f"repr:{name}"))
    if kind == "embedding":
        width = len(next(iter(arrays.values()))) if arrays else 0
        matrix = np.full((len(ids), width), np.nan, np.float32)
        for entry_id, vector in arrays.items():
            matrix[row_of[entry_id]] = vector
        return Matrices(ids, embeddings=matrix)
    lengths = np.array([len(arrays.get(entry_id, ())) for entry_id in ids], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    codes = np.empty(int(offsets[-1]), np.uint32)
    for row, entry_id in enumerate(ids):
        if entry_id in arrays:
            codes[offsets[row]:offsets[row + 1]] = arrays[entry_id]
    return Matrices(ids, codes=codes, offsets=offsets)


def write_matrices(index, name: str, kind: str, checksum: str) -> None:
    """(Re)write the contiguous files of representation ``name`` from the LMDB arrays.

    Each file is written aside and renamed into place; a failed write (disk full) removes the
    partial file and raises :class:`~seqretrieve.index.store.IndexWriteError` (LMDB is intact,
    and readers rebuild the matrices from it until ``index update`` rewrites them).
    """
    matrices = _collect(index, name, kind)
    paths = _paths(index, name)
    arrays = {"embeddings": matrices.embeddings} if kind == "embedding" else {
        "codes": matrices.codes, "offsets": matrices.offsets}
    record = {"name": name, "kind": kind, "checksum": checksum, "rows": len(matrices.ids),
              "arrays": _array_count(index, name)}
    writes = [(paths[key], lambda handle, a=array: np.save(handle, a)) for key, array in arrays.items()]
    writes.append((paths["meta"], lambda handle: handle.write(json.dumps(record).encode())))
    for path, write in writes:
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as handle:
                write(handle)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            from .store import IndexWriteError

            raise IndexWriteError(
                f"could not write {path} ({exc.strerror or exc}; is the disk full?): the index itself is "
                f"intact; free space and run `seqretrieve index update --index {index.path}`"
            ) from exc
    _CACHE.pop((str(index.path), name), None)


def _array_count(index, name: str) -> int:
    """How many entries hold a ``repr:<name>`` array."""
    return len(index) - index.lacking_representations().get(name, len(index))


_CACHE: dict[tuple[str, str], tuple[tuple, Matrices]] = {}


def load_matrices(index, representation) -> Matrices:
    """The contiguous arrays of ``representation`` for ``index``, cached per process.

    Refuses (ModelMismatchError) a representation whose checksum differs from the index's.
    Memory-maps the files when they match the index's rows and checksum; otherwise builds them
    in memory from LMDB (once per process, until the index changes).
    """
    index.check_representation(representation)
    name, kind = representation.name, representation.kind
    rows = len(index)
    key = (str(index.path), name)
    state = (rows, representation.checksum, _array_count(index, name))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    paths = _paths(index, name)
    matrices = None
    if paths["meta"].is_file():
        record = json.loads(paths["meta"].read_text())
        if (record.get("rows"), record.get("checksum"), record.get("arrays")) == state:
            try:
                if kind == "embedding":
                    matrices = Matrices(index.ids(), embeddings=np.load(paths["embeddings"], mmap_mode="r"))
                else:
                    matrices = Matrices(index.ids(), codes=np.load(paths["codes"], mmap_mode="r"),
                                        offsets=np.load(paths["offsets"]))
            except (OSError, ValueError) as exc:
                raise IndexStoreError(f"{paths['meta'].parent}: unreadable {name} matrix file ({exc}); "
                                  f"run `seqretrieve index update`") from exc
    if matrices is None:
        matrices = _collect(index, name, kind)
    matrices = matrices.with_norms()
    _CACHE[key] = (state, matrices)
    return matrices
