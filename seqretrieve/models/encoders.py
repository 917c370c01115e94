"""The two learned representations built on shipped TFLite models.

- :class:`HashSequenceModel` ("dhs", kind ``"hash"``): CQT frames (T, 48) -> (T // 8,) uint32,
  each code the signs of 32 tanh outputs packed little-endian (bit k = output k > 0).
- :class:`EmbeddingModel` ("pse", kind ``"embedding"``): CQT frames (T, 48) -> (E,) float32.

Both standardise each bin with the side's mean/std from the card, then run the side's network.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelMismatchError
from .runtime import SIDES, ModelCard, TFLiteRunner, load_card, package_model_dir, read_card


def pack_bits(outputs: np.ndarray) -> np.ndarray:
    """(T, 32) real outputs -> (T,) uint32, bit k set where output k > 0."""
    if outputs.ndim != 2 or outputs.shape[1] != 32:
        raise ValueError(f"expected (T, 32) hash outputs, got {outputs.shape}")
    bits = np.packbits(outputs > 0, axis=1, bitorder="little")  # (T, 4) uint8
    return np.ascontiguousarray(bits).view("<u4")[:, 0].astype(np.uint32)


class _TwoSidedModel:
    """Shared parts: card, standardisation, one lazily created runner per side."""

    kind = ""

    def __init__(self, name: str, version: str, model_dir: str | None = None, num_threads: int = 1):
        self.name = name
        self.version = version
        self._card: ModelCard = load_card(model_dir or package_model_dir(name, version))
        self.checksum = self._card.checksum
        self.extractor = self._card.card["extractor"]
        self.min_frames = int(self._card.card.get("min_frames", 8))
        self._num_threads = num_threads
        self._runners: dict[tuple, TFLiteRunner] = {}

    @classmethod
    def from_folder(cls, folder, num_threads: int = 1):
        """The model in ``folder`` (a trained or shipped ``<name>/<version>/``), named and
        versioned by its card."""
        folder, card = read_card(folder)
        return cls(card["name"], card["version"], model_dir=folder, num_threads=num_threads)

    @property
    def card(self) -> dict:
        return self._card.card

    def _run(self, frames: np.ndarray, side: str, shape=None) -> np.ndarray:
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}, not {side!r}")
        frames = np.asarray(frames, np.float32)
        if frames.ndim != 2 or frames.shape[1] != len(self._card.mean_std(side)[0]):
            raise ModelMismatchError(
                f"{self.name}: expected (T, {len(self._card.mean_std(side)[0])}) "
                f"{self.extractor} frames, got {frames.shape}"
            )
        if len(frames) < self.min_frames:  # too short for the pooling: repeat the last frame
            pad = np.repeat(frames[-1:] if len(frames) else np.zeros_like(frames[:1]),
                            self.min_frames - len(frames), axis=0)
            frames = np.concatenate([frames, pad])
        mean, std = self._card.mean_std(side)
        return self._runner(side, shape)((frames - mean) / std)

    def _runner(self, side: str, shape=None) -> TFLiteRunner:
        """The side's interpreter for inputs of length ``shape`` (None: one interpreter for any
        length, re-allocated when it changes)."""
        if (side, shape) not in self._runners:
            self._runners[side, shape] = TFLiteRunner(self._card.files[side], self._num_threads)
        return self._runners[side, shape]


#: a hash sequence longer than this many frames is encoded in chunks of this many frames (the
#: last one 0-7 frames longer), so the interpreter is allocated once per chunk shape and process
#: instead of once per length (the allocation costs about as much as the run)
CHUNK_FRAMES = 1024
#: frames of context on each side of the codes kept from a chunk: more than the front end's
#: receptive field (3 x [3x3 conv, 2x2 pool]: 22 frames), so they are the whole sequence's codes
CHUNK_MARGIN = 32
#: frames per code (the front end's total pooling)
STRIDE = 8


class HashSequenceModel(_TwoSidedModel):
    """Downsampled hash sequences: ``encode(frames (T, 48), side) -> (T // 8,) uint32``."""

    kind = "hash"

    def encode(self, frames: np.ndarray, side: str) -> np.ndarray:
        frames = np.asarray(frames, np.float32)
        if len(frames) <= CHUNK_FRAMES + 2 * CHUNK_MARGIN:
            return pack_bits(self._run(frames, side))
        return pack_bits(np.concatenate(list(self._chunk_outputs(frames, side))))

    def _chunk_outputs(self, frames: np.ndarray, side: str):
        """The (T // 8, 32) outputs of long ``frames`` (T, 48) in pieces: chunks of CHUNK_FRAMES
        starting at multiples of the stride, each kept from where the previous one's kept codes
        end to CHUNK_MARGIN frames before its own end; the last chunk ends at T."""
        step = CHUNK_FRAMES - 2 * CHUNK_MARGIN
        last = (len(frames) - CHUNK_FRAMES) // STRIDE * STRIDE  # the last chunk's start
        done = 0  # codes yielded so far
        for start in range(0, last, step):
            outputs = self._run(frames[start:start + CHUNK_FRAMES], side, CHUNK_FRAMES)
            keep_to = (start + CHUNK_FRAMES - CHUNK_MARGIN) // STRIDE
            yield outputs[done - start // STRIDE:keep_to - start // STRIDE]
            done = keep_to
        tail = frames[last:]
        yield self._run(tail, side, len(tail))[done - last // STRIDE:]


class EmbeddingModel(_TwoSidedModel):
    """Pruning subsequence embedding: ``encode(frames (T, 48), side) -> (E,) float32``."""

    kind = "embedding"

    def encode(self, frames: np.ndarray, side: str) -> np.ndarray:
        return np.asarray(self._run(frames, side), np.float32).reshape(-1)
