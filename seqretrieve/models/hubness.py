"""Hubness correction of an embedding's index entries, folded into one extra dimension.

In a nearest-neighbour search some entries ("hubs") lie close to many queries, and they crowd the
right entries out of a short list as the index grows. Cross-domain similarity local scaling
(CSLS, Lample et al. 2018) scores a pair by its distance less how close the entry lies to
queries in general: here ``d(q, e) - weight * r(e)``, with ``r(e)`` the mean squared distance
from the entry to its ``k`` nearest *reference* query windows (MIDI query windows of training
songs, shipped with the model).

That score is a squared Euclidean distance between augmented vectors: an entry ``e`` becomes
``[e, sqrt(ceiling - weight * r(e))]`` and a query window ``q`` becomes ``[q, 0]``, so that
``|q' - e'|^2 = d(q, e) + ceiling - weight * r(e)``, the same ranking. The index, the matcher's
nearest-window search and its prefix bound stay plain Euclidean. ``ceiling`` is far above any
``weight * r`` seen in training (an entry beyond it, farther from every query than any training
material, keeps ``sqrt(0)`` and loses only part of its correction).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelFileError
from .runtime import read_checked

#: rows of the reference compared at once (bounds the (rows, R) distance block)
BLOCK = 2048


def neighbourhood(vectors: np.ndarray, reference: np.ndarray, k: int, skip_self: bool = False,
                  reference_norms: np.ndarray | None = None) -> np.ndarray:
    """(N,) float32: the mean squared distance from each of ``vectors`` (N, E) to its ``k``
    nearest rows of ``reference`` (R, E) (``skip_self``: the nearest one, itself, left out);
    ``reference_norms`` (R,): their squared norms if known."""
    vectors = np.asarray(vectors, np.float32).reshape(-1, reference.shape[1])
    if reference_norms is None:
        reference_norms = np.einsum("ij,ij->i", reference, reference)
    out = np.empty(len(vectors), np.float32)
    first = 1 if skip_self else 0
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start:start + BLOCK]
        distances = np.einsum("ij,ij->i", block, block)[:, None] - 2 * block @ reference.T + reference_norms
        nearest = np.partition(np.maximum(distances, 0), first + k - 1, axis=1)[:, first:first + k]
        out[start:start + BLOCK] = nearest.mean(axis=1)
    return out


@dataclass(frozen=True)
class HubnessCorrection:
    """``reference`` (R, E) float32 query windows of training songs; ``k`` neighbours; ``weight``
    of ``r(e)``; ``ceiling`` (above any ``weight * r``); ``sha256`` of the reference file."""

    reference: np.ndarray
    k: int
    weight: float
    ceiling: float
    sha256: str
    reference_norms: np.ndarray = field(init=False)  # (R,), once: an index encodes entry by entry

    def __post_init__(self):
        object.__setattr__(self, "reference_norms", np.einsum("ij,ij->i", self.reference, self.reference))

    @classmethod
    def load(cls, folder, spec: dict) -> "HubnessCorrection":
        """From a card's ``hubness`` record (``path``, ``sha256``, ``k``, ``weight``, ``ceiling``)."""
        with np.load(io.BytesIO(read_checked(folder, spec))) as npz:
            if "reference" not in npz.files or npz["reference"].ndim != 2:
                raise ModelFileError(f"{folder}: {spec['path']} must hold a (R, dims) 'reference' array")
            reference = np.asarray(npz["reference"], np.float32)
        if not (int(spec["k"]) >= 1 and float(spec["weight"]) >= 0 and float(spec["ceiling"]) > 0):
            raise ModelFileError(f"{folder}: hubness needs k >= 1, weight >= 0 and ceiling > 0, got {spec}")
        return cls(reference, int(spec["k"]), float(spec["weight"]), float(spec["ceiling"]), spec["sha256"])

    @property
    def record(self) -> dict:
        """What the representation's checksum covers."""
        return {"sha256": self.sha256, "k": self.k, "weight": self.weight, "ceiling": self.ceiling}

    def entries(self, vectors: np.ndarray) -> np.ndarray:
        """Entry vectors (N, E) -> (N, E + 1): each with ``sqrt(ceiling - weight * r)``."""
        vectors = np.asarray(vectors, np.float32).reshape(-1, self.reference.shape[1])
        nearby = neighbourhood(vectors, self.reference, self.k, reference_norms=self.reference_norms)
        extra = np.sqrt(np.maximum(self.ceiling - self.weight * nearby, 0))
        return np.concatenate([vectors, extra[:, None]], axis=1).astype(np.float32)

    @staticmethod
    def queries(windows: np.ndarray) -> np.ndarray:
        """Query windows (W, E) -> (W, E + 1) with a 0 appended."""
        windows = np.asarray(windows, np.float32)
        return np.concatenate([windows, np.zeros((len(windows), 1), np.float32)], axis=1)
