"""The LMDB store: put/get/iterate, dense rows, atomic batches, map growth, meta, verify, errors."""

from __future__ import annotations

import json

import lmdb
import numpy as np
import pytest

from seqretrieve.errors import IndexStoreError, ModelMismatchError
from seqretrieve.index.location import default_index_path
from seqretrieve.index.store import (
    SCHEMA_VERSION,
    DuplicateEntryError,
    Entry,
    Index,
)

DB = "features:fake"


def _entry(i: int, frames: int = 20) -> Entry:
    array = np.full((frames, 48), i, dtype=np.float32)
    metadata = {"artist": f"a{i}", "title": f"t{i}", "source": f"/audio/{i}.wav", "n_frames": frames,
                "duration": frames / 10, "extra": {}}
    return Entry(f"id{i:03d}", metadata, {DB: array}, f"hash{i}")


@pytest.fixture
def index(tmp_path):
    with Index.create(tmp_path / "ix") as opened:
        opened.set_meta("extractor", {"name": "fake", "params": {}, "frame_rate": 10.0})
        yield opened


def _tamper(path, change):
    """Apply ``change(txn, env)`` to the raw LMDB environment at ``path`` (bypassing Index)."""
    env = lmdb.open(str(path), max_dbs=64)
    with env.begin(write=True) as txn:
        change(txn, env)
    env.close()


def test_put_get_iterate_in_row_order(index):
    for entry in map(_entry, [5, 1, 3]):
        assert index.put_entries([entry]) == []
    assert [index.metadata(entry_id)["row"] for entry_id in ("id005", "id001", "id003")] == [0, 1, 2]
    assert index.ids() == ["id005", "id001", "id003"]  # insertion order, not key order
    assert len(index) == 3 and "id001" in index and "nope" not in index
    assert index.row_of()["id001"] == 1
    meta = index.metadata("id003")
    assert (meta["row"], meta["artist"], meta["content_hash"]) == (2, "a3", "hash3")
    assert index.get_array(DB, "id005")[0, 0] == 5
    assert [(i, a[0, 0]) for i, a in index.iter_arrays(DB)] == [("id005", 5), ("id001", 1), ("id003", 3)]
    assert index.hash_owner("hash1") == "id001" and index.hash_owner("other") is None
    assert index.array_dbs() == [DB]
    assert index.verify() == []


def test_batch_commits_together_and_refuses_duplicates(index):
    assert index.put_entries([_entry(i) for i in range(4)]) == []
    clash_id = Entry("id001", {"source": "/x"}, {DB: np.zeros((1, 48), np.float32)}, "fresh-hash")
    clash_hash = Entry("new", {"source": "/y"}, {DB: np.zeros((1, 48), np.float32)}, "hash2")
    rejected = index.put_entries([clash_id, _entry(9), clash_hash])
    assert [(e.id, type(err)) for e, err in rejected] == [("id001", DuplicateEntryError), ("new", DuplicateEntryError)]
    assert index.ids() == ["id000", "id001", "id002", "id003", "id009"]
    assert index.metadata("id001")["content_hash"] == "hash1"  # not overwritten
    ((_, error),) = index.put_entries([Entry("id002", {}, {}, "hash-x")])
    assert isinstance(error, DuplicateEntryError) and "already in the index" in str(error)
    assert index.verify() == []


def test_failed_entry_write_leaves_nothing_behind(index):
    """An entry's metadata and arrays are one transaction: a bad array aborts the whole entry."""
    bad = Entry("bad", {"source": "/b"}, {DB: np.zeros(3, dtype=np.complex64)}, "hb")
    with pytest.raises(IndexStoreError, match="dtype"):
        index.put_entries([_entry(1), bad])
    assert len(index) == 0 and index.hash_owner("hash1") is None and index.verify() == []


