"""``match`` and ``index build`` on a real Dask cluster (``distributed.LocalCluster`` with
process workers): the same results as a local run, a worker killed mid-run, the driver killed
with SIGKILL and run again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seqretrieve.batch.driver import run_match
from seqretrieve.batch.executors import pool
from seqretrieve.batch.work import MatchSettings
from seqretrieve.testing import run_cli

distributed = pytest.importorskip("distributed")

#: hits per query, and query rows expected (4 answers + 1 failure)
TOP = 3
ROWS = 5


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local:
        yield local


def settings(index: Path) -> MatchSettings:
    return MatchSettings((str(index),), "brute-force", top=TOP)


def answers(db: Path) -> list[tuple]:
    """Every query or failure with its hits, in a run-independent form (paths, ids, scores)."""
    with sqlite3.connect(db) as connection:
        hits = connection.execute(
            "SELECT q.path, h.rank, h.entry_id, ROUND(h.score, 6) FROM queries q JOIN hits h USING (query_id) "
            "ORDER BY q.path, h.rank").fetchall()
        failed = connection.execute("SELECT path, error FROM failures ORDER BY path").fetchall()
        counts = connection.execute("SELECT (SELECT COUNT(*) FROM queries) + (SELECT COUNT(*) FROM failures), "
                                    "(SELECT COUNT(DISTINCT path) FROM queries)").fetchone()
    assert counts == (ROWS, ROWS - 1), "every query exactly once"
    return hits + failed


@pytest.fixture(scope="module")
def local_answers(tmp_path_factory, small_index, query_dir) -> list[tuple]:
    out = tmp_path_factory.mktemp("local") / "results.sqlite"
    with pool(1) as inline:
        run_match([query_dir], out, settings(small_index), inline)
    return answers(out)


def test_cluster_results_equal_the_local_run(tmp_path, cluster, small_index, query_dir, local_answers):
    with pool(scheduler=cluster.scheduler_address) as dask:
        summary = run_match([query_dir], tmp_path / "r.sqlite", settings(small_index), dask)
    assert (summary.answered, summary.failed) == (4, 1)
    assert answers(tmp_path / "r.sqlite") == local_answers


@pytest.mark.faults
def test_a_worker_killed_mid_run_loses_nothing(tmp_path, cluster, small_index, query_dir, local_answers):
    client = distributed.Client(cluster.scheduler_address)
    pids = list(client.run(os.getpid).values())
    client.close()
    killed = []

    def kill_one_worker(done, total, answer):
        if not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(done)

    with pool(scheduler=cluster.scheduler_address) as dask:
        summary = run_match([query_dir], tmp_path / "r.sqlite", settings(small_index), dask, chunk_size=1,
                            progress=kill_one_worker)
    assert killed == [1] and summary.answered + summary.failed == ROWS
    assert answers(tmp_path / "r.sqlite") == local_answers


@pytest.mark.faults
def test_driver_killed_and_run_again_answers_each_query_once(tmp_path, cluster, small_index, query_dir,
                                                             local_answers):
    out = tmp_path / "r.sqlite"
    command = [str(Path(sys.executable).parent / "seqretrieve"), "match", str(query_dir), "--index", str(small_index),
               "--out", str(out), "--top", str(TOP), "--pipeline", "brute-force", "--chunk-size", "1"]
    driver = subprocess.Popen(command, env={**os.environ, "SEQRETRIEVE_SCHEDULER": cluster.scheduler_address},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        done_at_kill = 0
        while driver.poll() is None and not done_at_kill:
            time.sleep(0.1)
            try:
                with sqlite3.connect(f"file:{out}?mode=ro", uri=True) as connection:
                    done_at_kill = connection.execute(
                        "SELECT (SELECT COUNT(*) FROM queries) + (SELECT COUNT(*) FROM failures)").fetchone()[0]
            except sqlite3.OperationalError:  # not created yet, or its tables not yet
                pass
        driver.send_signal(signal.SIGKILL)
    finally:
        driver.wait()
    assert driver.returncode == -signal.SIGKILL and 0 < done_at_kill < ROWS
    again = run_cli(*command[1:], env={"SEQRETRIEVE_SCHEDULER": cluster.scheduler_address})
    assert again.returncode == 1 and "1 failed" in again.stdout, again.stderr  # bad.mid
    assert answers(out) == local_answers


def test_index_build_on_the_cluster(tmp_path, cluster):
    from tests.index.index_fakes import write_clips

    write_clips(tmp_path / "audio", 6, rate=22050)
    built = run_cli("index", "build", tmp_path / "audio", "--index", tmp_path / "ix", "--no-representations",
                    "--scheduler", cluster.scheduler_address, "--json", check=True)
    assert '"added": 6' in built.stdout
