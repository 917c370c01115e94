"""Signals at random moments of the real CLI (`index build` with 2 spawned workers, `index
update`): nothing lost or duplicated after a re-run, no orphaned process, and for Ctrl-C
(SIGINT to the process group, as a terminal sends it) and SIGTERM one line saying what was
committed and that re-running resumes."""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path

import pytest

from seqretrieve.index.lock import LOCK_FILE
from seqretrieve.index.store import Index

from ..index.index_fakes import write_clips
from .helpers import cqt_index, entries, run_cli, session_processes, start_cli, wait_until

N_CLIPS = 40


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    write_clips(folder, N_CLIPS, seconds=1.0)
    return folder


def _signal(proc, signum: int) -> None:
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground group
    else:
        os.kill(proc.pid, signum)  # `kill PID`: the parent alone, its workers must follow


def _stopped(proc, signum: int, finished) -> str:
    """Wait for the signalled command; check its exit status, orphans and message; stderr.

    ``finished()`` says whether the command's work was all done: a signal during the
    interpreter's own shutdown (which restores the default handlers) then kills it silently."""
    _, err = proc.communicate(timeout=60)
    err = err.decode()
    assert wait_until(lambda: not session_processes(proc.pid), timeout=15), \
        f"orphaned processes: {session_processes(proc.pid)}"
    if proc.returncode == 0:
        return ""  # it finished before the signal came
    if proc.returncode == -signum and signum != signal.SIGKILL and not err.strip():
        assert finished(), "killed by the signal's default action before its work was done"
        return ""
    if signum == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        return ""  # nothing can print; only multiprocessing's tracker may warn of leaked semaphores
    else:
        assert proc.returncode == 128 + signum, err
        assert "Traceback" not in err and err.count("\n") == 1, err  # one line, no leaked-semaphore noise
    return err


@pytest.mark.parametrize("signum,seed", [(signal.SIGKILL, 0), (signal.SIGKILL, 1), (signal.SIGTERM, 2),
                                         (signal.SIGINT, 3)])
def test_build_signalled_at_a_random_moment_resumes_without_loss_or_orphans(clips, tmp_path, signum, seed):
    index = tmp_path / "ix"
    proc = start_cli("index", "build", clips, "--index", index, "--workers", 2, "--extractor", "fake",
                     "--json", delay=0.1)
    assert wait_until(lambda: (index / "data.mdb").exists() or proc.poll() is not None)
    wait_until(lambda: False, timeout=random.Random(seed).uniform(0.0, 2.5))
    _signal(proc, signum)
    err = _stopped(proc, signum, finished=lambda: entries(index) == N_CLIPS)
    kept = entries(index) or 0
    if err.startswith("interrupted while encoding"):  # every clip was committed; models were loading
        assert kept == N_CLIPS and "seqretrieve index update" in err, err
    elif err:
        assert err.startswith("interrupted: ") and "run the same command again to resume" in err, err
        assert f"({kept} in all)" in err, err
    finish = run_cli("index", "build", clips, "--index", index, "--workers", 2, "--extractor", "fake", "--json")
    assert finish.returncode == 0, finish.stderr
    assert f'"skipped": {kept}' in finish.stdout.decode()
    with Index.open(index) as opened:
        assert opened.verify() == []
        assert sorted(opened.ids()) == [f"clip{i:03d}" for i in range(N_CLIPS)]  # none lost, none twice
        assert opened.failures() == {}


@pytest.fixture
def unencoded(tmp_path) -> Path:
    """A cqt index of 600 entries (random features) that no learned representation has encoded."""
    return cqt_index(tmp_path / "ix", [f"e{i:03d}" for i in range(600)])


@pytest.mark.parametrize("signum,seed", [(signal.SIGKILL, 0), (signal.SIGTERM, 1), (signal.SIGINT, 2)])
def test_update_signalled_at_a_random_moment_resumes(unencoded, signum, seed):
    proc = start_cli("index", "update", "--index", unencoded, "--json")
    assert wait_until(lambda: (unencoded / LOCK_FILE).exists() or proc.poll() is not None)
    wait_until(lambda: False, timeout=random.Random(seed).uniform(0.5, 4.0))
    _signal(proc, signum)
    err = _stopped(proc, signum, finished=lambda: _lacking(unencoded) == {"dhs": 0, "profile": 0, "pse": 0})
    if err:
        assert err.startswith("interrupted") and "seqretrieve index update" in err, err
    with Index.open(unencoded) as opened:
        assert len(opened) == 600  # features are never touched by an update
    finish = run_cli("index", "update", "--index", unencoded, "--json")
    assert finish.returncode == 0, finish.stderr
    with Index.open(unencoded) as opened:
        assert opened.verify() == []
    assert _lacking(unencoded) == {"dhs": 0, "profile": 0, "pse": 0}


def _lacking(index: Path) -> dict[str, int]:
    with Index.open(index) as opened:
        return opened.lacking_representations()


def test_a_bare_signal_outside_the_builds_own_handling_still_says_what_was_kept(tmp_path):
    from seqretrieve.cli.index import _says_what_was_kept
    from seqretrieve.errors import Interrupted

    index = cqt_index(tmp_path / "ix", ["a", "b"])
    with pytest.raises(Interrupted) as caught, _says_what_was_kept(index, "the same command"):
        raise Interrupted(signum=signal.SIGTERM)  # what the handler raises, e.g. while the summary prints
    assert caught.value.signum == signal.SIGTERM and caught.value.explained
    assert str(caught.value) == (f"interrupted: every commit is kept in the index at {index} (2 in all); "
                                 f"run the same command again to resume")
    told = Interrupted("interrupted: 3 new entries committed ...", signal.SIGINT)
    with pytest.raises(Interrupted) as caught, _says_what_was_kept(index, "the same command"):
        raise told
    assert caught.value is told  # a message that already says what was kept is left alone