def test_map_grows_from_a_tiny_map_size(tmp_path):
    with Index.create(tmp_path / "ix", map_size=64 * 1024) as index:
        index.set_meta("extractor", {"name": "fake", "params": {}, "frame_rate": 10.0})
        for start in range(0, 40, 8):
            index.put_entries([_entry(i, frames=400) for i in range(start, start + 8)])  # 77 KB each
        assert len(index) == 40
        assert index.info()["map_size"] > 64 * 1024 * 32
        assert index.verify() == []
    with Index.open(tmp_path / "ix") as reader:
        assert reader.get_array(DB, "id039").shape == (400, 48)


def test_failures_are_recorded_and_cleared_by_a_later_success(index):
    index.record_failure("/audio/7.wav", "/audio/7.wav: truncated")
    index.record_failure("/audio/8.wav", "/audio/8.wav: empty")
    assert set(index.failures()) == {"/audio/7.wav", "/audio/8.wav"}
    assert index.failures()["/audio/7.wav"]["error"] == "/audio/7.wav: truncated"
    assert index.failures()["/audio/7.wav"]["when"].endswith("+00:00")
    index.put_entries([_entry(7)])
    assert set(index.failures()) == {"/audio/8.wav"}
    assert index.info()["failures"] == 1


def test_representations_are_recorded_and_checked(index):
    index.put_entries([_entry(i) for i in range(3)])
    index.put_arrays("repr:dhs", [(i, np.arange(4, dtype=np.uint32)) for i in index.ids()], batch_size=2)
    index.set_representation("dhs", "2", "hash", "sha256:abc", input_frames=100)
    assert index.representations()["dhs"]["input_frames"] == 100
    assert index.verify() == []

    class Model:
        name, version, kind, checksum, extractor = "dhs", "2", "hash", "sha256:abc", "fake"

    index.check_representation(Model())
    Model.checksum = "sha256:other"
    with pytest.raises(ModelMismatchError, match="checksum"):
        index.check_representation(Model())
    Model.name = "pse"
    with pytest.raises(ModelMismatchError, match="no 'pse'"):
        index.check_representation(Model())
    with pytest.raises(IndexStoreError, match="no entry"):
        index.put_arrays("repr:dhs", [("ghost", np.zeros(1, np.uint32))])
    with pytest.raises(IndexStoreError, match="must be"):
        index.put_arrays("entries", [])


def test_info_reports_counts_and_sizes(index):
    index.put_entries([_entry(i) for i in range(3)])
    info = index.info()
    assert info["entries"] == 3 and info["schema_version"] == SCHEMA_VERSION
    assert info["extractor"]["name"] == "fake" and info["arrays"] == {DB: 3}
    assert info["size_bytes"] > 0 and info["map_size"] >= info["size_bytes"]


def test_reopening_keeps_everything_and_readonly_refuses_writes(tmp_path):
    with Index.create(tmp_path / "ix") as index:
        index.set_meta("extractor", {"name": "fake", "params": {}, "frame_rate": 10.0})
        index.put_entries([_entry(i) for i in range(3)])
    with Index.create(tmp_path / "ix") as again:  # create on an existing index opens it
        assert len(again) == 3
    with Index.open(tmp_path / "ix") as reader:
        assert reader.ids() == ["id000", "id001", "id002"]
        with pytest.raises(IndexStoreError, match="read-only"):
            reader.record_failure("/x", "y")


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexStoreError, match=r"no index at .*nowhere; build one with `seqretrieve index build"):
        Index.open(tmp_path / "nowhere")


def test_other_schema_version_is_refused(tmp_path):
    with Index.create(tmp_path / "ix") as index:
        index.set_meta("schema_version", 99)
    for opener in (Index.open, Index.create):
        with pytest.raises(IndexStoreError, match=f"schema version 99.*reads version {SCHEMA_VERSION}"):
            opener(tmp_path / "ix")


