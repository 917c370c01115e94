"""``seqretrieve evaluate``: accuracy of a pipeline on labelled MIDI queries."""

from __future__ import annotations

import json

from seqretrieve.testing import run_cli


def test_evaluate_reports_accuracy_and_counts_bad_files_as_misses(small_index, example_queries, tmp_path):
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"not midi")
    pairs = tmp_path / "pairs.csv"
    rows = [f"{q},{q.stem}" for q in example_queries[:3]] + [f"broken.mid,{example_queries[3].stem}"]
    pairs.write_text("midi,id\n" + "\n".join(rows) + "\n")
    result = run_cli("evaluate", pairs, "--index", small_index, "--json", check=True)
    stats = json.loads(result.stdout)
    assert stats["queries"] == 4 and stats["top1"] == 0.75 and stats["pipeline"] == "brute-force"
    assert "broken.mid" in result.stderr


def test_evaluate_refuses_a_csv_without_the_columns(small_index, tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("file,answer\nx.mid,y\n")
    result = run_cli("evaluate", pairs, "--index", small_index)
    assert result.returncode == 1 and "midi,id" in result.stderr
