"""Two writers on one index, and failure records that outlive their cause."""

from __future__ import annotations

import os

from seqretrieve.index.lock import LOCK_FILE
from seqretrieve.index.store import Index

from ..index.index_fakes import write_clips
from .helpers import entries, run_cli, start_cli, wait_until


def test_second_writer_is_refused_with_a_clear_line_and_the_first_goes_on(tmp_path):
    write_clips(tmp_path / "clips", 20)
    index = tmp_path / "ix"
    first = start_cli("index", "build", tmp_path / "clips", "--index", index, "--extractor", "fake",
                      "--workers", 1, delay=1.0)  # 20 s: far longer than the checks below
    assert wait_until(lambda: (index / LOCK_FILE).exists())
    for second in (("index", "build", tmp_path / "clips", "--extractor", "fake", "--workers", 1),
                   ("index", "update")):
        refused = run_cli(*second, "--index", index)
        assert first.poll() is None, "the first build ended too soon for this test"
        err = refused.stderr.decode()
        assert refused.returncode == 1 and err.count("\n") == 1, err
        assert f"error: the index at {index} is being written by `seqretrieve index build` (pid {first.pid})" in err
    first.terminate()
    first.communicate(timeout=60)
    finish = run_cli("index", "build", tmp_path / "clips", "--index", index, "--extractor", "fake")
    assert finish.returncode == 0, finish.stderr
    with Index.open(index) as opened:
        assert len(opened) == 20 and opened.failures() == {} and opened.verify() == []


def test_a_killed_writer_never_blocks_the_next(tmp_path):
    write_clips(tmp_path / "clips", 10)
    index = tmp_path / "ix"
    first = start_cli("index", "build", tmp_path / "clips", "--index", index, "--extractor", "fake",
                      "--workers", 1, delay=0.2)
    assert wait_until(lambda: (index / LOCK_FILE).exists())
    first.kill()
    first.communicate()
    again = run_cli("index", "build", tmp_path / "clips", "--index", index, "--extractor", "fake", "--workers", 1)
    assert again.returncode == 0, again.stderr


def test_failure_of_a_file_now_indexed_disappears(tmp_path):
    clip = write_clips(tmp_path / "clips", 1)[0]
    index = tmp_path / "ix"
    assert run_cli("index", "build", clip, "--index", index, "--extractor", "fake").returncode == 0
    with Index.create(index) as opened:  # as a racing second build used to leave it
        opened.record_failure(str(clip), f"{clip}: entry id 'clip000' is already in the index")
    result = run_cli("index", "build", clip, "--index", index, "--extractor", "fake")
    assert result.returncode == 0, result.stderr
    with Index.open(index) as opened:
        assert opened.failures() == {}


def test_readers_during_a_cli_build_see_whole_commits(tmp_path):
    write_clips(tmp_path / "clips", 24)
    index = tmp_path / "ix"
    build = start_cli("index", "build", tmp_path / "clips", "--index", index, "--extractor", "fake",
                      "--workers", 1, delay=0.05)
    seen = []
    while build.poll() is None:
        info = run_cli("index", "verify", "--index", index, "--json") if os.path.isdir(index) else None
        if info is not None and info.returncode == 0:
            seen.append(int(info.stdout.decode().split('"entries": ')[1].split(",")[0]))
    build.communicate()
    assert seen == sorted(seen), seen
    assert entries(index) == 24
