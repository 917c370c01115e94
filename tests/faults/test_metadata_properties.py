"""Property tests of the metadata readers, the path lists and the cleaner on random bytes and
random unicode: nothing crashes and every line is accounted for (a record, a row or a counted skip)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from seqretrieve.errors import InputFileError
from seqretrieve.metadata.catalog import Catalog
from seqretrieve.metadata.clean import Cleaner
from seqretrieve.metadata.inputs import Skipped, iter_midi_paths
from seqretrieve.metadata.match import BlockedFuzzyMatcher
from seqretrieve.metadata.pipeline import match_names
from seqretrieve.metadata.readers import ReadStats, read_catalog
from seqretrieve.types import TrackMetadata

pytestmark = pytest.mark.faults
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLEANER = Cleaner(midi_text=False)
CATALOG = Catalog([TrackMetadata("1", "Kate Bush", "Wuthering Heights"), TrackMetadata("2", "ELO", "Mr. Blue Sky"),
                   TrackMetadata("3", "Electric Light Orchestra", "Evil Woman")])
#: a line of a file: random bytes, or random unicode with separators and odd characters mixed in
LINE = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b"")),
    st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["<SEP>", "/", " - ", "#", "\t", ",", "\x00",
                                                               "\ufeff", "[/b]", "~1", ".MID"])),
             max_size=8).map(lambda parts: "".join(parts).replace("\n", "").replace("\r", "")
                             .encode("utf-8", "surrogatepass")),
)


def _write(tmp_path, name: str, lines: list[bytes]):
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@SETTINGS
@given(st.lists(LINE, min_size=1, max_size=20))
def test_path_list_every_line_is_a_path_or_a_counted_skip(tmp_path, lines):
    path = _write(tmp_path, "paths.txt", lines)
    skipped = Skipped()
    try:
        paths = list(iter_midi_paths([str(path)], skipped))
    except InputFileError as exc:  # refused as a whole: binary data, a MIDI header, ...
        assert "\n" not in str(exc)
        return
    if paths and os.path.isfile(path) and open(path, "rb").read(4) == b"MThd":
        return  # read as a MIDI file, not a list
    assert len(paths) + sum(skipped.counts.values()) == len(lines)
    for raw, _ in paths:
        CLEANER.clean(raw)


@pytest.mark.filterwarnings("ignore::seqretrieve.metadata.readers.CatalogDecodeWarning")
@SETTINGS
@given(st.lists(LINE, min_size=1, max_size=20))
def test_catalogue_reader_never_crashes_and_counts_every_line(tmp_path, lines):
    path = _write(tmp_path, "catalog.txt", lines)
    stats = ReadStats()
    try:
        records = list(read_catalog(path, stats=stats))
    except InputFileError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    for record in records:
        assert isinstance(record.artist, str) and isinstance(record.title, str) and record.id
    if "<SEP>" in (next((ln for ln in lines if ln.strip()), b"")).decode("utf-8", "replace"):
        assert stats.records + stats.skipped + stats.blank == len(lines)  # MSD: one record per line
    else:  # CSV: quoted fields may span lines; the header is not a record
        assert stats.records + stats.skipped + stats.blank <= len(lines)


@pytest.mark.filterwarnings("ignore::seqretrieve.metadata.readers.CatalogDecodeWarning")
@SETTINGS
@given(st.lists(st.sampled_from(["TR1", "T<SEP>", "Artist", "Tïtle", "\ufffd", "<SEP>", " ", "\t", "x" * 30]),
                min_size=0, max_size=12), st.integers(1, 12))
def test_msd_lines_with_random_fields(tmp_path, parts, n):
    lines = [("<SEP>".join(["TR%d" % i, "SO", "".join(parts[:i]), "".join(parts[i:])])).encode() for i in range(n)]
    stats = ReadStats()
    records = list(read_catalog(_write(tmp_path, "msd.txt", lines), format="msd", stats=stats))
    assert len(records) == stats.records and stats.records + stats.skipped + stats.blank == n


@SETTINGS
@given(st.text(max_size=50), st.text(max_size=50), st.sampled_from([".mid", ".MID", ".kar", "", ".midi"]))
def test_cleaner_and_matcher_take_any_unicode_name(folder, stem, ext):
    path = f"{folder.replace('/', '')}/{stem.replace('/', '')}{ext}"
    name = CLEANER.clean(path)
    assert 0.0 <= name.confidence <= 1.0 and (name.title or "no-title" in name.flags)
    (candidates,) = match_names([name], CATALOG, BlockedFuzzyMatcher(workers=1), top=3)
    assert all(0.0 <= c.score <= 1.0 and c.kind for c in candidates)


@SETTINGS
@given(st.binary(max_size=80))
def test_cleaner_takes_any_bytes_name(raw):
    name = CLEANER.clean(raw.replace(b"\x00", b""))
    assert "\\x" in name.path or name.path == raw.replace(b"\x00", b"").decode("utf-8")
