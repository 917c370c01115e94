"""The "profile" representation: second-order statistics of DHS hash codes, mapped to an embedding.

A DHS code sequence (T,) uint32 becomes bits B (T, 32) in {-1, +1}; its *code profile* is
``concat(mean over time (32), upper triangle k=1 of B^T B / T (496), lag-1 cross products
B[1:]^T B[:-1] / (T - 1) flattened (1024))`` = (1552,) float32, then mapped to (64,) float32:
``(p - mean) @ components`` for a linear projection (a PCA or a linear discriminant), or
``relu((p - mean) @ hidden_weights + hidden_bias) @ components + bias`` for the shipped two-layer
perceptron, trained on (recording, MIDI) pairs of training songs only
(:mod:`seqretrieve.training.profile`). Nothing else is learned: the codes are the shipped "dhs".

An audio entry gets one vector for its whole code sequence. A MIDI query gets one per window of
``window`` codes every ``hop`` codes plus one for the whole query, (W, 64): the embedding matcher
scores an entry by its nearest window (:func:`seqretrieve.matchers.embedding.squared_distances`).
From v6 a hubness correction (:mod:`seqretrieve.models.hubness`) adds one dimension to both sides.
"""

from __future__ import annotations

import io
import json
import numpy as np

from ..errors import ModelFileError, ModelMismatchError
from .hubness import HubnessCorrection
from .runtime import SIDES, package_model_dir, read_card, read_checked, sha256_bytes

BITS = 32
#: profile width: 32 means + 496 co-occurrences + 1024 lag-1 products
FEATURES = BITS + BITS * (BITS - 1) // 2 + BITS * BITS
_UPPER = np.triu_indices(BITS, 1)


def code_bits(codes: np.ndarray) -> np.ndarray:
    """(T,) uint32 codes -> (T, 32) float32 in {-1, +1}, column k = bit k (little-endian)."""
    codes = np.asarray(codes)
    if codes.ndim != 1:
        raise ValueError(f"expected a (T,) code sequence, got shape {codes.shape}")
    bits = (codes.astype(np.uint32)[:, None] >> np.arange(BITS, dtype=np.uint32)) & 1
    return bits.astype(np.float32) * 2 - 1


def profile_features(codes: np.ndarray) -> np.ndarray:
    """(T,) uint32 codes, T >= 1 -> (1552,) float32 code profile (see the module docstring)."""
    bits = code_bits(codes)
    if len(bits) == 0:
        raise ValueError("cannot profile an empty code sequence")
    co = bits.T @ bits / len(bits)
    lag = bits[1:].T @ bits[:-1] / max(len(bits) - 1, 1)
    return np.concatenate([bits.mean(0), co[_UPPER], lag.ravel()]).astype(np.float32)


def window_bounds(length: int, window: int, hop: int) -> list[tuple[int, int]]:
    """(start, end) of every ``window``-code window every ``hop`` codes of a ``length``-code
    sequence (none when it is shorter than one window), then (0, length) for the whole."""
    if window < 1 or hop < 1:
        raise ValueError(f"window and hop must be >= 1, not {window} and {hop}")
    return [(start, start + window) for start in range(0, length - window + 1, hop)] + [(0, length)]


def projection_checksum(hash_checksum: str, projection_sha256: str, window: int, hop: int,
                        hubness: dict | None = None) -> str:
    """The profile representation's checksum: the DHS model's, the projection file's sha256, the
    query windows and the hubness correction if any (a change to any of them changes what an
    index stores or is compared to)."""
    payload = {"hash": hash_checksum, "projection": projection_sha256, "window": window, "hop": hop}
    if hubness is not None:
        payload["hubness"] = hubness
    return sha256_bytes(json.dumps(payload, sort_keys=True).encode())


def _check_shapes(folder, arrays: dict[str, np.ndarray]) -> None:
    """ModelFileError unless ``arrays`` are a linear projection, mean (1552,) and components
    (1552, dims), or a perceptron, which also has hidden_weights (1552, H), hidden_bias (H,),
    components (H, dims) and bias (dims,)."""
    perceptron = "hidden_weights" in arrays
    width = arrays["hidden_weights"].shape[-1] if perceptron else FEATURES
    dims = arrays["components"].shape[-1] if "components" in arrays else 0
    expected = {"mean": (FEATURES,), "components": (width, dims)}
    if perceptron:
        expected.update(hidden_weights=(FEATURES, width), hidden_bias=(width,), bias=(dims,))
    wrong = {key: arrays[key].shape if key in arrays else "missing" for key, shape in expected.items()
             if key not in arrays or arrays[key].shape != shape}
    if wrong:
        raise ModelFileError(f"{folder}: projection arrays must be mean ({FEATURES},) and components ({FEATURES}, "
                             f"dims), or with hidden_weights ({FEATURES}, H), hidden_bias (H,), components "
                             f"(H, dims) and bias (dims,); wrong: {wrong}")


