"""Shipped-model runtime: model cards, checksums and a TFLite runner with a variable time axis.

A model lives in ``seqretrieve/models/<name>/<version>/`` as ``model_audio.tflite``,
``model_midi.tflite`` and ``card.json``. The card records, per side, the file's sha256 and the
per-bin standardisation (mean, std: 48 floats each) learned from training data; the
representation checksum (stored in an index's meta) is derived from both files and the
standardisation. Inference goes through ``ai_edge_litert`` only; TensorFlow is never imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping

import numpy as np

from ..errors import ModelFileError

SIDES = ("audio", "midi")



def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def representation_checksum(file_sha: Mapping[str, str], standardisation: Mapping[str, Any]) -> str:
    """One checksum for a two-sided model: both files' sha256 plus the standardisation."""
    payload = json.dumps(
        {"files": {s: file_sha[s] for s in SIDES}, "standardisation": standardisation},
        sort_keys=True,
    )
    return sha256_bytes(payload.encode())


@dataclass(frozen=True)
class ModelCard:
    """A parsed ``card.json`` and the raw bytes of its two model files (sha256 verified)."""

    card: dict
    files: dict[str, bytes]

    @property
    def checksum(self) -> str:
        return self.card["checksum"]

    def mean_std(self, side: str) -> tuple[np.ndarray, np.ndarray]:
        """Per-bin standardisation of ``side``: two (D,) float32 arrays."""
        entry = self.card["standardisation"][side]
        return np.asarray(entry["mean"], np.float32), np.asarray(entry["std"], np.float32)


def package_model_dir(name: str, version: str):
    """The resource folder of a shipped model (a ``Traversable``)."""
    return resources.files("seqretrieve.models").joinpath(name, version)


def read_card(folder) -> tuple[Any, dict]:
    """(folder as a path or ``Traversable``, its parsed ``card.json``); ModelFileError if none."""
    from pathlib import Path

    folder = Path(folder) if isinstance(folder, str) else folder
    card_file = folder.joinpath("card.json")
    if not card_file.is_file():
        raise ModelFileError(f"{card_file}: model card not found (model not shipped or trained?)")
    return folder, json.loads(card_file.read_text())


def read_checked(folder, spec: Mapping[str, str]) -> bytes:
    """The bytes of the file a card names (``spec``: ``{"path", "sha256"}``) in ``folder``,
    ModelFileError when it is missing or its sha256 differs."""
    path = folder.joinpath(spec["path"])
    if not path.is_file():
        raise ModelFileError(f"{path}: model file named by its card is missing")
    data = path.read_bytes()
    if sha256_bytes(data) != spec["sha256"]:
        raise ModelFileError(f"{path}: sha256 differs from card.json (corrupt or replaced file)")
    return data


def load_card(folder) -> ModelCard:
    """Read ``card.json`` and both model files from ``folder`` (a path or ``Traversable``),
    checking every sha256 and the combined checksum against the card."""
    folder, card = read_card(folder)
    card_file = folder.joinpath("card.json")
    files = {side: read_checked(folder, card["files"][side]) for side in SIDES}
    expected = representation_checksum(
        {s: card["files"][s]["sha256"] for s in SIDES}, card["standardisation"]
    )
    if card.get("checksum") != expected:
        raise ModelFileError(f"{card_file}: checksum does not match its files and standardisation")
    return ModelCard(card, files)


@contextmanager
def _native_stderr_silenced():
    """Hide what native code writes to file descriptor 2 meanwhile (TFLite's C++ logger prints
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." when tensors are first allocated);
    Python exceptions still propagate."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class TFLiteRunner:
    """Runs one ``.tflite`` model whose single input is (1, T, D) float32 with T variable.

    The interpreter is re-allocated only when T changes; one CPU thread by default.
    """

    def __init__(self, model_content: bytes, num_threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter = Interpreter(model_content=model_content, num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, ...] | None = None

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        """``frames``: (T, D) float32 -> the model's output without the batch axis."""
        batch = np.ascontiguousarray(frames, dtype=np.float32)[None]
        if batch.shape != self._shape:
            self._interpreter.resize_tensor_input(self._input, batch.shape, strict=False)
            with _native_stderr_silenced():
                self._interpreter.allocate_tensors()
            self._shape = batch.shape
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output)[0].copy()
