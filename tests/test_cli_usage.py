"""Usage errors (a name or value on the command line that names nothing) exit 2 with one line;
runtime failures exit 1 (README: exit codes)."""

from __future__ import annotations

import pytest

from seqretrieve.errors import ParameterError, SeqretrieveError, UnknownComponentError, UsageError
from seqretrieve.testing import run_cli


@pytest.mark.parametrize("args, message", [
    (["--pipeline", "nosuch"], "unknown pipeline 'nosuch'"),
    (["--keep", "nosuchstage=5"], "--keep names nosuchstage"),
    (["--synth", "nosuch"], "unknown synthesizer 'nosuch'"),
])
def test_query_usage_errors_exit_2(small_index, example_queries, args, message):
    result = run_cli("query", example_queries[0], "--index", small_index, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_extractor_exits_2_and_creates_nothing(tmp_path):
    import numpy as np
    import soundfile

    (tmp_path / "music").mkdir()
    soundfile.write(tmp_path / "music" / "tone.wav", np.zeros(22050, np.float32), 22050)
    result = run_cli("index", "build", tmp_path / "music", "--index", tmp_path / "index", "--extractor", "nosuch")
    assert result.returncode == 2, result.stderr
    assert "unknown feature extractor 'nosuch'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "index").exists()


def test_runtime_failures_still_exit_1(tmp_path, example_queries):
    result = run_cli("query", example_queries[0], "--index", tmp_path / "none")
    assert result.returncode == 1 and "no index" in result.stderr


def test_error_classes_carry_their_exit_codes():
    assert SeqretrieveError("x").exit_code == 1
    assert UsageError("x").exit_code == UnknownComponentError("x").exit_code == ParameterError("x").exit_code == 2
    assert isinstance(ParameterError("x"), ValueError)
