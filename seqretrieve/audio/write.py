"""Writing audio files so that a killed or concurrent writer never leaves a half-written file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def write_wav_atomically(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write (n,) float32 ``samples`` as 16-bit WAV: to a temporary name, then renamed into place."""
    import soundfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")  # no audio extension: never indexed
    soundfile.write(str(tmp), np.clip(samples, -1.0, 1.0), sample_rate, format="WAV", subtype="PCM_16")
    tmp.replace(path)
