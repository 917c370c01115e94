"""``clean-metadata`` and ``match-metadata`` end to end through the real CLI app."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from typer.testing import CliRunner

from seqretrieve.cli.app import build_app

MSD_SAMPLE = "/work/shared/data/msd/unique_tracks_sample.txt"


@pytest.fixture(scope="module")
def app():
    return build_app()


@pytest.fixture()
def collection(tmp_path):
    for rel in ["Beatles/help.mid", "Idol, Billy/White Wedding.MID", "V/VARIA180.MID",
                "Hudson Mohawke/No One Could Ever.mid"]:
        path = tmp_path / "midi" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    (tmp_path / "cat.csv").write_text("id,artist,title\n1,The Beatles,Help!\n2,The Beatles,Help!\n"
                                      "3,Billy Idol,White Wedding\n")
    return tmp_path


def run(app, *args):
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result


def test_clean_csv_without_catalogue(app, collection):
    result = run(app, "clean-metadata", collection / "midi")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 0
    by_path = {os.path.relpath(r["path"], collection / "midi"): r for r in rows}
    assert by_path["Idol, Billy/White Wedding.MID"]["artist"] == "Billy Idol"
    assert "no-title" in by_path["V/VARIA180.MID"]["flags"]


def test_clean_json_with_catalogue_canonicalises(app, collection):
    result = run(app, "clean-metadata", collection / "midi", "--catalog", collection / "cat.csv", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    help_ = next(r for r in records if r["path"].endswith("help.mid"))
    assert (help_["artist"], help_["title"], help_["catalog_id"]) == ("The Beatles", "Help!", "1")
    assert "canonical" in help_["flags"] and len(records) == 4


def test_match_lists_every_duplicate_and_writes_out_file(app, collection):
    out = collection / "pairs.jsonl"
    result = run(app, "match-metadata", collection / "midi", "-c", collection / "cat.csv", "--out", out)
    assert result.exit_code == 0 and result.stdout == ""
    pairs = [json.loads(line) for line in out.read_text().splitlines()]
    help_ids = {p["id"] for p in pairs if p["path"].endswith("help.mid") and p["rank"] == 1}
    assert help_ids == {"1", "2"}
    assert all(p["query_artist"] == "Beatles" for p in pairs if p["path"].endswith("help.mid"))


def test_match_against_msd_sample_from_a_list_file(app, tmp_path):
    listing = tmp_path / "paths.txt"
    listing.write_bytes(b"Hudson Mohawke/no_one_could_ever.MID\n\nCaf\xe9/x.mid\n")
    result = run(app, "match-metadata", listing, "--catalog", MSD_SAMPLE, "--json", "--top", "1")
    pairs = [json.loads(line) for line in result.stdout.splitlines()]
    assert pairs[0]["id"] == "TRMMMRX128F93187D9" and pairs[0]["score"] == 1.0


@pytest.mark.parametrize("args, message, code", [
    (["clean-metadata", "{tmp}/nope"], "no such file", 1),
    (["match-metadata", "{tmp}"], "needs a catalogue", 1),
    (["clean-metadata", "{tmp}", "--catalog", "{tmp}/empty.txt"], "empty", 1),
    (["clean-metadata", "{tmp}", "--matcher", "nope"], "unknown text matcher", 2),  # usage error
    (["match-metadata", "{tmp}/blob.bin", "-c", MSD_SAMPLE], "binary data", 1),  # refused, not 100 garbage rows
])
def test_bad_input_is_one_line_exit_1_or_2(tmp_path, args, message, code):
    import subprocess
    import sys

    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 40)
    argv = [a.format(tmp=tmp_path) for a in args]
    proc = subprocess.run([sys.executable, "-m", "seqretrieve.cli.app", *argv], capture_output=True, text=True)
    assert proc.returncode == code and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""


def _stderr_json(result) -> dict:
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("{")]
    return json.loads(line)


def test_every_list_line_is_a_row_or_a_counted_skip(app, tmp_path):
    listing = tmp_path / "paths.txt"
    listing.write_bytes(b"# my collection\nHudson Mohawke/no_one_could_ever.MID\n\n"
                        b"Qworzle Fendrix/Blurp Zamm.mid\n#second comment\nmisc/x\x01\x02\x03\x04\x05\x06.mid\n")
    result = CliRunner().invoke(app, ["match-metadata", str(listing), "-c", MSD_SAMPLE, "--json", "--top", "1"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["rank"] for r in rows] == [1, 0]  # the name with no candidate has its row
    assert rows[1]["kind"] == "none" and rows[1]["id"] is None
    summary = _stderr_json(result)
    skipped = {reason: v["count"] for reason, v in summary["skipped"].items()}
    assert skipped == {"comment line": 2, "blank line": 1, "binary line": 1}
    assert summary["summary"]["total"] == 2 and summary["summary"]["answered"] == 1
    assert result.exit_code == 1  # a binary line is an error; the rest was still written
    assert len(rows) + sum(skipped.values()) == 6


def test_skips_are_reported_in_plain_mode_too(app, tmp_path):
    listing = tmp_path / "paths.txt"
    listing.write_text("# [b]header[/b]\nBeatles/help.mid\n")
    result = CliRunner().invoke(app, ["clean-metadata", str(listing)])
    assert result.exit_code == 0 and len(list(csv.DictReader(io.StringIO(result.stdout)))) == 1
    assert "1 comment line(s)" in result.stderr and "1 names" in result.stderr


def test_partial_lists_title_only_candidates_for_the_content_stage(app, tmp_path):
    listing = tmp_path / "paths.txt"
    listing.write_text("misc/No One Could Ever.mid\n")
    plain = CliRunner().invoke(app, ["match-metadata", str(listing), "-c", MSD_SAMPLE, "--json"])
    assert [json.loads(line)["kind"] for line in plain.stdout.splitlines()] == ["none"]
    partial = CliRunner().invoke(app, ["match-metadata", str(listing), "-c", MSD_SAMPLE, "--json",
                                       "--partial", "--min-score", "0.5", "--top", "1"])
    (row,) = [json.loads(line) for line in partial.stdout.splitlines()]
    assert (row["kind"], row["id"]) == ("title-only", "TRMMMRX128F93187D9")
