"""A plain ``pip install .`` (no extra step) gives a working ``seqretrieve query``: the default
query path makes CQT frames from note templates, so TinySoundFont is not needed.

The fresh venv (without its own pip or setuptools) sees this environment's third-party packages,
pip and setuptools included, through a ``.pth`` file (offline and fast) but neither seqretrieve
itself nor TinySoundFont, so pip must build and install the project from the checkout, and the
query must run without a synthesizer library.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = ("seqretrieve", "__editable__", "_seqretrieve", "tinysoundfont", "pyaudio")


def _visible_dependencies(target: Path) -> Path:
    """A folder of links to this environment's site-packages entries, except HIDDEN ones."""
    target.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(HIDDEN) and entry.suffix != ".pth":
            (target / entry.name).symlink_to(entry)
    return target


@pytest.mark.slow
def test_plain_pip_install_can_query(tmp_path, small_index, example_queries):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "shared-dependencies.pth").write_text(f"{_visible_dependencies(tmp_path / 'deps')}\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-index",
                              "--no-build-isolation", str(ROOT)], capture_output=True, text=True, env=env, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    missing = subprocess.run([venv / "bin" / "python", "-c", "import tinysoundfont"], env=env, capture_output=True)
    assert missing.returncode != 0  # the query below cannot be using it
    query = subprocess.run([venv / "bin" / "seqretrieve", "query", example_queries[0], "--index", small_index, "--json"],
                           capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert query.returncode == 0, query.stderr
    hits = [json.loads(line) for line in query.stdout.splitlines()]
    assert hits[0]["id"] == example_queries[0].stem
    where = subprocess.run([venv / "bin" / "python", "-c", "import seqretrieve; print(seqretrieve.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout
    assert str(venv) in where  # the installed copy, not the checkout
