"""Entries without learned representations (a build with --no-representations, or one stopped
before encoding) are never dropped silently, and a long-running process sees an update."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from seqretrieve.index.representations import add_all_representations, load_matrices
from seqretrieve.index.store import Index
from seqretrieve.pipelines.search import default_pipeline_name, unranked_entries
from seqretrieve.registry import get_registry

from seqretrieve.testing import run_cli

from .helpers import cqt_index


@pytest.fixture
def half_encoded(tmp_path) -> Path:
    """12 encoded entries, then 4 added without encoding."""
    path = cqt_index(tmp_path / "ix", [f"old{i}" for i in range(12)])
    with Index.create(path) as index:
        add_all_representations(index)
    return cqt_index(path, [f"new{i}" for i in range(4)], seed=1)


def test_default_pipeline_ranks_every_entry_and_says_how_to_fix(half_encoded, tmp_path):
    with Index.open(half_encoded) as index:
        assert index.lacking_representations() == {"dhs": 4, "profile": 4, "pse": 4}
        assert default_pipeline_name(index) == "brute-force"  # the cascade would cut the 4
        cascade = get_registry().get("pipeline", "cascade")
        assert unranked_entries(index, cascade) == {"dhs": 4, "profile": 4, "pse": 4}
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(90, 60 + i, i * 0.5, i * 0.5 + 0.4) for i in range(6)]
    midi.instruments.append(piano)
    midi.write(str(tmp_path / "q.mid"))
    result = run_cli("query", tmp_path / "q.mid", "--index", half_encoded, "--json", "--top", 16)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 16  # every entry ranked
    assert result.stderr.startswith("warning: 4 lack dhs, 4 lack profile, 4 lack pse (of 16 entries), so the default ranks "
                                    "with brute-force (slow): run `seqretrieve index update"), result.stderr


def test_info_and_verify_report_entries_lacking_a_representation(half_encoded):
    info = run_cli("index", "info", "--index", half_encoded, "--json")
    assert json.loads(info.stdout)["lacking_representations"] == {"dhs": 4, "profile": 4, "pse": 4}
    assert "4 entries lack pse (`seqretrieve index update` encodes them)" in \
        run_cli("index", "info", "--index", half_encoded).stdout
    verify = run_cli("index", "verify", "--index", half_encoded)
    assert verify.returncode == 1
    assert "entry 'new0' has no repr:pse array (`seqretrieve index update` encodes it)" in verify.stdout


def test_a_long_running_reader_sees_what_index_update_encoded(half_encoded):
    pse = get_registry().create("representation", "pse")
    with Index.open(half_encoded) as index:
        assert np.isnan(load_matrices(index, pse).embeddings).any(axis=1).sum() == 4
        assert run_cli("index", "update", "--index", half_encoded).returncode == 0  # another process
        assert not np.isnan(load_matrices(index, pse).embeddings).any()  # same rows and checksum
        assert default_pipeline_name(index) == "cascade"