class CodeProfileModel:
    """``encode(frames (T, 48), side)`` -> (dims,) float32 for "audio", (W, dims) for "midi"
    (dims: 64, or 65 with a hubness correction).

    ``model_dir``: a folder with ``card.json`` and the projection it names (default: the shipped
    ``<name>/<version>``); the model's name and version are its card's. ``hash_model``: the DHS
    model whose codes are profiled; its checksum must be the one the card was fitted on.
    """

    kind = "embedding"

    def __init__(self, hash_model, name: str = "profile", version: str | None = None, model_dir=None):
        folder, self.card = read_card(model_dir or package_model_dir(name, version))
        spec = self.card["files"]["projection"]
        data = read_checked(folder, spec)
        self.name, self.version = self.card["name"], self.card["version"]
        derived = self.card["derived_from"]
        if hash_model.checksum != derived["checksum"]:
            raise ModelMismatchError(
                f"{self.name} {self.version} was fitted on {derived['name']} codes with checksum "
                f"{derived['checksum'][:12]}, but the installed {hash_model.name} has {hash_model.checksum[:12]}: "
                f"refit it with `seqretrieve train profile`")
        self.window, self.hop = int(self.card["window"]), int(self.card["hop"])
        hubness = self.card.get("hubness")
        self.hubness = None if hubness is None else HubnessCorrection.load(folder, hubness)  # v6 on
        self.checksum = projection_checksum(hash_model.checksum, spec["sha256"], self.window, self.hop,
                                            None if self.hubness is None else self.hubness.record)
        if self.card.get("checksum") != self.checksum:
            raise ModelFileError(f"{folder.joinpath('card.json')}: checksum does not match its projection, "
                                 f"codes and windows")
        with np.load(io.BytesIO(data)) as npz:
            arrays = {key: np.asarray(npz[key], np.float32) for key in npz.files}
        _check_shapes(folder, arrays)
        self.mean, self.components = arrays["mean"], arrays["components"]  # (1552,), (1552 or H, dims)
        perceptron = "hidden_weights" in arrays
        self.hidden = (arrays["hidden_weights"], arrays["hidden_bias"]) if perceptron else None  # (1552, H), (H,)
        self.bias = arrays["bias"] if perceptron else None  # (dims,)
        self.hash_model = hash_model
        self.extractor = hash_model.extractor
        self.min_frames = hash_model.min_frames

    @property
    def dims(self) -> int:
        """Encoded width: the projection's, plus the hubness correction's dimension if any."""
        return self.components.shape[1] + (self.hubness is not None)

    def project(self, profiles: np.ndarray) -> np.ndarray:
        """(..., 1552) code profiles -> (..., dims) float32: ``(p - mean) @ components``, or for a
        perceptron ``relu((p - mean) @ hidden_weights + hidden_bias) @ components + bias``."""
        x = np.asarray(profiles, np.float32) - self.mean
        if self.hidden is not None:
            x = np.maximum(x @ self.hidden[0] + self.hidden[1], 0)
            return (x @ self.components + self.bias).astype(np.float32)
        return (x @ self.components).astype(np.float32)

    @property
    def derived_from(self):
        """The DHS model whose codes are profiled (a query's codes are shared with its matcher)."""
        return self.hash_model

    def encode(self, frames: np.ndarray, side: str) -> np.ndarray:
        """CQT frames (T, 48) -> (dims,) float32 for side "audio", (W, dims) for side "midi"
        (one row per window of :func:`window_bounds`, the whole query last)."""
        return self.from_source(self.hash_model.encode(frames, side), side)  # both check the side

    def from_source(self, codes: np.ndarray, side: str) -> np.ndarray:
        """:meth:`encode` from the DHS codes (T,) uint32 of the frames instead of the frames."""
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, not {side!r}")
        if side == "audio":
            vector = self.project(profile_features(codes))
            return vector if self.hubness is None else self.hubness.entries(vector)[0]
        bounds = window_bounds(len(codes), self.window, self.hop)
        windows = self.project(np.stack([profile_features(codes[start:end]) for start, end in bounds]))
        return windows if self.hubness is None else self.hubness.queries(windows)
