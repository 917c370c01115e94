"""Fitting the "profile" representation's projection: a PCA of DHS code profiles.

The only learned part of :mod:`seqretrieve.models.code_profile` is this linear map, fitted on
recordings of training songs only: the scale benchmark's rendered excerpts of POP909 train-split
songs (and their versions) and music21 works of the train split, or any index of training
recordings holding "dhs" codes. No test or validation song is ever read here.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ..models.code_profile import FEATURES, profile_features, projection_checksum
from ..models.runtime import sha256_bytes

#: query windows of the shipped profile: 80 codes (~30 s at 8 CQT frames of 1024/22050 s) every 20
WINDOW, HOP = 80, 20


@dataclass(frozen=True)
class Projection:
    """``mean`` (1552,) float32 and ``components`` (1552, dims) float32, orthonormal columns in
    order of explained variance; ``explained`` (dims,) the share of variance of each."""

    mean: np.ndarray
    components: np.ndarray
    explained: np.ndarray


def fit_projection(code_sequences: Iterable[np.ndarray], dims: int = 64) -> Projection:
    """PCA of the code profiles of ``code_sequences`` (each (T,) uint32, T >= 1) to ``dims``
    components; each component's sign is fixed (largest-magnitude loading positive) so a refit
    on the same data gives the same file."""
    profiles = np.stack([profile_features(codes) for codes in code_sequences if len(codes)]).astype(np.float64)
    if not 1 <= dims <= min(FEATURES, len(profiles)):
        raise ValueError(f"dims must be in 1..{min(FEATURES, len(profiles))} for {len(profiles)} "
                         f"code sequences, not {dims}")
    mean = profiles.mean(0)
    _, singular, vt = np.linalg.svd(profiles - mean, full_matrices=False)
    components = vt[:dims].T  # (1552, dims)
    signs = np.sign(components[np.abs(components).argmax(0), np.arange(dims)])
    variance = singular ** 2
    return Projection(mean.astype(np.float32), (components * signs).astype(np.float32),
                      (variance[:dims] / variance.sum()).astype(np.float32))


def plan_item_split(path: str) -> str | None:
    """The split of a scale-plan item from its source path (``pop909/NNN/NNN.mid``,
    ``pop909/NNN/versions/x.mid``, ``music21/<work>.mid``); None for any other source."""
    from ..corpus.sources import music21_split
    from .split import split_of

    parts = Path(path).parts
    if len(parts) >= 3 and parts[0] == "pop909" and parts[1].isdigit():
        return split_of(parts[1])
    if len(parts) == 2 and parts[0] == "music21":
        return music21_split(Path(parts[1]).stem)
    return None


def training_excerpts(scale_root: str | Path, limit: int | None = None) -> Iterator[tuple[str, np.ndarray]]:
    """(id, CQT frames (T, 48) float32) of the rendered scale excerpts (``scale_root/shards``)
    whose source is a train-split song, in plan order (a seeded shuffle), at most ``limit``."""
    from ..evaluation.scale import iter_distractors

    plan_file = Path(scale_root) / "plan.json"
    if not plan_file.is_file():
        raise FileNotFoundError(f"{plan_file}: no scale plan (render the scale benchmark's shards first)")
    plan = json.loads(plan_file.read_text())  # paths as stored: pop909/... or music21/...
    train = {item["id"] for item in plan if plan_item_split(item["path"]) == "train"}
    count = 0
    for entry_id, frames, _ in iter_distractors(scale_root, plan):
        if limit is not None and count >= limit:
            return
        if entry_id in train:
            count += 1
            yield entry_id, frames


def write_model(out_root: str | Path, version: str, projection: Projection, hash_model,
                training: dict, window: int = WINDOW, hop: int = HOP, name: str = "profile") -> dict:
    """Write ``out_root/<name>/<version>/`` (``projection.npz``, ``card.json``); returns the card."""
    folder = Path(out_root) / name / version
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, mean=projection.mean, components=projection.components)
    data = buffer.getvalue()
    (folder / "projection.npz").write_bytes(data)
    card = {
        "name": name, "version": version, "kind": "embedding",
        "extractor": hash_model.extractor, "min_frames": hash_model.min_frames,
        "derived_from": {"name": hash_model.name, "version": hash_model.version, "checksum": hash_model.checksum},
        "features": "bits B (T, 32) in {-1, +1} of the DHS codes: mean (32), upper triangle k=1 of "
                    "B^T B / T (496), B[1:]^T B[:-1] / (T - 1) (1024) = 1552, minus mean, times components",
        "dims": int(projection.components.shape[1]),
        "window": window, "hop": hop,
        "query": f"MIDI side: windows of {window} codes every {hop} codes plus the whole query, "
                 f"(W, dims); an entry's distance is the nearest window's",
        "files": {"projection": {"path": "projection.npz", "sha256": sha256_bytes(data)}},
        "training": training,
        "metrics": {"explained_variance": round(float(projection.explained.sum()), 4)},
        "checksum": projection_checksum(hash_model.checksum, sha256_bytes(data), window, hop),
    }
    (folder / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