def test_refuses_to_create_inside_a_folder_that_is_not_an_index(tmp_path):
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "song.mp3").write_bytes(b"x")
    with pytest.raises(IndexStoreError, match="not empty and holds no index"):
        Index.create(tmp_path / "music")
    (tmp_path / "file").write_text("x")
    with pytest.raises(IndexStoreError, match="is a file"):
        Index.create(tmp_path / "file")


def test_a_foreign_lmdb_environment_is_not_an_index(tmp_path):
    env = lmdb.open(str(tmp_path / "other"), max_dbs=4)
    with env.begin(write=True, db=env.open_db(b"stuff")) as txn:
        txn.put(b"k", b"v")
    env.close()
    with pytest.raises(IndexStoreError, match="not a seqretrieve index"):
        Index.open(tmp_path / "other")


@pytest.mark.parametrize("damage, expected", [
    (lambda txn, env: txn.delete(b"id001", db=env.open_db(DB.encode(), txn=txn)), "has no features:fake array"),
    (lambda txn, env: txn.put(b"ghost", b"x", db=env.open_db(DB.encode(), txn=txn)), "'ghost', which has no entry"),
    (lambda txn, env: txn.put(b"id002", b"SQA1\xff\x02\x00\x00" + bytes(16), db=env.open_db(DB.encode(), txn=txn)), "bad header"),
    (lambda txn, env: txn.delete(b"hash0", db=env.open_db(b"hashes", txn=txn)), "content hash does not point back"),
    (lambda txn, env: txn.put(b"hash9", b"nobody", db=env.open_db(b"hashes", txn=txn)), "points to a missing entry"),
    (lambda txn, env: txn.put(b"id000", b"{not json", db=env.open_db(b"entries", txn=txn)), "unreadable record"),
    (lambda txn, env: txn.put(b"schema_version", b"2", db=env.open_db(b"meta", txn=txn)), None),
])
def test_verify_finds_each_kind_of_damage(tmp_path, damage, expected):
    with Index.create(tmp_path / "ix") as index:
        index.set_meta("extractor", {"name": "fake", "params": {}, "frame_rate": 10.0})
        index.put_entries([_entry(i) for i in range(3)])
    _tamper(tmp_path / "ix", damage)
    if expected is None:  # a schema change is refused at open, before any verify
        with pytest.raises(IndexStoreError, match="schema version 2"):
            Index.open(tmp_path / "ix")
        return
    with Index.open(tmp_path / "ix") as index:
        problems = index.verify()
    assert any(expected in p for p in problems), problems


def test_verify_reports_shape_mismatch_and_incomplete_representation(index):
    index.put_entries([_entry(i) for i in range(3)])
    bad = _entry(5)
    index.put_entries([Entry(bad.id, {**bad.metadata, "n_frames": 99}, bad.arrays, bad.content_hash)])
    index.put_arrays("repr:pse", [("id000", np.zeros(128, np.float32))])
    index.set_representation("pse", "1", "embedding", "c")
    problems = index.verify()
    assert any("shape (20, 48), its entry says 99 frames" in p for p in problems), problems
    assert sum("has no repr:pse array" in p for p in problems) == 3


def test_verify_caps_lines_per_kind(index):
    index.put_entries([_entry(i) for i in range(30)])
    index.put_arrays("repr:pse", [("id000", np.zeros(4, np.float32))])
    index.set_representation("pse", "1", "embedding", "c")
    problems = index.verify()
    assert len(problems) == 21 and problems[-1] == "... and 9 more problems of kind 'missing repr:pse'"


def test_default_index_path(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQRETRIEVE_INDEX", str(tmp_path / "mine"))
    assert default_index_path() == str(tmp_path / "mine")
    monkeypatch.delenv("SEQRETRIEVE_INDEX")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_index_path() == str(tmp_path / "xdg" / "seqretrieve" / "index")


def test_meta_values_are_json(index):
    index.set_meta("note", {"a": [1, 2]})
    assert index.meta["note"] == {"a": [1, 2]}
    assert json.dumps(index.meta)  # everything in meta is JSON
