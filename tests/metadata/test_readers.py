"""Catalogue readers: MSD and CSV formats, detection, bad bytes, bad files."""

from __future__ import annotations

import warnings

import pytest

from seqretrieve.errors import CatalogDecodeWarning, InputFileError
from seqretrieve.metadata.readers import ReadStats, read_catalog
from seqretrieve.registry import build_registry

MSD_SAMPLE = "/work/shared/data/msd/unique_tracks_sample.txt"


def test_msd_sample_streams_all_lines():
    stats = ReadStats()
    records = read_catalog(MSD_SAMPLE, stats=stats)
    first = next(records)
    assert first.id == "TRMMMYQ128F932D901"
    assert (first.artist, first.title) == ("Faster Pussy cat", "Silent Night")
    assert first.extra == {"song_id": "SOQMMHC12AB0180CB8"}
    assert 1 + sum(1 for _ in records) == 5000
    assert (stats.records, stats.replaced, stats.skipped) == (5000, 0, 0)


def test_csv_with_path_column_bom_and_extra(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_bytes(b"\xef\xbb\xbfPath,Artist,Title,year\n/a/help.mid,Beatles,\"Help, Help\",1965\n\n")
    (record,) = read_catalog(path)
    assert (record.id, record.artist, record.title) == ("/a/help.mid", "Beatles", "Help, Help")
    assert record.extra == {"year": "1965"}


def test_csv_semicolon_and_explicit_format(tmp_path):
    path = tmp_path / "cat.txt"
    path.write_text("id;title;artist\n7;Creep;TLC\n")
    (record,) = read_catalog(path, format="csv")
    assert (record.id, record.artist, record.title) == ("7", "TLC", "Creep")


def test_undecodable_bytes_are_replaced_counted_and_warned(tmp_path):
    path = tmp_path / "msd.txt"
    path.write_bytes(b"T1<SEP>S1<SEP>Caf\xe9 Tacuba<SEP>Ojal\xe1\nT2<SEP>S2<SEP>A<SEP>B\nbroken line\n")
    stats = ReadStats()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = list(read_catalog(path, stats=stats))
    assert [r.id for r in records] == ["T1", "T2"]
    assert records[0].artist == "Caf\ufffd Tacuba"
    assert (stats.replaced, stats.skipped) == (1, 1)
    (warning,) = [w for w in caught if issubclass(w.category, CatalogDecodeWarning)]
    assert str(path) in str(warning.message)


@pytest.mark.parametrize(
    "content, message",
    [(None, "not found"), (b"", "empty"), (b"\n  \n", "empty"), (b"hello\nworld\n", "unknown catalogue format")],
)
def test_bad_files_raise_one_line(tmp_path, content, message):
    path = tmp_path / "cat.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as info:
        read_catalog(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_folder_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="folder"):
        read_catalog(tmp_path)


def test_readers_registered_through_the_hook():
    readers = build_registry(load_entry_points=False).components("metadata_reader")
    assert {"msd", "csv"} <= set(readers)
    assert readers["msd"].create().can_read(MSD_SAMPLE)
    assert not readers["csv"].create().can_read(MSD_SAMPLE)
