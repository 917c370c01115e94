"""The ``train`` command group: data generation on two songs, and a clear error without TensorFlow."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from seqretrieve.cli import train

POP909 = Path(__file__).resolve().parents[3] / "shared" / "data" / "pop909"


def _app() -> typer.Typer:
    app = typer.Typer()
    train.register(app)
    app.command("noop")(lambda: None)  # a second command keeps "train" a sub-command
    return app


@pytest.mark.skipif(not POP909.is_dir(), reason="needs ../shared/data/pop909")
def test_train_data_writes_aligned_pairs(tmp_path):
    import numpy as np

    result = CliRunner().invoke(_app(), ["train", "data", "--root", str(POP909), "--out", str(tmp_path),
                                         "--limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["error"] for line in lines] == [None, None]
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["extractor"] == "cqt" and meta["splits"] == {"train": 1, "validation": 1}
    with np.load(next((tmp_path / "train").glob("*.npz"))) as pair:
        assert pair["midi"].shape[1] == pair["audio"].shape[1] == 48
        assert len(pair["audio_index"]) == len(pair["midi"])
        assert 0 <= pair["audio_index"].min() and pair["audio_index"].max() < len(pair["audio"])
        assert np.all(np.diff(pair["audio_index"]) >= 0)  # the time map is monotonic


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is not None, reason="TensorFlow is installed")
def test_train_without_tensorflow_is_a_clear_error(tmp_path):
    from seqretrieve.errors import SeqretrieveError

    result = CliRunner().invoke(_app(), ["train", "hash", "--pairs", str(tmp_path)])
    assert isinstance(result.exception, SeqretrieveError) and "TensorFlow" in str(result.exception)
