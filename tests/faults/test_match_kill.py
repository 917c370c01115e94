"""`seqretrieve match` with local workers, SIGKILLed at a random moment: no worker outlives it.
(What the results database keeps after a kill: tests/batch/test_match_dask.py.)"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest

from .helpers import cqt_index, session_processes, wait_until


@pytest.mark.parametrize("seed", [0, 1])
def test_match_killed_leaves_no_worker(tmp_path, seed):
    index = cqt_index(tmp_path / "ix", [f"e{i}" for i in range(20)])
    (tmp_path / "q").mkdir()
    for n in range(12):
        midi = pretty_midi.PrettyMIDI()
        piano = pretty_midi.Instrument(0)
        piano.notes = [pretty_midi.Note(90, 50 + (n + i) % 24, i * 0.3, i * 0.3 + 0.25) for i in range(20)]
        midi.instruments.append(piano)
        midi.write(str(tmp_path / "q" / f"q{n:02d}.mid"))
    command = [str(Path(sys.executable).parent / "seqretrieve"), "match", str(tmp_path / "q"), "--index", str(index),
               "--out", str(tmp_path / "r.sqlite"), "--workers", "2", "--pipeline", "brute-force"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    assert wait_until(lambda: len(session_processes(proc.pid)) >= 3 or proc.poll() is not None, timeout=120)
    wait_until(lambda: False, timeout=random.Random(seed).uniform(0.0, 3.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert wait_until(lambda: not session_processes(proc.pid), timeout=15), \
        f"orphaned processes: {session_processes(proc.pid)}"
