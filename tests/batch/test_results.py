"""The results database: one transaction per answer, failures replaced by answers, config
checks, and the exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from seqretrieve.batch.export import export
from seqretrieve.batch.results import Answer, Results, path_text
from seqretrieve.errors import SeqretrieveError


def _answer(path: str, confidence: float = 0.9) -> Answer:
    hits = [{"id": f"e{rank}", "score": 0.1 * rank, "confidence": confidence / rank, "artist": "A", "title": "T",
             "stage_ranks": [rank, None], "aligned_path": None} for rank in (1, 2)]
    return Answer(path, md5="0" * 32, seconds=0.5, hits=hits, stages=[{"stage": 1}])


def test_answers_failures_and_counts(tmp_path):
    with Results(tmp_path / "r.sqlite") as results:
        results.start_run("brute-force", {"pipeline": "brute-force"}, [], "test")
        results.write(Answer("/x/bad.mid", error="/x/bad.mid: broken"))
        results.write(_answer("/x/a.mid"))
        results.write(_answer("/x/b.mid", confidence=0.2))
        assert results.counts() == {"answered": 2, "matched": 1, "failed": 1}
        results.write(_answer("/x/bad.mid"))  # a retried file that now works replaces its failure
        assert results.counts() == {"answered": 3, "matched": 2, "failed": 0}
        assert results.answered() == {"/x/a.mid", "/x/b.mid", "/x/bad.mid"}
        rows = list(results.rows())
    assert [(r["path"], r["rank"], r["entry_id"]) for r in rows][:2] == [("/x/a.mid", 1, "e1"), ("/x/a.mid", 2, "e2")]
    assert json.loads(rows[0]["stage_ranks"]) == [1, None]


def test_a_failed_write_leaves_nothing(tmp_path):
    with Results(tmp_path / "r.sqlite") as results:
        results.start_run("p", {}, [], "test")
        broken = _answer("/x/a.mid")
        broken.hits[1]["score"] = None  # NOT NULL: the second hit fails after the query row went in
        with pytest.raises(Exception):
            results.write(broken)
        assert results.counts()["answered"] == 0
        assert list(results.rows()) == []


def test_other_settings_are_refused(tmp_path):
    with Results(tmp_path / "r.sqlite") as results:
        results.start_run("p", {"top": 5}, [], "test")
        results.start_run("p", {"top": 5}, [], "test")  # the same settings resume
        with pytest.raises(SeqretrieveError, match="other settings"):
            results.start_run("p", {"top": 10}, [], "test")


def test_not_a_database(tmp_path):
    (tmp_path / "r.sqlite").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(SeqretrieveError, match="not a usable results database"):
        Results(tmp_path / "r.sqlite")


def test_paths_that_are_not_utf8_are_stable_text():
    raw = b"/x/caf\xe9.mid"
    assert path_text(raw) == "/x/caf\\xe9.mid" == path_text(raw.decode("utf-8", "surrogateescape"))


def test_exports(tmp_path, capsys):
    with Results(tmp_path / "r.sqlite") as results:
        results.start_run("p", {}, [], "test")
        results.write(_answer("/x/a.mid"))
        assert export(results, "csv", str(tmp_path / "out.csv")) == 2
        export(results, "ndjson", None)
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            with pytest.raises(SeqretrieveError, match="pyarrow"):
                export(results, "parquet", str(tmp_path / "out.parquet"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert [(r["path"], r["rank"], r["entry_id"]) for r in rows] == [("/x/a.mid", "1", "e1"), ("/x/a.mid", "2", "e2")]
    assert lines[1]["stage_ranks"] == [2, None] and lines[1]["confidence"] == pytest.approx(0.45)
