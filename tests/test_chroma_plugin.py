"""The separately installable example plugin: installed by the test, found through its entry point,
used from the CLI (align and index build with ``--extractor chroma``)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from seqretrieve.testing import ROOT, run_cli


@pytest.fixture(scope="module")
def chroma_installed():
    if importlib.util.find_spec("seqretrieve_chroma") is None:
        installed = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e",
             str(ROOT / "plugins" / "seqretrieve-chroma")],
            capture_output=True, text=True, timeout=300,
        )
        assert installed.returncode == 0, f"installing the plugin failed:\n{installed.stdout}\n{installed.stderr}"
    return True


def test_plugin_is_listed_with_its_entry_point(chroma_installed):
    lines = [json.loads(line) for line in run_cli("plugins", "--json", check=True).stdout.splitlines()]
    plugin = next(line for line in lines if line["type"] == "plugin" and line["name"] == "chroma")
    assert plugin["source"].startswith("entry point") and "seqretrieve_feature_extractors" in plugin["hooks"]
    assert any(line["type"] == "feature_extractor" and line["name"] == "chroma" for line in lines)


def test_deny_list_hides_the_plugin(chroma_installed):
    result = run_cli("plugins", "--json", env={"SEQRETRIEVE_DISABLE_PLUGINS": "chroma"}, check=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"type": "plugin", "name": "chroma", "source": "blocked", "version": "-", "hooks": []} in lines
    assert not any(line["type"] == "feature_extractor" and line["name"] == "chroma" for line in lines)


def test_align_with_chroma_features(chroma_installed, small_index, example_queries):
    recording = small_index.parent / "recordings" / f"{example_queries[0].stem}.wav"
    summary = json.loads(run_cli("align", example_queries[0], recording, "--extractor", "chroma", "--json", check=True).stdout)
    assert summary["confidence"] >= 0.5


def test_index_and_query_with_chroma(chroma_installed, small_index, example_queries, tmp_path):
    index = tmp_path / "chroma-index"
    run_cli("index", "build", small_index.parent / "recordings", "--index", index, "--extractor", "chroma", "--workers", "1", check=True)
    info = json.loads(run_cli("index", "info", "--index", index, "--json", check=True).stdout.splitlines()[0])
    assert "chroma" in json.dumps(info)
    hits = [json.loads(line) for line in run_cli("query", example_queries[2], "--index", index, "--json", "--top", "1", check=True).stdout.splitlines()]
    assert hits[0]["id"] == example_queries[2].stem
