"""Hostile names through the real CLI: bytes that are not UTF-8, a newline, rich markup and
emoji codes, a 255-byte name. The build goes on, the index and NDJSON carry every name byte for
byte (as valid UTF-8: see seqretrieve.names), and human output shows them as they are."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqretrieve.cli import output
from seqretrieve.cli.render import print_hits
from seqretrieve.index.store import Entry, Index
from seqretrieve.names import dumps, key, printable, unkey
from seqretrieve.types import Hit

from ..index.index_fakes import write_clips
from .helpers import run_cli

LATIN1 = b"caf\xe9"  # an old Latin-1 name: not UTF-8
BROKEN = b"bad\xff[/x] :100:.wav"  # a file that fails, with a hostile name


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """Four good clips under hostile names and one broken file; returns the folder."""
    folder = tmp_path_factory.mktemp("hostile")
    clips = write_clips(folder / "src", 4)
    (folder / "music" / "a[").mkdir(parents=True)  # "/" cannot be in a name: "[/b]" spans a folder
    os.mkdir(os.fsencode(folder / "music") + b"/bad\xff[")
    targets = [LATIN1 + b".wav", b"new\nline.wav", b"a[/b]c [i]x :100:.wav", b"n" * 251 + b".wav"]
    for clip, name in zip(clips, targets):
        os.rename(clip, os.fsencode(folder / "music") + b"/" + name)
    with open(os.fsencode(folder / "music") + b"/" + BROKEN, "wb") as handle:
        handle.write(b"RIFF\x00\x00not audio")
    return folder / "music"


def _ndjson(raw: bytes) -> list[dict]:
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]  # strict UTF-8


def test_build_indexes_every_hostile_name_and_ndjson_is_lossless_utf8(hostile, tmp_path):
    index = tmp_path / "ix"
    result = run_cli("index", "build", hostile, "--index", index, "--extractor", "fake", "--workers", 1, "--json")
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr  # the broken file
    records = _ndjson(result.stdout)
    failed, summary = records[0], records[-1]
    assert summary["added"] == 4 and summary["failed"] == 1
    assert os.fsencode(failed["failed"]) == os.fsencode(hostile) + b"/" + BROKEN  # byte for byte
    with Index.open(index) as opened:
        assert opened.verify() == []
        sources = sorted(os.fsencode(opened.metadata(i)["source"]) for i in opened.ids())
        assert all(os.path.isfile(source) for source in sources)
        assert os.fsdecode(LATIN1) in opened.ids()
        assert [os.fsencode(path) for path in opened.failures()] == [os.fsencode(hostile) + b"/" + BROKEN]
    info = run_cli("index", "info", "--index", index, "--failures", "--json")
    assert info.returncode == 0
    assert os.fsencode(_ndjson(info.stdout)[1]["failed"]).endswith(BROKEN)


def test_human_output_shows_names_as_they_are(hostile, tmp_path):
    index = tmp_path / "ix"
    result = run_cli("index", "build", hostile, "--index", index, "--extractor", "fake", "--workers", 1)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
    assert "bad\\xff[/x] :100:.wav: not a readable audio file" in out  # markup and emoji code kept
    assert "4 added" in out
    for args in (("index", "info", "--failures"), ("index", "verify")):
        shown = run_cli(*args, "--index", index)
        assert shown.returncode == 0 and b"Traceback" not in shown.stderr, shown.stderr
    assert "bad\\xff[/x] :100:.wav" in run_cli("index", "info", "--failures", "--index", index).stdout.decode()


def test_query_table_prints_markup_in_titles_as_text(tmp_path):
    title, artist = "[/b] Live [i]at[/i] :100:", "A[/Live] \udce9"
    with Index.create(tmp_path / "ix") as index:
        import numpy as np

        index.put_entries([Entry("x[/b]", {"artist": artist, "title": title, "source": "s"},
                                 {"features:fake": np.zeros((2, 2), np.float32)}, "h")])
        result = SimpleNamespace(query="q [/i].mid", hits=[Hit("x[/b]", 0.5, 0.9)])
        with output.stdout.capture() as captured:
            print_hits(result, index, "brute-force")
    text = captured.get()
    for shown in ("[/b] Live [i]at[/i]", ":100:", printable(artist), "x[/b]", "q [/i].mid"):
        assert shown in text, text


def test_printable_is_one_line_and_escapes_bytes():
    assert printable("a\nb\udce9\x1b") == "a\\nb\\xe9\\x1b"


@given(name=st.binary(min_size=1, max_size=255).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_any_file_name_survives_the_index_key_and_ndjson_byte_for_byte(name):
    text = os.fsdecode(name)
    assert os.fsencode(unkey(key(text))) == name
    line = dumps({"source": text})
    line.encode("utf-8")  # valid UTF-8, whatever the name
    assert os.fsencode(json.loads(line)["source"]) == name
    assert "\n" not in printable(text)
