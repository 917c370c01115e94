"""The spawned worker processes of a build (and of batch matching and the scale data build):
started with Ctrl-C blocked, ignoring it afterwards, dying with their parent."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from .worker import init_worker


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Spawned extraction processes that ignore Ctrl-C and die with this process."""
    with sigint_deferred():
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(os.getpid(),))


@contextmanager
def sigint_deferred(active: bool = True) -> Iterator[None]:
    """Block SIGINT while processes may be started: a Ctrl-C sent to the whole process group
    then never hits a child still starting up (it inherits the block), and reaches this process
    once the block ends (as multiprocessing's resource tracker does)."""
    if not active:
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
