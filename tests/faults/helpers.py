"""Shared by the fault tests: run the real CLI (fake extractor) in a child, read what it left."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from seqretrieve.errors import IndexStoreError
from seqretrieve.index.store import Entry, Index

RUNNER = Path(__file__).with_name("cli_runner.py")


def start_cli(*args: object, delay: float = 0.0, preexec_fn=None) -> subprocess.Popen:
    """``seqretrieve ARGS...`` in its own session (so its workers can be found by session id)."""
    env = {**os.environ, "FAKE_DELAY": str(delay)}
    return subprocess.Popen([sys.executable, str(RUNNER), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env, preexec_fn=preexec_fn)


def run_cli(*args: object, delay: float = 0.0, timeout: float = 120) -> subprocess.CompletedProcess:
    proc = start_cli(*args, delay=delay)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def entries(index: Path) -> int | None:
    """Entries committed so far, or None while there is no index yet."""
    try:
        with Index.open(index) as opened:
            return len(opened)
    except IndexStoreError:
        return None


def session_processes(session: int) -> list[int]:
    """Pids of the live (not zombie) processes of session ``session``."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[3]) == session and fields[0] != "Z":
            pids.append(int(name))
    return pids


def wait_until(condition, timeout: float = 60.0, every: float = 0.01) -> bool:
    """Poll ``condition()`` until true (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(every)
    return False


def cqt_index(path: Path, ids: list[str], n_frames: int = 120, seed: int = 0) -> Path:
    """Add entries ``ids`` with random cqt features to the index at ``path`` (made if missing);
    no learned representation is encoded."""
    from seqretrieve.index.build import extractor_record
    from seqretrieve.registry import get_registry

    rng = np.random.default_rng(seed)
    with Index.create(path) as index:
        if index.extractor is None:
            index.set_meta("extractor", extractor_record(get_registry().create("feature_extractor", "cqt")))
        index.put_entries([Entry(i, {"source": f"/x/{i}.wav", "n_frames": n_frames},
                                 {"features:cqt": rng.random((n_frames, 48), np.float32)}, f"hash-{i}")
                           for i in ids])
    return path
