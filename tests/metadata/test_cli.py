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


@pytest.mark.parametrize("args, message", [
    (["clean-metadata", "{tmp}/nope"], "no such file"),
    (["match-metadata", "{tmp}"], "needs a catalogue"),
    (["clean-metadata", "{tmp}", "--catalog", "{tmp}/empty.txt"], "empty"),
    (["clean-metadata", "{tmp}", "--matcher", "nope"], "unknown text matcher"),
])
def test_bad_input_is_one_line_exit_1(tmp_path, args, message):
    import subprocess
    import sys

    (tmp_path / "empty.txt").write_text("")
    argv = [a.format(tmp=tmp_path) for a in args]
    proc = subprocess.run([sys.executable, "-m", "seqretrieve.cli.app", *argv], capture_output=True, text=True)
    assert proc.returncode == 1 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
