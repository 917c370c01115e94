"""Pytest fixtures and helpers for seqretrieve and its plugins' tests.

Use in a plugin's ``conftest.py``::

    pytest_plugins = ["seqretrieve.testing"]

Fixtures: ``example_queries`` (the demo's MIDI files) and ``small_index`` (a real LMDB index of
4 rendered recordings of them, built once per session). Both need the ``examples/`` folder of a
source checkout, which the installed package does not ship: without it they skip.
Helper: :func:`run_cli` runs the ``seqretrieve`` console script as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"


def run_cli(*args, env: dict | None = None, check: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``seqretrieve ARGS...`` in a subprocess; returns the completed process (text output)."""
    command = [str(Path(sys.executable).parent / "seqretrieve"), *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def example_queries() -> list[Path]:
    """The demo's query MIDI files (40-second POP909 excerpts)."""
    queries = sorted((EXAMPLES / "queries").glob("*.mid"))
    if not queries:
        pytest.skip("examples/queries is not available (not a source checkout)")
    return queries


def build_small_index(workdir: Path, queries: list[Path]) -> Path:
    """Render recordings (other programs, tempo warp; seeds 0..3) of the first 4 ``queries`` into
    ``workdir / "recordings"`` and index them with the examples' metadata; returns the index path."""
    from .demo import make_recording
    from .index.build import build_index
    from .registry import get_registry

    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    for seed, midi in enumerate(queries[:4]):
        make_recording(midi, workdir / "recordings" / f"{midi.stem}.wav", synthesizer, seed)
    build_index([str(workdir / "recordings")], str(workdir / "index"),
                metadata_file=str(EXAMPLES / "metadata.csv"), workers=1)
    return workdir / "index"


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, example_queries) -> Path:
    """A real LMDB index of 4 recordings (other programs, tempo warp) of the first 4 example
    queries, with their metadata; its WAVs are in ``small_index.parent / "recordings"``."""
    return build_small_index(tmp_path_factory.mktemp("small-index"), example_queries)
