"""Test helpers for the index: generated clips, a cheap feature extractor, and a build runner.

Run as a script (``python index_fakes.py SOURCE INDEX [--delay S] [--batch N]``) it builds with
the fake extractor in this process and, like the CLI, prints one ``error:`` line and exits 1 on a
:class:`SeqretrieveError`; the fault tests kill or starve that process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from seqretrieve.types import FeatureSequence


def write_clips(folder: Path, n: int, seconds: float = 2.0, rate: int = 8000, seed: int = 0,
                prefix: str = "clip") -> list[Path]:
    """``n`` distinct mono WAV clips (a sine at a random pitch plus noise) named ``<prefix>NNN.wav``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    paths = []
    for i in range(n):
        tone = 0.3 * np.sin(2 * np.pi * rng.uniform(110, 880) * t) + 0.01 * rng.standard_normal(len(t))
        path = folder / f"{prefix}{i:03d}.wav"
        sf.write(path, tone.astype(np.float32), rate)
        paths.append(path)
    return paths


class FakeExtractor:
    """A cheap extractor: per frame, the mean |sample| in each of ``n_bins`` sub-blocks -> (T, n_bins).

    ``delay`` seconds of sleep per file widen the window in which a test can kill a build.
    """

    name = "fake"
    sample_rate = 8000

    def __init__(self, n_bins: int = 48, frame_rate: float = 50.0, delay: float = 0.0):
        self.n_bins = n_bins
        self.frame_rate = frame_rate
        self.delay = delay

    def params(self) -> dict:
        return {"n_bins": self.n_bins, "frame_rate": self.frame_rate}

    def from_samples(self, samples: np.ndarray, sample_rate: int) -> FeatureSequence:
        time.sleep(self.delay)
        hop = int(sample_rate / self.frame_rate)
        n = len(samples) // hop
        blocks = np.abs(samples[: n * hop]).reshape(n, hop)[:, : hop // self.n_bins * self.n_bins]
        frames = blocks.reshape(n, self.n_bins, -1).mean(axis=2)
        return FeatureSequence(frames.astype(np.float32), self.frame_rate, self.name, self.params())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("index")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()

    from seqretrieve.errors import SeqretrieveError
    from seqretrieve.index.build import build_index

    try:
        summary = build_index([args.source], args.index, extractor=FakeExtractor(delay=args.delay),
                              batch_size=args.batch)
    except SeqretrieveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"added": summary.added, "skipped": summary.skipped, "failed": summary.failed}))


if __name__ == "__main__":
    main()
