"""Several index shards queried as one: entry ids split by a stable hash, one LMDB per shard.

``index build --shard i/n`` keeps the files whose entry id has :func:`shard_of` == i, so n
machines build n shards in parallel. A query opens every shard (:class:`Shards`) and each
pipeline stage merges the shards' candidates (:mod:`seqretrieve.pipelines.sharded`), which gives
the same top K as one index holding every entry.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import IndexStoreError


def shard_of(entry_id: str, n_shards: int) -> int:
    """The shard (0..n-1) of ``entry_id``: BLAKE2b of its UTF-8 bytes modulo ``n_shards``
    (the same on every machine and Python version, unlike ``hash``)."""
    digest = hashlib.blake2b(entry_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n_shards


def parse_shard(value: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n) with 0 <= i < n; anything else is a ValueError."""
    part, _, total = value.partition("/")
    if part.isdigit() and total.isdigit() and 0 <= int(part) < int(total):
        return int(part), int(total)
    raise ValueError(f"a shard is I/N with 0 <= I < N (e.g. 0/4), not {value!r}")


def index_paths(values: Sequence[str | os.PathLike]) -> list[str]:
    """Index directories from ``--index`` values: a directory is one index, a text file lists
    one index directory per line (relative to the file's folder; ``#`` comments)."""
    paths: list[str] = []
    for value in values:
        path = Path(value)
        if path.is_file():
            for line in path.read_text().splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    paths.append(os.path.abspath(path.parent / line))
        else:
            paths.append(os.path.abspath(path))
    return paths


class Shards:
    """Read-only view of several open indexes (shards) that the pipeline ranks as one.

    Shards must hold the same features and learned representations (name, version, checksum)
    and disjoint entry ids. ``meta``/``extractor`` are the first shard's; ``len`` counts all.
    """

    def __init__(self, shards: Sequence[Any]):
        self.shards = list(shards)
        self.path = " + ".join(shard.path for shard in self.shards)
        first = self.shards[0]
        for shard in self.shards[1:]:
            for key in ("extractor", "representations"):
                if shard.meta.get(key) != first.meta.get(key):
                    raise IndexStoreError(f"shards {first.path} and {shard.path} hold different {key}; "
                                      f"every shard must be built and encoded the same way")
        for number, shard in enumerate(self.shards):
            for other in self.shards[:number]:
                shared = other.row_of().keys() & shard.row_of().keys()
                if shared:
                    raise IndexStoreError(f"entry {min(shared)!r} is in two shards ({other.path} and {shard.path}); "
                                      f"shards must hold disjoint entries")

    @classmethod
    def open(cls, paths: Sequence[str | os.PathLike]) -> "Shards":
        """Open every index in ``paths`` read-only (closing those opened if one fails)."""
        from .store import Index

        opened = []
        try:
            for path in paths:
                opened.append(Index.open(path))
            return cls(opened)
        except BaseException:
            for index in opened:
                index.close()
            raise

    @property
    def meta(self) -> dict[str, Any]:
        return self.shards[0].meta

    @property
    def extractor(self) -> dict[str, Any] | None:
        return self.shards[0].extractor

    def __len__(self) -> int:
        return sum(len(shard) for shard in self.shards)

    def shard_holding(self, entry_id: str) -> Any:
        """The open shard that holds ``entry_id``."""
        for shard in self.shards:
            if entry_id in shard.row_of():
                return shard
        raise IndexStoreError(f"no shard of {self.path} has entry {entry_id!r}")

    def metadata(self, entry_id: str) -> dict[str, Any]:
        return self.shard_holding(entry_id).metadata(entry_id)

    def close(self) -> None:
        for shard in self.shards:
            shard.close()

    def __enter__(self) -> "Shards":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

