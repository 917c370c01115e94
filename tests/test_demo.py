"""The README's first command: ``seqretrieve demo`` finds every query's own recording."""

from __future__ import annotations

import json

import pytest

from seqretrieve.testing import EXAMPLES, run_cli


@pytest.mark.slow
def test_demo_finds_every_query_first_and_is_resumable(tmp_path):
    first = run_cli("demo", "--workdir", tmp_path, "--examples", EXAMPLES, "--json", check=True, timeout=600)
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    summary = lines[-1]
    assert summary["queries"] == 6 and summary["correct_top1"] == 6
    assert all(line["correct"] and line["confidence"] >= 0.5 for line in lines[:-1])
    # A second run reuses the recordings and the index (nothing re-rendered or re-indexed).
    recordings = {path: path.stat().st_mtime_ns for path in (tmp_path / "recordings").glob("*.wav")}
    second = run_cli("demo", "--workdir", tmp_path, "--examples", EXAMPLES, "--json", check=True, timeout=600)
    assert json.loads(second.stdout.splitlines()[-1])["correct_top1"] == 6
    assert {path: path.stat().st_mtime_ns for path in recordings} == recordings


def test_demo_without_examples_is_a_clear_error(tmp_path):
    result = run_cli("demo", "--workdir", tmp_path, "--examples", tmp_path / "nope")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not an examples folder" in result.stderr
