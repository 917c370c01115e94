"""Keras model -> ``.tflite`` bytes with a variable time axis, and the model card writer."""

from __future__ import annotations

import json
from pathlib import Path

from ..models.runtime import SIDES, representation_checksum, sha256_bytes
from .networks import N_BINS


def to_tflite(model, float16: bool) -> bytes:
    """Convert ``model`` (input (B, T, 48)) to TFLite with input (1, T, 48), T variable."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    def forward(x):
        return model(x, training=False)

    concrete = tf.function(forward).get_concrete_function(tf.TensorSpec([1, None, N_BINS], tf.float32))
    # Keras 3 variables stay resource variables (READ_VARIABLE fails in TFLite) unless frozen.
    converter = tf.lite.TFLiteConverter.from_concrete_functions([convert_variables_to_constants_v2(concrete)])
    if float16:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def write_model(folder: Path, files: dict[str, bytes], card: dict) -> dict:
    """Write ``model_<side>.tflite`` for both sides and ``card.json`` (sha256s and checksum
    filled in) into ``folder``; returns the completed card."""
    folder.mkdir(parents=True, exist_ok=True)
    card = dict(card)
    card["files"] = {}
    for side in SIDES:
        name = f"model_{side}.tflite"
        (folder / name).write_bytes(files[side])
        card["files"][side] = {"path": name, "sha256": sha256_bytes(files[side])}
    card["checksum"] = representation_checksum(
        {s: card["files"][s]["sha256"] for s in SIDES}, card["standardisation"]
    )
    (folder / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
