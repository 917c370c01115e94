"""Building: files found, ids from catalogues, bad files recorded, incremental re-runs, workers."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from .index_fakes import FakeExtractor, write_clips

from seqretrieve.errors import IndexStoreError, InputFileError
from seqretrieve.index.build import build_index
from seqretrieve.index.sources import find_audio_files
from seqretrieve.index.store import Index

DB = "features:fake"


def _build(sources, index, **kwargs):
    return build_index([str(s) for s in sources], str(index), extractor=FakeExtractor(), **kwargs)


def test_find_audio_files_recursive_sorted_by_extension(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    for name in ("b/deep/z.MP3", "b/a.wav", "notes.txt", "a.flac", "b/c.mid"):
        (tmp_path / name).write_bytes(b"x")
    found = find_audio_files([tmp_path, tmp_path / "b"])
    assert [p.removeprefix(str(tmp_path)) for p in found] == ["/a.flac", "/b/a.wav", "/b/deep/z.MP3"]
    assert find_audio_files([tmp_path / "notes.txt"]) == [str(tmp_path / "notes.txt")]  # named files as given
    with pytest.raises(InputFileError, match="no such file or folder"):
        find_audio_files([tmp_path / "missing"])


def test_build_stores_every_good_file_and_records_bad_ones(tmp_path):
    clips = write_clips(tmp_path / "audio", 6)
    (tmp_path / "audio" / "broken.wav").write_bytes(b"RIFF not really")
    (tmp_path / "audio" / "empty.mp3").write_bytes(b"")
    seen = []
    summary = _build([tmp_path / "audio"], tmp_path / "ix", progress=lambda done, total: seen.append((done, total)),
                     batch_size=2)
    assert (summary.added, summary.skipped, summary.failed) == (6, 0, 2)
    assert {p.rsplit("/", 1)[1] for p, _ in summary.failures} == {"broken.wav", "empty.mp3"}
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)
    with Index.open(tmp_path / "ix") as index:
        assert index.ids() == [c.stem for c in clips]  # sorted file order, rows 0..5
        meta = index.metadata("clip002")
        assert meta["source"] == str(clips[2]) and meta["n_frames"] == 100 and meta["duration"] == 2.0
        assert index.get_array(DB, "clip002").shape == (100, 48)
        assert set(index.failures()) == {str(tmp_path / "audio" / n) for n in ("broken.wav", "empty.mp3")}
        assert "empty" in index.failures()[str(tmp_path / "audio" / "empty.mp3")]["error"]
        assert index.extractor == {"name": "fake", "params": {"n_bins": 48, "frame_rate": 50.0}, "frame_rate": 50.0}
        assert index.verify() == []


def test_rebuild_skips_known_content_and_adds_only_new_files(tmp_path, monkeypatch):
    write_clips(tmp_path / "audio", 4)
    _build([tmp_path / "audio"], tmp_path / "ix")
    write_clips(tmp_path / "more", 2, seed=1, prefix="new")
    calls = []
    real = FakeExtractor.from_samples
    monkeypatch.setattr(FakeExtractor, "from_samples", lambda self, *a: calls.append(1) or real(self, *a))
    summary = _build([tmp_path / "audio", tmp_path / "more"], tmp_path / "ix")
    assert (summary.added, summary.skipped, summary.failed) == (2, 4, 0)
    assert len(calls) == 2  # known files were skipped before decoding
    with Index.open(tmp_path / "ix") as index:
        assert index.ids() == ["clip000", "clip001", "clip002", "clip003", "new000", "new001"]


def test_a_renamed_or_copied_file_is_skipped_by_content(tmp_path):
    clips = write_clips(tmp_path / "audio", 2)
    shutil.copy(clips[0], tmp_path / "audio" / "copy.wav")
    summary = _build([tmp_path / "audio"], tmp_path / "ix")
    assert (summary.added, summary.skipped) == (2, 1)


def test_failed_files_are_retried_and_forgotten_once_they_work(tmp_path):
    write_clips(tmp_path / "audio", 2)
    bad = tmp_path / "audio" / "late.wav"
    bad.write_bytes(b"garbage")
    assert _build([tmp_path / "audio"], tmp_path / "ix").failed == 1
    write_clips(tmp_path / "fixed", 1, seed=5)
    shutil.copy(tmp_path / "fixed" / "clip000.wav", bad)
    summary = _build([tmp_path / "audio"], tmp_path / "ix")
    assert (summary.added, summary.skipped, summary.failed) == (1, 2, 0)
    with Index.open(tmp_path / "ix") as index:
        assert index.failures() == {} and "late" in index


def test_same_id_with_other_content_is_a_failure_not_an_overwrite(tmp_path):
    write_clips(tmp_path / "one", 1)
    write_clips(tmp_path / "two", 1, seed=9)  # also clip000.wav, other sound
    summary = _build([tmp_path / "one", tmp_path / "two"], tmp_path / "ix")
    assert (summary.added, summary.failed) == (1, 1)
    assert "entry id 'clip000' is already taken by" in summary.failures[0][1]
    later = _build([tmp_path / "two"], tmp_path / "ix")  # and again in a later run
    assert later.failed == 1 and str(tmp_path / "one") in later.failures[0][1]
    with Index.open(tmp_path / "ix") as index:
        assert index.metadata("clip000")["source"] == str(tmp_path / "one" / "clip000.wav")


def test_msd_catalogue_gives_artist_and_title_by_track_id(tmp_path):
    clips = write_clips(tmp_path / "audio", 3)
    names = ["TRAAAAW128F429D538", "TRAAABD128F429CF47", "TRAAADZ128F9348C2E"]
    for clip, name in zip(clips, names):
        clip.rename(clip.with_name(name + ".wav"))
    catalogue = tmp_path / "unique_tracks.txt"
    catalogue.write_text("TRAAAAW128F429D538<SEP>SOMZWCG12A8C13C480<SEP>Casual<SEP>I Didn't Mean To\n"
                         "TRAAABD128F429CF47<SEP>SOCIWDW12A8C13D406<SEP>The Box Tops<SEP>Soul Deep\n"
                         "TRZZZZZ128F0000000<SEP>SOX<SEP>Nobody<SEP>Not here\n")
    _build([tmp_path / "audio"], tmp_path / "ix", metadata_file=catalogue)
    with Index.open(tmp_path / "ix") as index:
        first = index.metadata("TRAAAAW128F429D538")
        assert (first["artist"], first["title"], first["extra"]) == ("Casual", "I Didn't Mean To",
                                                                    {"song_id": "SOMZWCG12A8C13C480"})
        assert index.metadata("TRAAADZ128F9348C2E")["artist"] == ""  # not in the catalogue: stem, no names
        assert len(index) == 3


def test_csv_catalogue_can_map_paths_to_ids(tmp_path):
    write_clips(tmp_path / "audio", 3)
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("id,path,artist,title\n"
                         "song-a,audio/clip000.wav,Ann,First\n"
                         "song-b,clip001.wav,Bob,Second\n"
                         "clip002,,Cy,Third\n")
    _build([tmp_path / "audio"], tmp_path / "ix", metadata_file=catalogue)
    with Index.open(tmp_path / "ix") as index:
        assert index.ids() == ["song-a", "song-b", "clip002"]
        assert index.metadata("song-b")["title"] == "Second" and index.metadata("clip002")["artist"] == "Cy"


def test_csv_with_only_a_path_column_keeps_file_stems_as_ids(tmp_path):
    write_clips(tmp_path / "audio", 2)
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("path,artist,title\naudio/clip001.wav,Bob,Second\n")
    _build([tmp_path / "audio"], tmp_path / "ix", metadata_file=catalogue)
    with Index.open(tmp_path / "ix") as index:
        assert index.metadata("clip001")["artist"] == "Bob"


def test_another_extractor_setting_is_refused(tmp_path):
    write_clips(tmp_path / "audio", 1)
    _build([tmp_path / "audio"], tmp_path / "ix")
    with pytest.raises(IndexStoreError, match="use another --index"):
        build_index([str(tmp_path / "audio")], str(tmp_path / "ix"), extractor=FakeExtractor(n_bins=24))


def test_any_executor_gives_the_same_index(tmp_path):
    write_clips(tmp_path / "audio", 9)
    _build([tmp_path / "audio"], tmp_path / "serial")
    with ThreadPoolExecutor(3) as pool:
        summary = _build([tmp_path / "audio"], tmp_path / "threads", executor=pool, workers=3, chunk_size=2)
    assert summary.added == 9
    with Index.open(tmp_path / "serial") as a, Index.open(tmp_path / "threads") as b:
        assert a.ids() == b.ids()
        for (id_a, x), (id_b, y) in zip(a.iter_arrays(DB), b.iter_arrays(DB)):
            assert id_a == id_b and np.array_equal(x, y)


def test_two_spawned_workers_give_the_same_index_as_one_process(tmp_path):
    write_clips(tmp_path / "audio", 10)
    (tmp_path / "audio" / "bad.wav").write_bytes(b"\0" * 100)
    _build([tmp_path / "audio"], tmp_path / "serial")
    summary = _build([tmp_path / "audio"], tmp_path / "spawned", workers=2, chunk_size=2)
    assert (summary.added, summary.failed) == (10, 1)
    with Index.open(tmp_path / "serial") as a, Index.open(tmp_path / "spawned") as b:
        assert a.ids() == b.ids() == [f"clip{i:03d}" for i in range(10)]
        assert all(np.array_equal(x, y) for (_, x), (_, y) in zip(a.iter_arrays(DB), b.iter_arrays(DB)))
        assert b.verify() == []
