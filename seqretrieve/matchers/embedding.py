"""Embedding matcher: squared Euclidean distance from the query's embedding to every entry's.

All distances come from one product with the contiguous (N, E) float32 matrix of the index
(memory-mapped, see :mod:`seqretrieve.index.representations`); never a per-entry loop. A
representation whose MIDI side gives several windows (W, E) (the code profile) scores each entry
by its nearest window.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..index.representations import squared_norms
from ..types import Hit, QueryData


#: a search for the best k rows prunes by the prefix bound when the index holds at least this
#: many times k rows (below that the bound leaves too many rows to pay for itself)
PRUNE_RATIO = 20
#: most (windows x rows) products held at once (512 KB of float32: the block stays in the L2
#: cache between the product and the minimum over windows; 1.2-1.3x faster at 1M rows than 16 MB)
CHUNK_CELLS = 1 << 17


def squared_distances(matrix: np.ndarray, query: np.ndarray, rows: np.ndarray | None = None,
                      norms: np.ndarray | None = None) -> np.ndarray:
    """|m_r - q|^2 for rows of ``matrix`` (N, E) (or only ``rows``) -> (K,) float32.

    ``query``: one embedding (E,), or several windows (W, E), then each row's distance is the
    minimum over the windows (one matrix product per chunk of rows, never a per-entry loop).
    ``norms``: :func:`squared_norms` of ``matrix`` if known (saves a pass over it). Entries with
    no embedding (NaN rows) come out as +inf.
    """
    block = matrix if rows is None else matrix[rows]
    query = np.asarray(query, np.float32)
    if query.ndim not in (1, 2) or query.shape[-1] != block.shape[1] or (query.ndim == 2 and not len(query)):
        raise ValueError(f"query must be (E,) or (W, E) with E = {block.shape[1]}, got {query.shape}")
    if norms is None:
        norms = squared_norms(block)
    elif rows is not None:
        norms = norms[rows]
    windows = query.reshape(-1, query.shape[-1])
    scaled = windows * np.float32(-2.0)
    query_norms = squared_norms(windows)[:, None]
    step = max(1, CHUNK_CELLS // len(windows))
    d = np.empty(len(block), np.float32)
    buffer = np.empty((len(windows), min(step, len(block))), np.float32)
    for start in range(0, len(block), step):  # in place: one (W, step) buffer, no temporaries
        part = slice(start, start + step)
        rows_block = block[part]
        products = buffer[:, :len(rows_block)]
        np.matmul(scaled, rows_block.T, out=products)  # -2 q_w . m_r
        products += query_norms
        np.min(products, axis=0, out=d[part])  # the nearest window of each row
        d[part] += norms[part]
    return np.where(np.isnan(d), np.float32(np.inf), np.maximum(d, 0)).astype(np.float32)


def top_rows(scores: np.ndarray, limit: int | None) -> np.ndarray:
    """Positions of the ``limit`` smallest ``scores`` (all when None), best first (stable)."""
    if limit is not None and limit < len(scores):
        part = np.argpartition(scores, limit - 1)[:limit]
        return part[np.argsort(scores[part], kind="stable")]
    return np.argsort(scores, kind="stable")


def nearest_rows(matrix: np.ndarray, query: np.ndarray, limit: int, norms: np.ndarray,
                 bound) -> tuple[np.ndarray, np.ndarray]:
    """The ``limit`` rows of ``matrix`` (N, E) nearest ``query`` (E,) or (W, E), best first, and
    their squared distances: (limit,) int64 and (limit,) float32, the same as ``top_rows`` of
    :func:`squared_distances` over every row, computing exact distances only where ``bound``
    (a :class:`~seqretrieve.index.prefix_bound.PrefixBound` of the matrix) cannot rule a row out.

    The rows bounding best give a threshold (their ``limit``-th exact distance, no smaller than
    the overall ``limit``-th); every row whose bound is within it is scored exactly (every row,
    without gathering them, when that is most of them: rows spread evenly in every direction
    defeat the bound).
    """
    bounds = bound.lower_bounds(query)
    rows = None
    if limit < len(bounds):
        first = np.argpartition(bounds, min(2 * limit, len(bounds)) - 1)[:2 * limit]
        threshold = np.partition(squared_distances(matrix, query, first, norms), limit - 1)[limit - 1]
        rows = np.flatnonzero(bounds <= threshold + bound.margin(query))  # ascending: stable ties
        if len(rows) > len(bounds) // 2:  # the bound rules out few rows: score all in place
            rows = None
    distances = squared_distances(matrix, query, rows, norms)
    order = top_rows(distances, limit)
    return (order if rows is None else rows[order]), distances[order]


def shared_model(name: str, registry=None):
    """The representation model ``name`` of ``registry`` (None: the process-wide one), built once
    per process and registry: every matcher (and stage) using it shares its card, checksum and
    TFLite interpreters."""
    from ..registry import get_registry

    return _model_of(registry or get_registry(), name)


@lru_cache(maxsize=None)
def _model_of(registry, name: str):
    return registry.create("representation", name)


class RepresentationMatcher:
    """Shared: resolves the representation lazily in the query's registry (so building a
    matcher costs nothing) and encodes the query once into ``query.encoded``."""

    def __init__(self, representation: str, max_hits: int | None):
        self.representation = representation
        self.max_hits = max_hits
        self._model = None

    def model(self, query: QueryData | None = None):
        """The representation object, built on first use from ``query.registry`` (no query or no
        registry: the process-wide one)."""
        if self._model is None:
            self._model = shared_model(self.representation, query.registry if query is not None else None)
        return self._model

    def encode_query(self, query: QueryData) -> np.ndarray:
        """The query's MIDI-side encoding, made once into ``query.encoded``. A representation
        derived from another one's output (``model.derived_from``, e.g. the code profile from the
        DHS codes) reuses that encoding, made once as well."""
        model = self.model(query)
        if self.representation not in query.encoded:
            source = getattr(model, "derived_from", None)
            if source is None:
                query.encoded[self.representation] = model.encode(query.features[model.extractor].frames, "midi")
            else:
                if source.name not in query.encoded:
                    query.encoded[source.name] = source.encode(query.features[source.extractor].frames, "midi")
                query.encoded[self.representation] = model.from_source(query.encoded[source.name], "midi")
        return query.encoded[self.representation]


class EmbeddingMatcher(RepresentationMatcher):
    """Ranks entries by squared Euclidean embedding distance; returns the best ``max_hits``.

    ``representation``: any registered representation of kind "embedding" ("pse", "profile")."""

    def __init__(self, representation: str = "pse", max_hits: int | None = 10000):
        super().__init__(representation, max_hits)
        self.name = "embedding"

    def distances(self, query: QueryData, index, candidates: np.ndarray | None) -> np.ndarray:
        """Squared distances (K,) float32 from the query's embedding (its nearest window for a
        (W, E) encoding) to ``candidates`` (all rows when None), in that order."""
        from ..index.representations import load_matrices

        matrices = load_matrices(index, self.model(query))
        return squared_distances(matrices.embeddings, self.encode_query(query), candidates, matrices.norms)

    def rank(self, query: QueryData, index, candidates: np.ndarray | None) -> list[Hit]:
        """The best ``max_hits`` entries; over a whole index at least ``PRUNE_RATIO`` times that
        size, exact distances only where the prefix bound cannot rule an entry out."""
        from ..index.representations import load_matrices

        matrices = load_matrices(index, self.model(query))
        if candidates is None and self.max_hits is not None and self.max_hits * PRUNE_RATIO <= len(matrices.ids):
            rows, scores = nearest_rows(matrices.embeddings, self.encode_query(query), self.max_hits,
                                        matrices.norms, matrices.bound)
            return [Hit(matrices.ids[row], float(score)) for row, score in zip(rows.tolist(), scores.tolist())]
        scores = self.distances(query, index, candidates)
        order = top_rows(scores, self.max_hits)
        rows = order if candidates is None else np.asarray(candidates)[order]
        return [Hit(matrices.ids[row], float(scores[k])) for row, k in zip(rows.tolist(), order.tolist())]
