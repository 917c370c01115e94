"""Pipelines declare what they need, are checked against the index, and users compose their own
(``--stages``, a TOML pipelines file listed by ``seqretrieve plugins``)."""

from __future__ import annotations

import json

import pytest

from seqretrieve.errors import IndexStoreError, ParameterError, UnknownComponentError
from seqretrieve.index.build import extractor_record
from seqretrieve.pipelines.search import check_needs, default_pipeline_name, index_extractor
from seqretrieve.pipelines.user import read_pipelines
from seqretrieve.registry import build_registry
from seqretrieve.testing import run_cli
from seqretrieve.types import PipelineSpec, PipelineStage

TOML = """
[pipelines.mine]
description = "embedding keeps half, then DTW"
needs = ["pse"]
stages = [
    { matcher = "embedding", keep = "50%" },
    { matcher = "hash-dtw", keep = 2, options = { embedding_weight = 1.0 } },
    { matcher = "dtw" },
]
"""


class _StubIndex:
    """What the pipeline checks read of an index: 4 entries holding ``representations``."""

    path = "ix"

    def __init__(self, representations=(), extractor=None):
        self._names, self.extractor = list(representations), extractor

    def __len__(self):
        return 4

    @property
    def meta(self):
        return {"representations": {name: {} for name in self._names}}

    def lacking_representations(self):
        return {name: 0 for name in self._names}


_stub_index = _StubIndex


def test_default_pipeline_follows_needs_and_preference():
    registry = build_registry(load_entry_points=False)
    assert default_pipeline_name(_stub_index(["dhs", "profile", "pse"]), registry) == "cascade"
    assert default_pipeline_name(_stub_index(["dhs", "pse"]), registry) == "cascade-pse"  # encoded before "profile"
    assert default_pipeline_name(_stub_index(["pse"]), registry) == "brute-force"
    assert default_pipeline_name(_stub_index(), registry) == "brute-force"


def test_a_pipeline_the_index_cannot_run_is_refused_with_the_fix():
    with pytest.raises(IndexStoreError, match=r"needs the learned representation\(s\) dhs, profile, pse.*index update"):
        check_needs(build_registry(load_entry_points=False).get("pipeline", "cascade"), _stub_index())


def test_extractor_parameters_must_match_the_index():
    registry = build_registry(load_entry_points=False)
    stored = extractor_record(registry.create("feature_extractor", "cqt"))
    assert index_extractor(_stub_index(extractor=stored), registry).name == "cqt"
    changed = {**stored, "params": {**stored["params"], "n_bins": 84}}
    with pytest.raises(IndexStoreError, match="n_bins.*84.*build a new index"):
        index_extractor(_stub_index(extractor=changed), registry)


def test_toml_pipelines_are_read_and_checked(tmp_path):
    path = tmp_path / "pipelines.toml"
    path.write_text(TOML)
    (spec,) = read_pipelines(path)
    assert spec.needs == ("pse",) and [stage.keep for stage in spec.stages] == [0.5, 2, None]
    assert spec.stages[1].options == {"embedding_weight": 1.0}
    path.write_text('[pipelines.bad]\nstages = [{ matcher = "dtw", keep = 0 }]\n')
    with pytest.raises(ParameterError, match="keep must be"):
        read_pipelines(path)
    path.write_text('[pipelines.bad]\nstage = []\n')
    with pytest.raises(ParameterError, match="non-empty list `stages`"):
        read_pipelines(path)


def test_user_pipelines_file_is_listed_and_runs(small_index, example_queries, tmp_path):
    path = tmp_path / "pipelines.toml"
    path.write_text(TOML)
    env = {"SEQRETRIEVE_PIPELINES": str(path)}
    listing = [json.loads(line) for line in run_cli("plugins", "--json", env=env, check=True).stdout.splitlines()]
    assert {"type": "pipeline", "name": "mine", "version": "0", "description": "embedding keeps half, then DTW",
            "plugin": "seqretrieve.pipelines.plugin"} in listing
    result = run_cli("query", example_queries[0], "--index", small_index, "--pipeline", "mine", "--json",
                     "--explain", "--top", "1", env=env, check=True)
    first, explain = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == example_queries[0].stem and first["pipeline"] == "mine"
    assert [stage["matcher"] for stage in explain["stages"]] == ["embedding", "hash-dtw", "dtw"]
    assert [stage["kept"] for stage in explain["stages"]][:2] == [2, 2]


def test_stages_compose_a_pipeline_on_the_command_line(small_index, example_queries):
    result = run_cli("query", example_queries[1], "--index", small_index, "--stages", "embedding=75%,hash-dtw=2,dtw",
                     "--json", "--explain", "--top", "1", check=True)
    first, explain = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == example_queries[1].stem and first["pipeline"] == "stages"
    assert [(stage["matcher"], stage["kept"]) for stage in explain["stages"]] == [("embedding", 3), ("hash-dtw", 2), ("dtw", 2)]


@pytest.mark.parametrize("stages, message", [
    ("embedding=5%,nosuch", "unknown matcher 'nosuch'"),
    ("dtw=0", "--stages"),
    ("embedding=,dtw", "--stages"),
])
def test_bad_stages_are_usage_errors(small_index, example_queries, stages, message):
    result = run_cli("query", example_queries[0], "--index", small_index, "--stages", stages)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_pipeline_and_stages_together_are_refused(small_index, example_queries):
    result = run_cli("query", example_queries[0], "--index", small_index, "--stages", "dtw", "--pipeline", "cascade")
    assert result.returncode == 2 and "not both" in result.stderr


def test_unknown_matcher_in_a_spec_is_the_same_error():
    from seqretrieve.pipelines.search import build_matchers

    with pytest.raises(UnknownComponentError, match="unknown matcher 'nope'"):
        build_matchers(PipelineSpec("x", [PipelineStage("nope")]), build_registry(load_entry_points=False))
