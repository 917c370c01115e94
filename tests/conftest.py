"""Shared fixtures: example MIDI files and a small real index built from rendered recordings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"


def run_cli(*args: str, env: dict | None = None, check: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``seqretrieve`` console script as a user would; returns the completed process."""
    command = [str(Path(sys.executable).parent / "seqretrieve"), *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def example_queries() -> list[Path]:
    """The demo's query MIDI files (40-second POP909 excerpts)."""
    return sorted((EXAMPLES / "queries").glob("*.mid"))


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, example_queries) -> Path:
    """A real LMDB index of 4 rendered recordings (other programs, tempo warp) of the first 4
    example queries, with their metadata; built once per test session."""
    from seqretrieve.demo import make_recording
    from seqretrieve.index.build import build_index
    from seqretrieve.registry import get_registry

    workdir = tmp_path_factory.mktemp("small-index")
    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    for seed, midi in enumerate(example_queries[:4]):
        make_recording(midi, workdir / "recordings" / f"{midi.stem}.wav", synthesizer, seed)
    build_index([str(workdir / "recordings")], str(workdir / "index"), metadata_file=str(EXAMPLES / "metadata.csv"), workers=1)
    return workdir / "index"
