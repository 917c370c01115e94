"""Fitting the "profile" representation's projection of DHS code profiles.

The only learned part of :mod:`seqretrieve.models.code_profile` is this map of code profiles to
embeddings, fitted on training songs only, one of three ways:

- :func:`seqretrieve.training.profile_mlp.fit_mlp` (the shipped one), a two-layer perceptron
  trained with an InfoNCE loss, and :func:`fit_discriminant`, a linear discriminant, both from
  (recording, MIDI) pairs of the same music: the scale benchmark's rendered excerpts of POP909
  train-split songs (and their versions) and music21 works of the train split, each with the
  window of its source MIDI it was rendered from (:func:`training_pairs`), or windows of a
  training corpus's aligned pairs (:func:`pair_windows`);
- :func:`fit_projection`, a PCA, from recordings alone (any index of training recordings
  holding "dhs" codes), where no MIDI is at hand.

No test or validation song is ever read here.
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


#: shrinkage of the within-pair scatter towards its mean variance in :func:`fit_discriminant`,
#: chosen on the scale benchmark's validation index (14,087 entries; 0.001, 0.01, 0.1, 0.3, 1 tried)
REGULARISATION = 0.1


@dataclass(frozen=True)
class Projection:
    """``mean`` (1552,) float32 and ``components`` (1552, dims) float32 in order of importance;
    ``explained`` (dims,) the share of the fit's criterion each captures (variance for a PCA,
    between- over within-pair scatter for the discriminant); ``method`` "pca", "discriminant" or
    "mlp". A perceptron has a ``hidden`` layer (weights (1552, H), bias (H,)) before
    ``components`` (H, dims) and its output ``bias`` (dims,): :meth:`CodeProfileModel.project
    <seqretrieve.models.code_profile.CodeProfileModel.project>`; its ``explained`` is empty and
    its final training loss is ``loss``."""

    mean: np.ndarray
    components: np.ndarray
    explained: np.ndarray
    method: str = "pca"
    hidden: tuple[np.ndarray, np.ndarray] | None = None
    bias: np.ndarray | None = None
    loss: float | None = None

    def arrays(self) -> dict[str, np.ndarray]:
        """What ``projection.npz`` holds: mean, components and, for a perceptron,
        hidden_weights, hidden_bias and bias."""
        arrays = {"mean": self.mean, "components": self.components}
        if self.hidden is not None:
            arrays.update(hidden_weights=self.hidden[0], hidden_bias=self.hidden[1], bias=self.bias)
        return arrays


def pair_profiles(pairs: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Code profiles of (recording codes (T,), MIDI codes (T',) uint32) pairs: recordings (P, 1552)
    and MIDI (P, 1552) float64, row k of each from pair k (pairs with an empty side left out)."""
    recordings, midis = [], []
    for recording, midi in pairs:
        if len(recording) and len(midi):
            recordings.append(profile_features(recording))
            midis.append(profile_features(midi))
    return (np.asarray(recordings, np.float64).reshape(-1, FEATURES),
            np.asarray(midis, np.float64).reshape(-1, FEATURES))


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
                      (variance[:dims] / variance.sum()).astype(np.float32), "pca")


