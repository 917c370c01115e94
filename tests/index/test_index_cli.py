"""``seqretrieve index build|info|verify`` as a user runs them (the console script, real CQT)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import lmdb
import pytest
from .index_fakes import write_clips

from seqretrieve.index.store import Index

SCRIPT = Path(sys.executable).parent / "seqretrieve"


def _cli(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "300", **env})


def _ndjson(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def _one_error_line(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.mark.parametrize("command", ["info", "verify"])
def test_missing_index_is_one_error_line(tmp_path, command):
    _one_error_line(_cli("index", command, "--index", tmp_path / "none"),
                    f"no index at {tmp_path / 'none'}; build one with `seqretrieve index build")
    _one_error_line(_cli("index", command, SEQRETRIEVE_INDEX=str(tmp_path / "env")), "no index at")


def test_wrong_schema_is_one_error_line(tmp_path):
    with Index.create(tmp_path / "ix") as index:
        index.set_meta("schema_version", 7)
    _one_error_line(_cli("index", "info", "--index", tmp_path / "ix"), "schema version 7")


def test_build_info_verify_round_trip_with_two_workers(tmp_path):
    write_clips(tmp_path / "audio", 4, rate=22050)
    (tmp_path / "audio" / "bad.wav").write_bytes(b"this is not audio at all")  # mp3: libmpg123 chats on stderr
    (tmp_path / "cat.csv").write_text("id,artist,title\nclip001,Ann,Song\n")
    index = tmp_path / "ix"

    built = _cli("index", "build", tmp_path / "audio", "--index", index, "--metadata", tmp_path / "cat.csv",
                 "--workers", "2", "--json")
    assert built.returncode == 1  # a file failed
    lines = _ndjson(built.stdout)
    assert lines[0]["failed"].endswith("bad.wav") and "bad.wav" in lines[0]["error"]
    assert {k: lines[-1][k] for k in ("added", "skipped", "failed")} == {"added": 4, "skipped": 0, "failed": 1}
    assert lines[-1]["representations"] == {"dhs": 4, "profile": 4, "pse": 4}  # the shipped models encode new entries
    assert built.stderr == ""  # --json: no progress, no chatter

    again = _cli("index", "build", tmp_path / "audio", SEQRETRIEVE_INDEX=str(index))
    assert "0 added, 4 already indexed, 1 failed" in again.stdout and "failed:" in again.stdout

    info = _ndjson(_cli("index", "info", "--index", index, "--json").stdout)[0]
    assert info["entries"] == 4 and info["failures"] == 1 and info["extractor"]["name"] == "cqt"
    assert info["arrays"] == {"features:cqt": 4, "repr:dhs": 4, "repr:profile": 4, "repr:pse": 4} and info["size_bytes"] > 0
    text = _cli("index", "info", "--index", index, "--failures")
    assert text.returncode == 0 and "entries  4" in text.stdout and "bad.wav" in text.stdout
    with Index.open(index) as opened:
        assert opened.metadata("clip001")["artist"] == "Ann"

    ok = _cli("index", "verify", "--index", index, "--json")
    assert ok.returncode == 0 and _ndjson(ok.stdout) == [
        {"index": str(index), "entries": 4, "ok": True, "problems": 0}]
    env = lmdb.open(str(index), max_dbs=64)
    with env.begin(write=True) as txn:
        txn.delete(b"clip002", db=env.open_db(b"features:cqt", txn=txn))
    env.close()
    bad = _cli("index", "verify", "--index", index)
    assert bad.returncode == 1 and "entry 'clip002' has no features:cqt array" in bad.stdout


@pytest.mark.slow
def test_cli_build_killed_mid_way_resumes_without_loss(tmp_path):
    write_clips(tmp_path / "audio", 16, rate=22050, seconds=4.0)
    index = tmp_path / "ix"
    proc = subprocess.Popen([str(SCRIPT), "index", "build", str(tmp_path / "audio"), "--index", str(index),
                             "--workers", "2", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with Index.open(index) as opened:
                if len(opened) >= 2:
                    break
        except Exception:
            pass
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the builder and its spawned workers
    proc.communicate()
    with Index.open(index) as opened:
        kept = len(opened)
        assert opened.verify() == []
    resumed = _cli("index", "build", tmp_path / "audio", "--index", index, "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert _ndjson(resumed.stdout)[-1]["skipped"] == kept
    with Index.open(index) as opened:
        assert sorted(opened.ids()) == [f"clip{i:03d}" for i in range(16)] and opened.verify() == []
