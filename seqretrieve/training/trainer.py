"""Train a DHS ("hash") or PSE ("embed") model pair, early-stop on validation, export and card.

The validation measure is the Bhattacharyya coefficient (BC) of matched vs unmatched distances
on fixed validation crops (Hamming distances of packed codes for DHS, squared Euclidean for PSE);
lower is better. The exported model is evaluated again through the TFLite runtime; float16
weights are kept only if that BC is within 0.01 of the float32 export's.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..models.encoders import pack_bits
from ..models.runtime import SIDES, TFLiteRunner
from .losses import bhattacharyya
from .pairs import Pair, aligned_crops, at_recording_tempo, matched_crops, standardisation


@dataclass
class TrainConfig:
    """Hyper-parameters (defaults: the guide's loss; batches and crops sized for a shared CPU)."""

    kind: str  # "hash" or "embed"
    steps: int = 3000
    batch: int = 50
    length: int = 100  # DHS crop; PSE audio crops vary in [length, 4 * length], MIDI crops 2-3x that
    learning_rate: float = 1e-3
    alpha: float = 5.3
    margin: float = 4.0
    beta: float = 0.05
    loss: str = "contrastive"  # or "infonce" (embeddings only)
    temperature: float = 4.0
    eval_every: int = 100
    patience: int = 8
    seed: int = 0
    val_crops: int = 200
    hidden: int = 256  # units of the per-step Dense layer(s)
    natural_timing: bool = False  # DHS: MIDI resampled to the recording's tempo (pairs.at_recording_tempo)


NAMES = {"hash": ("dhs", "hash"), "embed": ("pse", "embedding")}


def _standardise(frames: np.ndarray, stats: dict) -> np.ndarray:
    return ((frames - np.asarray(stats["mean"], np.float32)) / np.asarray(stats["std"], np.float32)).astype(np.float32)


class _Validation:
    """Fixed validation crops and the BC of any (audio_fn, midi_fn) encoder pair on them."""

    def __init__(self, pairs: list[Pair], config: TrainConfig, stats: dict):
        rng = np.random.default_rng(12345)
        self.kind = config.kind
        if config.kind == "hash":
            audio, midi = aligned_crops(pairs, rng, config.val_crops, config.length)
        else:
            audio, midi = matched_crops(pairs, rng, config.val_crops, 8 * config.length, 3 * config.length)
        self.audio = _standardise(audio, stats["audio"])
        self.midi = _standardise(midi, stats["midi"])

    def measure(self, audio_fn: Callable, midi_fn: Callable) -> dict:
        """``*_fn``: (B, T, 48) -> outputs. Returns {"bhattacharyya": ..., ...}."""
        a, m = np.asarray(audio_fn(self.audio)), np.asarray(midi_fn(self.midi))
        if self.kind == "hash":
            ca, cm = (pack_bits(x.reshape(-1, x.shape[-1])).reshape(x.shape[:2]) for x in (a, m))
            matched = np.bitwise_count(ca ^ cm).ravel()
            unmatched = np.bitwise_count(ca ^ np.roll(cm, 1, axis=0)).ravel()
            return {
                "bhattacharyya": bhattacharyya(matched, unmatched, bins=33),
                "mean_hamming_matched": float(matched.mean()),
                "mean_hamming_unmatched": float(unmatched.mean()),
            }
        distances = ((m[:, None, :] - a[None, :, :]) ** 2).sum(-1)  # (B MIDI, B audio)
        matched = np.diag(distances)
        unmatched = distances[~np.eye(len(distances), dtype=bool)]
        ranks = 1 + (distances < matched[:, None]).sum(axis=1)
        return {
            "bhattacharyya": bhattacharyya(matched, unmatched),
            "crop_mrr": float(np.mean(1.0 / ranks)),
            "crops": int(len(distances)),
        }


def _settings(config: TrainConfig) -> dict:
    """The settings a checkpoint must share with the run that resumes it."""
    return {key: value for key, value in asdict(config).items() if key not in ("eval_every",)}


def train(config: TrainConfig, train_pairs: list[Pair], val_pairs: list[Pair], log=print,
          checkpoint: Path | None = None):
    """Train both sides; returns (audio model, midi model, standardisation, history, best metrics).

    With ``checkpoint`` (a folder), the run's state is saved there at every evaluation and a
    run with the same settings resumes from it (on the validation songs it started with; the
    train songs are whatever pairs exist now, so a growing corpus feeds a resumed run).
    """
    import keras
    import tensorflow as tf

    from . import checkpoint as checkpoints
    from .losses import contrastive_loss, info_nce_loss
    from .networks import embedding_network, hash_network

    keras.utils.set_random_seed(config.seed)
    if config.kind == "hash" and config.natural_timing:
        train_pairs = [at_recording_tempo(pair) for pair in train_pairs]
        val_pairs = [at_recording_tempo(pair) for pair in val_pairs]
    saved = checkpoints.load_state(checkpoint)
    if saved is not None:
        older = {**_settings(TrainConfig(config.kind)), **saved["settings"]}  # settings added since: defaults
        checkpoints.check_settings(checkpoint, older, _settings(config))
    stats = saved["stats"] if saved else standardisation(train_pairs)
    build = hash_network if config.kind == "hash" else embedding_network
    models = {side: build(f"{config.kind}_{side}", config.hidden) for side in SIDES}
    optimizer = keras.optimizers.Adam(config.learning_rate)
    variables = models["audio"].trainable_variables + models["midi"].trainable_variables
    optimizer.build(variables)
    validation = _Validation(val_pairs, config, stats)
    rng = np.random.default_rng(config.seed)
    best, best_weights, history, waited, first = None, None, [], 0, 1
    if saved is not None:
        arrays = checkpoints.load_arrays(checkpoint)
        for side in SIDES:
            models[side].set_weights(arrays[side])
        for variable, value in zip(optimizer.variables, arrays["optimizer"]):
            variable.assign(value)
        best_weights = {side: arrays[f"best_{side}"] for side in SIDES}
        best, history, waited, first = saved["best"], saved["history"], saved["waited"], saved["step"] + 1
        rng.bit_generator.state = saved["rng"]
        log(f"resumed {checkpoint} at step {saved['step']} (best BC {best['bhattacharyya']:.4f} at step {best['step']})")

    @tf.function(reduce_retracing=True)
    def step(audio, midi):
        with tf.GradientTape() as tape:
            a, m = models["audio"](audio, training=True), models["midi"](midi, training=True)
            if config.loss == "infonce":
                loss = info_nce_loss(a, m, config.temperature)
            else:
                loss = contrastive_loss(a, m, config.alpha, config.margin, config.beta)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    losses = []
    started = time.time() - (history[-1]["seconds"] if history else 0.0)
    for i in range(first, config.steps + 1):
        if waited >= config.patience:
            break
        if config.kind == "hash":
            audio, midi = aligned_crops(train_pairs, rng, config.batch, config.length)
        else:
            length = 8 * int(rng.integers(config.length // 8, config.length // 2 + 1))
            audio, midi = matched_crops(train_pairs, rng, config.batch, length * int(rng.integers(2, 4)), length)
        losses.append(float(step(_standardise(audio, stats["audio"]), _standardise(midi, stats["midi"]))))
        if i % config.eval_every:
            continue
        metrics = validation.measure(lambda x: models["audio"].predict(x, verbose=0, batch_size=100),
                                     lambda x: models["midi"].predict(x, verbose=0, batch_size=100))
        metrics.update(step=i, train_loss=float(np.mean(losses)), seconds=round(time.time() - started, 1))
        losses = []
        history.append(metrics)
        log(json.dumps(metrics))
        if best is None or metrics["bhattacharyya"] < best["bhattacharyya"]:
            best, waited = metrics, 0
            best_weights = {s: models[s].get_weights() for s in SIDES}
        else:
            waited += 1
            if waited >= config.patience:
                log(f"early stop at step {i}: no validation improvement in {waited} evaluations")
        if checkpoint is not None:
            checkpoints.save(checkpoint, {
                "step": i, "best": best, "history": history, "waited": waited, "rng": rng.bit_generator.state,
                "stats": stats, "validation_songs": [pair.song for pair in val_pairs],
                "settings": _settings(config)},
                {**{side: models[side].get_weights() for side in SIDES},
                 **{f"best_{side}": best_weights[side] for side in SIDES},
                 "optimizer": [np.asarray(v) for v in optimizer.variables]})
    if best_weights is None:
        from ..errors import UsageError

        raise UsageError(f"no evaluation ran: --steps must be at least {config.eval_every}")
    for side in SIDES:
        models[side].set_weights(best_weights[side])
    return models, stats, history, best, validation


def export(models: dict, stats: dict, validation: _Validation, log=print) -> tuple[dict, dict, str]:
    """TFLite bytes per side (float16 if it holds accuracy), their validation metrics, quantisation."""
    from .export import to_tflite

    def through_runtime(files):
        runners = {s: TFLiteRunner(files[s]) for s in SIDES}
        return validation.measure(lambda x: np.stack([runners["audio"](f) for f in x]),
                                  lambda x: np.stack([runners["midi"](f) for f in x]))

    full = {s: to_tflite(models[s], float16=False) for s in SIDES}
    half = {s: to_tflite(models[s], float16=True) for s in SIDES}
    full_metrics, half_metrics = through_runtime(full), through_runtime(half)
    log(f"tflite float32 {full_metrics}; float16 {half_metrics}")
    if half_metrics["bhattacharyya"] <= full_metrics["bhattacharyya"] + 0.01:
        return half, half_metrics, "float16"
    return full, full_metrics, "float32"


def card_for(config: TrainConfig, stats: dict, pairs_meta: dict, n_train: int, n_val: int,
             history: list, metrics: dict, quantisation: str, version: str) -> dict:
    """The model card (``files`` and ``checksum`` are added by ``write_model``)."""
    import tensorflow as tf

    name, kind = NAMES[config.kind]
    return {
        "name": name,
        "version": version,
        "kind": kind,
        "extractor": pairs_meta["extractor"],
        "extractor_params": pairs_meta["extractor_params"],
        "min_frames": 8,
        "input": {"shape": [1, "T", 48], "dtype": "float32", "standardised": "per bin, see standardisation"},
        "output": ({"shape": [1, "T // 8", 32], "packing": "sign bits -> uint32, little-endian"}
                   if kind == "hash" else {"shape": [1, 128], "distance": "squared euclidean"}),
        "architecture": ("conv 16/32/64 (3x3, 2x2 max-pool) -> " +
                         (f"Dense {config.hidden} ReLU -> 32 tanh per step" if kind == "hash" else
                          f"Dense {config.hidden} ReLU -> feed-forward attention -> Dense {config.hidden} ReLU -> 128 tanh")
                         + "; shrunk from the guide's 2 x 2048 to train on a shared 2-core CPU"),
        "quantisation": quantisation,
        "standardisation": stats,
        "training": {
            "data": pairs_meta,
            "split": "pop909 song number mod 4: 0 test, 1 validation, 2-3 train (seqretrieve.training.split)",
            "train_songs": n_train,
            "validation_songs": n_val,
            "loss": (f"symmetric InfoNCE over the batch, temperature {config.temperature}" if config.loss == "infonce"
                     else f"contrastive: alpha {config.alpha}, margin {config.margin}, beta {config.beta}"),
            "optimizer": f"Adam lr {config.learning_rate}",
            "batch": config.batch,
            "crop_length": config.length,
            "natural_timing": config.natural_timing,
            "steps_run": history[-1]["step"] if history else 0,
            "seed": config.seed,
            "tensorflow": tf.__version__,
            "python": platform.python_version(),
        },
        "metrics": {"validation": metrics, "history": history},
    }


def train_and_write(config: TrainConfig, pairs_dir: Path, out_dir: Path, version: str = "1",
                    limit: int | None = None, log=print, validation_limit: int | None = None,
                    checkpoint: Path | None = None) -> dict:
    """The whole ``seqretrieve train hash|embed`` job; returns the written card. ``limit`` caps
    the songs of each split (first in song order); ``validation_limit`` the validation split's;
    ``checkpoint``: the folder a stopped run resumes from (see :func:`train`)."""
    from . import checkpoint as checkpoints
    from .export import write_model
    from .pairs import load_pairs

    pairs_meta = json.loads((pairs_dir / "meta.json").read_text())
    train_pairs = load_pairs(pairs_dir / "train", limit)
    saved = checkpoints.load_state(checkpoint)
    if saved is None:
        val_pairs = load_pairs(pairs_dir / "validation", validation_limit or limit)
    else:
        val_pairs = load_pairs(pairs_dir / "validation", names=saved["validation_songs"])
    if len(train_pairs) < 2 or len(val_pairs) < 2:
        from ..errors import SeqretrieveError

        raise SeqretrieveError(f"{pairs_dir}: needs pairs in train/ and validation/ (run `seqretrieve train data`)")
    log(f"{len(train_pairs)} train and {len(val_pairs)} validation songs")
    models, stats, history, best, validation = train(config, train_pairs, val_pairs, log, checkpoint)
    files, metrics, quantisation = export(models, stats, validation, log)
    metrics["keras_best"] = best
    card = card_for(config, stats, pairs_meta, len(train_pairs), len(val_pairs), history, metrics,
                    quantisation, version)
    name = NAMES[config.kind][0]
    return write_model(out_dir / name / version, files, card)