def fit_discriminant(pairs: Iterable[tuple[np.ndarray, np.ndarray]], dims: int = 64,
                     regularisation: float = REGULARISATION) -> Projection:
    """Linear discriminant of code profiles from (recording codes (T,), MIDI codes (T',) uint32)
    pairs of the same music.

    The directions keep what varies most between pieces relative to what differs between a
    recording and its MIDI: the leading generalised eigenvectors of the total scatter of both
    sides' profiles against the within-pair scatter (shrunk towards its mean variance by
    ``regularisation``), scaled so that the within-pair scatter becomes the identity (squared
    Euclidean distance after the projection is a Mahalanobis distance). Signs are fixed as in
    :func:`fit_projection`, so a refit on the same pairs gives the same file."""
    recordings, midis = pair_profiles(pairs)
    if not 1 <= dims <= min(FEATURES, len(recordings)):
        raise ValueError(f"dims must be in 1..{min(FEATURES, len(recordings))} for {len(recordings)} pairs, not {dims}")
    if not regularisation > 0:
        raise ValueError(f"regularisation must be > 0, not {regularisation}")
    both = np.vstack([recordings, midis])
    mean = both.mean(0)
    total = (both - mean).T @ (both - mean) / len(both)
    differences = recordings - midis
    within = differences.T @ differences / (2 * len(differences))
    within += regularisation * np.trace(within) / FEATURES * np.eye(FEATURES)
    variances, axes = np.linalg.eigh(within)
    whiten = axes / np.sqrt(variances)  # within-pair scatter -> identity
    ratios, directions = np.linalg.eigh(whiten.T @ total @ whiten)
    order = np.argsort(ratios)[::-1][:dims]
    components = whiten @ directions[:, order]
    signs = np.sign(components[np.abs(components).argmax(0), np.arange(dims)])
    return Projection(mean.astype(np.float32), (components * signs).astype(np.float32),
                      (ratios[order] / ratios.sum()).astype(np.float32), "discriminant")


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


def stored_plan(scale_root: str | Path) -> list[dict]:
    """The scale plan's items as stored (``id``, ``path`` as ``pop909/...`` or ``music21/...``,
    ``font``, ``seed``); FileNotFoundError when the scale folder has none."""
    plan_file = Path(scale_root) / "plan.json"
    if not plan_file.is_file():
        raise FileNotFoundError(f"{plan_file}: no scale plan (render the scale benchmark's shards first)")
    return json.loads(plan_file.read_text())


def training_excerpts(scale_root: str | Path, limit: int | None = None) -> Iterator[tuple[str, np.ndarray, dict, str]]:
    """(id, CQT frames (T, 48) float32, render info, source path as stored in the plan) of the
    rendered scale excerpts (``scale_root/shards``) whose source is a train-split song, in plan
    order (a seeded shuffle), at most ``limit``."""
    from ..evaluation.scale import iter_distractors

    plan = stored_plan(scale_root)
    chosen = {item["id"]: item["path"] for item in plan if plan_item_split(item["path"]) == "train"}
    count = 0
    for entry_id, frames, info in iter_distractors(scale_root, plan):
        if limit is not None and count >= limit:
            return
        if entry_id in chosen:
            count += 1
            yield entry_id, frames, info, chosen[entry_id]


class ExcerptMidi:
    """``(stored source path, render info) -> MIDI frames (T, 48)`` of the window of the source
    an excerpt was rendered from (``start`` to ``start + seconds * tempo`` of the original; the
    warp moves it by a few percent), made into frames as queries are."""

    def __init__(self, scale_root: str | Path, extractor_name: str, pop909_root: str | Path, music21_dir: str | Path):
        from ..pipelines.search import query_synthesizer
        from ..registry import get_registry

        registry = get_registry()
        self.extractor = registry.create("feature_extractor", extractor_name)
        self.synthesizer = query_synthesizer(self.extractor, registry)
        self.cache = Path(scale_root) / "midi-cache"
        self.roots = (pop909_root, music21_dir)

    def __call__(self, stored: str, info: dict) -> np.ndarray:
        return self.window_frames(self.source(stored), info["start"], info["start"] + info["seconds"] * info["tempo"])

    def source(self, stored: str):
        """The plan item's source MIDI file (PrettyMIDI, parsed once per scale folder)."""
        from ..corpus.sources import load_cached
        from ..evaluation.scale import source_path

        return load_cached(source_path(stored, *self.roots), self.cache)

    def window_frames(self, midi, start: float, stop: float) -> np.ndarray:
        """Frames (T, 48) of the notes of ``midi`` sounding in [start, stop) seconds."""
        from ..corpus.render import crop
        from ..features.extract import features_from_midi

        return features_from_midi(crop(midi, start, stop), self.extractor, self.synthesizer).frames


