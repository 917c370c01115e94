"""The one timing helper every benchmark section uses."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(work: Callable[[], object], repeats: int, warmup: bool = True) -> float:
    """Median wall time of ``work()`` over ``repeats`` calls, after one untimed warm-up call
    (numba compilation or cache load, BLAS set-up, first CQT) unless ``warmup`` is False."""
    if warmup:
        work()
    times = []
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
