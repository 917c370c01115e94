"""Faults (GUIDE section 5): library builds killed at random moments, a full disk during LMDB
commits, readers during a build.

Each build runs in a child process (``index_fakes.py``, the fake extractor, one commit per
file); the test process kills or starves it and then checks the index it left.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seqretrieve.index.store import Index

from ..index.index_fakes import write_clips
from .helpers import entries

RUNNER = Path(__file__).parents[1] / "index" / "index_fakes.py"
N_GOOD = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """30 good 2-second clips and one broken file."""
    folder = tmp_path_factory.mktemp("corpus")
    write_clips(folder, N_GOOD)
    (folder / "zz-broken.wav").write_bytes(b"RIFF\x00\x00")
    return folder


def _start(corpus: Path, index: Path, delay: float = 0.03, limit_bytes: int | None = None) -> subprocess.Popen:
    def starve() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.Popen(
        [sys.executable, str(RUNNER), str(corpus), str(index), "--delay", str(delay), "--batch", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=starve if limit_bytes else None,
    )


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _check_complete(index: Path) -> None:
    with Index.open(index) as opened:
        ids = opened.ids()
        assert opened.verify() == []
        assert sorted(ids) == [f"clip{i:03d}" for i in range(N_GOOD)]  # nothing lost, nothing twice
        assert [opened.metadata(i)["row"] for i in ids] == list(range(N_GOOD))
        assert [Path(p).name for p in opened.failures()] == ["zz-broken.wav"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(corpus, tmp_path, seed):
    rng = random.Random(seed)
    index = tmp_path / "ix"
    states = []
    for attempt in range(3):
        proc = _start(corpus, index)
        if attempt == 0:
            time.sleep(rng.uniform(0.0, 0.6))  # anywhere: start-up, creation, first commits
        else:  # mid-build: once some more entries are committed, plus a random part of a commit
            target = min((states[-1] or 0) + rng.randint(1, 8), N_GOOD - 1)
            while proc.poll() is None and (entries(index) or 0) < target:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.03))
        _kill(proc)
        states.append(entries(index))
        if states[-1] is not None:
            with Index.open(index) as opened:
                assert opened.verify() == [], f"after kill {attempt} (seed {seed})"
    assert any(s is not None and 0 < s < N_GOOD for s in states), states  # some kills were mid-build
    finish = _start(corpus, index, delay=0.0)
    out, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, err
    _check_complete(index)


def test_full_disk_stops_cleanly_keeps_commits_and_resumes(corpus, tmp_path):
    index = tmp_path / "ix"
    proc = _start(corpus, index, delay=0.0, limit_bytes=300_000)  # ~ a third of the finished index
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(f"error: could not write to the index at {index}")
    assert "everything committed before is kept" in err
    with Index.open(index) as opened:
        kept = len(opened)
        assert opened.verify() == []
    assert 0 < kept < N_GOOD
    finish = _start(corpus, index, delay=0.0)
    out, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, err
    assert f'"skipped": {kept}' in out
    _check_complete(index)


def test_a_reader_sees_whole_commits_while_another_process_builds(corpus, tmp_path):
    index = tmp_path / "ix"
    proc = _start(corpus, index, delay=0.01)
    while entries(index) is None:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.005)
    counts = []
    with Index.open(index) as reader:  # one long-lived reader, as a query server would hold
        while proc.poll() is None:
            assert reader.verify() == []  # one read transaction: a consistent commit
            ids = reader.ids()
            assert len(ids) == len(set(ids))
            counts.append(len(ids))
        proc.communicate()
        assert len(reader) == N_GOOD and reader.verify() == []
    assert counts == sorted(counts) and len(set(counts)) > 2, counts
