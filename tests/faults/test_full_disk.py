"""A full disk while writing the representation matrices (RLIMIT_FSIZE, which fails a write the
way ENOSPC does): one clear error, no partial file left, the previous matrices intact.
(A full disk during LMDB commits: test_kills.py::test_full_disk_stops_cleanly_keeps_commits_and_resumes.)"""

from __future__ import annotations

import resource
from contextlib import contextmanager

import numpy as np
import pytest

from seqretrieve.index.representations import write_matrices
from seqretrieve.index.store import Entry, Index, IndexWriteError


@contextmanager
def file_size_limit(n_bytes: int):
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_full_disk_during_matrix_write_is_one_clear_error_and_leaves_no_partial_file(tmp_path):
    path = tmp_path / "ix"
    with Index.create(path) as index:
        index.set_meta("extractor", {"name": "fake", "params": {}, "frame_rate": 10.0})
        index.put_entries([Entry(f"e{i}", {"source": f"/x/{i}", "n_frames": 2},
                                 {"features:fake": np.zeros((2, 4), np.float32)}, f"h{i}") for i in range(200)])
        index.put_arrays("repr:pse", [(f"e{i}", np.full(128, i, np.float32)) for i in range(100)])
        index.set_representation("pse", "1", "embedding", "c")
        write_matrices(index, "pse", "embedding", "c")  # 100 rows of 200: the old matrices
    before = {p.name: p.read_bytes() for p in path.glob("repr-*")}
    with Index.create(path) as index:
        index.put_arrays("repr:pse", [(f"e{i}", np.full(128, i, np.float32)) for i in range(100, 200)])
    with Index.open(path) as index, file_size_limit(50_000):  # the new matrix is 100 KiB
        with pytest.raises(IndexWriteError) as caught:
            write_matrices(index, "pse", "embedding", "c")
    message = str(caught.value)
    assert "repr-pse.npy" in message and "is the disk full?" in message and "seqretrieve index update" in message
    assert "\n" not in message
    assert {p.name: p.read_bytes() for p in path.glob("repr-*")} == before  # old files whole, no .tmp