def training_pairs(scale_root: str | Path, hash_model, pop909_root: str | Path, music21_dir: str | Path,
                   limit: int | None = None,
                   on_skip=lambda entry_id, message: None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(recording codes, MIDI codes) of the train-split scale excerpts: the excerpt's frames
    encoded on the audio side, and its source window's frames (:class:`ExcerptMidi`) on the MIDI
    side. An excerpt whose window cannot be made into frames is reported through ``on_skip`` and
    left out."""
    from ..errors import SeqretrieveError

    excerpt_midi = ExcerptMidi(scale_root, hash_model.extractor, pop909_root, music21_dir)
    for entry_id, frames, info, stored in training_excerpts(scale_root, limit):
        try:
            midi_codes = hash_model.encode(excerpt_midi(stored, info), "midi")
        except (SeqretrieveError, OSError, KeyError, ValueError) as exc:
            on_skip(entry_id, str(exc))
            continue
        yield hash_model.encode(frames, "audio"), midi_codes


def pair_windows(pairs_dir: str | Path, hash_model, frame_rate: float, limit: int | None = None,
                 seconds: float = 30.0, seed: int = 0, per_pair: int = 1) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(recording codes, MIDI codes) from the train split of a ``train data`` pairs folder: for
    each pair (a seeded sample of ``limit``), ``per_pair`` windows of ``seconds`` of the
    recording at seeded positions, encoded on the audio side, each with the MIDI frames aligned
    into it, on the MIDI side. A window holding too few MIDI frames (a cropped region) is left out."""
    from .pairs import load_pairs

    rng = np.random.default_rng(seed)
    files = sorted((Path(pairs_dir) / "train").glob("*.npz"))
    width = int(round(seconds * frame_rate))
    for k in rng.permutation(len(files))[:limit]:
        (pair,) = load_pairs(files[k].parent, names=[files[k].stem])
        for start in rng.integers(max(1, len(pair.audio) - width), size=per_pair):
            inside = (pair.audio_index >= start) & (pair.audio_index < start + width)
            if inside.sum() < width // 4:
                continue
            yield (hash_model.encode(pair.audio[start:start + width], "audio"),
                   hash_model.encode(pair.midi[inside], "midi"))


def write_model(out_root: str | Path, version: str, projection: Projection, hash_model,
                training: dict, window: int = WINDOW, hop: int = HOP, name: str = "profile") -> dict:
    """Write ``out_root/<name>/<version>/`` (``projection.npz``, ``card.json``); returns the card."""
    folder = Path(out_root) / name / version
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, **projection.arrays())
    data = buffer.getvalue()
    (folder / "projection.npz").write_bytes(data)
    card = {
        "name": name, "version": version, "kind": "embedding",
        "extractor": hash_model.extractor, "min_frames": hash_model.min_frames,
        "derived_from": {"name": hash_model.name, "version": hash_model.version, "checksum": hash_model.checksum},
        "features": "bits B (T, 32) in {-1, +1} of the DHS codes: mean (32), upper triangle k=1 of "
                    "B^T B / T (496), B[1:]^T B[:-1] / (T - 1) (1024) = 1552, minus mean, "
                    + ("times hidden_weights plus hidden_bias, ReLU, times components plus bias"
                       if projection.hidden is not None else "times components"),
        "fit": {"pca": "PCA of recordings' code profiles",
                "discriminant": "linear discriminant of (recording, MIDI window) pairs: generalised eigenvectors "
                                "of the total vs the within-pair scatter",
                "mlp": f"two-layer perceptron (1552 -> {len(projection.components)} ReLU -> "
                       f"{projection.components.shape[1]}) of (recording, MIDI window) pairs, trained with a "
                       f"symmetric InfoNCE loss on squared Euclidean distances (every other pair of the batch a "
                       f"negative)"}[projection.method],
        "dims": int(projection.components.shape[1]),
        "window": window, "hop": hop,
        "query": f"MIDI side: windows of {window} codes every {hop} codes plus the whole query, "
                 f"(W, dims); an entry's distance is the nearest window's",
        "files": {"projection": {"path": "projection.npz", "sha256": sha256_bytes(data)}},
        "training": training,
        "metrics": ({"final_loss": round(float(projection.loss), 4)} if projection.loss is not None
                    else {"explained": round(float(projection.explained.sum()), 4)}),
        "checksum": projection_checksum(hash_model.checksum, sha256_bytes(data), window, hop),
    }
    (folder / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
