"""``seqretrieve match`` on one machine: the results database, resuming, failures, exports,
aligned MIDI files."""

from __future__ import annotations

import json
import sqlite3

import pretty_midi

from seqretrieve.testing import run_cli


def table(db, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def test_match_resume_export_and_aligned(tmp_path, small_index, query_dir):
    out = tmp_path / "results.sqlite"
    listing = tmp_path / "list.txt"
    listing.write_text(f"{query_dir / 'pop909-004.mid'}\n{query_dir / 'bad.mid'}\n")
    first = run_cli("match", listing, "--index", small_index, "--out", out, "--top", "3",
                    "--aligned", tmp_path / "aligned", "--json")
    assert first.returncode == 1, first.stderr  # the bad file
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert lines[0]["failed"].endswith("bad.mid") and "not a valid MIDI file" in lines[0]["error"]
    assert lines[-1] | {"seconds": 0, "queries_per_second": 0} == {
        "results": str(out), "answered": 1, "failed": 1, "skipped": 0, "seconds": 0, "queries_per_second": 0,
        "total_answered": 1, "total_matched": 1, "total_failed": 1}

    second = run_cli("match", query_dir, "--index", small_index, "--out", out, "--top", "3", "--workers", "2",
                     "--aligned", tmp_path / "aligned")
    assert second.returncode == 1 and "3 answered, 1 failed, 1 already answered" in second.stdout, second.stdout
    rows = table(out, "SELECT q.path, h.entry_id, h.rank, h.aligned_path, h.confidence FROM queries q "
                      "JOIN hits h USING (query_id) WHERE h.rank = 1 ORDER BY q.path")
    assert [(path.rsplit("/", 1)[1], entry) for path, entry, *_ in rows] == [
        (f"{name}.mid", name) for name in ("pop909-004", "pop909-008", "pop909-012", "pop909-016")]
    assert table(out, "SELECT COUNT(*), COUNT(DISTINCT path) FROM queries") == [(4, 4)]
    assert table(out, "SELECT COUNT(*) FROM hits") == [(12,)]
    assert table(out, "SELECT COUNT(*) FROM failures") == [(1,)]
    for path, entry, _, aligned, confidence in rows:  # confident matches: ENTRY/MD5.mid, a MIDI file
        assert confidence >= 0.5 and aligned.startswith(str(tmp_path / "aligned" / entry))
        assert pretty_midi.PrettyMIDI(aligned).instruments
    assert table(out, "SELECT pipeline, workers FROM runs ORDER BY run_id") == [
        ("cascade", "1 process (inline)"), ("cascade", "2 local processes")]  # small_index has the models

    exported = run_cli("match", "export", out, "--format", "csv", check=True)
    assert exported.stdout.splitlines()[0].startswith("path,md5,rank,entry_id,score,confidence")
    assert len(exported.stdout.splitlines()) == 13
    refused = run_cli("match", query_dir, "--index", small_index, "--out", out, "--top", "5")
    assert refused.returncode == 1 and "other settings" in refused.stderr


def test_match_usage_errors(tmp_path, small_index):
    assert run_cli("match", "export", tmp_path / "r.sqlite", "--format", "xml").returncode == 2
    missing = run_cli("match", tmp_path / "nothing", "--index", small_index, "--out", tmp_path / "r.sqlite")
    assert missing.returncode == 1 and "no such file or folder" in missing.stderr
