"""The part of a build that runs in worker processes: decode + extract, never touch the index.

Imported by spawned workers, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SeqretrieveError

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Extracted:
    """One file's outcome: ``frames`` (T, D) float32 and ``frame_rate``, or an ``error`` line."""

    path: str
    frames: np.ndarray | None = None
    frame_rate: float = 0.0
    error: str | None = None


def init_worker(parent_pid: int) -> None:
    """Initializer of a spawned extraction process: leave Ctrl-C to the parent (it stops the
    build) and exit when the parent dies, even by SIGKILL (Linux: the kernel's parent-death
    signal; elsewhere a thread that polls the parent's pid)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_exit_with, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _exit_with(parent_pid: int, every: float = 1.0) -> None:
    while os.getppid() == parent_pid:
        time.sleep(every)
    os._exit(1)


def extract_files(paths: list[str], extractor: Any, max_duration: float | None = None) -> list[Extracted]:
    """Features of each file in ``paths``; a file that fails gives an error line, not an exception.

    ``extractor``: a picklable extractor object (the parent resolves names in its registry);
    ``max_duration``: longest recording accepted, in seconds (None: the default limit).
    """
    from ..features.extract import features_from_audio_file

    limit = {} if max_duration is None else {"max_duration": max_duration}
    results = []
    for path in paths:
        try:
            features = features_from_audio_file(path, extractor, **limit)
            frames = np.ascontiguousarray(features.frames, dtype=np.float32)
            results.append(Extracted(path, frames, float(features.frame_rate)))
        except SeqretrieveError as exc:
            results.append(Extracted(path, error=str(exc)))
        except Exception as exc:  # a decoder or extractor crash on one odd file must not stop a build
            results.append(Extracted(path, error=f"{path}: unexpected {type(exc).__name__}: {exc}"))
    return results
