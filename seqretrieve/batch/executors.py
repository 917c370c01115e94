"""Where work runs: in this process, in local spawned processes, or on a Dask cluster.

Everything returns a ``concurrent.futures.Executor`` (Dask's ``Client.get_executor()`` is one),
so the batch driver and the index build are the same code on a laptop and on a cluster.
"""

from __future__ import annotations

from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from ..errors import SeqretrieveError


@dataclass(frozen=True)
class Pool:
    """An executor, how many tasks it runs at once (``slots``) and a description for the runs table."""

    executor: Executor
    slots: int
    label: str
    inline: bool = False


@contextmanager
def pool(workers: int = 1, scheduler: str | None = None) -> Iterator[Pool]:
    """``scheduler``: a Dask scheduler address (``tcp://host:8786``) -> its workers; else
    ``workers`` > 1 local spawned processes; else this process. Shut down on exit."""
    if scheduler:
        with _dask(scheduler) as found:
            yield found
        return
    if workers > 1:
        from ..index.pool import worker_pool

        executor = worker_pool(workers)  # workers that die with this process, even by SIGKILL
        try:
            yield Pool(executor, workers, f"{workers} local processes")
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        return
    from ..index.build import _InlineExecutor

    yield Pool(_InlineExecutor(), 1, "1 process (inline)", inline=True)


@contextmanager
def _dask(address: str) -> Iterator[Pool]:
    try:
        from distributed import Client
    except ImportError as exc:
        raise SeqretrieveError("--scheduler needs Dask: pip install 'seqretrieve[dask]'") from exc
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise SeqretrieveError(f"cannot reach the Dask scheduler at {address} ({exc})") from exc
    try:
        slots = sum(client.nthreads().values())
        if not slots:
            raise SeqretrieveError(f"the Dask scheduler at {address} has no workers; start some with "
                                   f"`dask worker {address}`")
        yield Pool(client.get_executor(pure=False), slots, f"dask {address} ({slots} worker threads)")
    finally:
        client.close()
