"""A stage's ``carry``: the final ranking keeps the previous stage's evidence."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.pipelines.run import carried, run_pipeline
from seqretrieve.types import Hit, PipelineSpec, PipelineStage, QueryData


class Scores:
    """A matcher giving fixed scores (lower is better) to the candidate rows it is shown."""

    def __init__(self, scores: dict[str, float]):
        self.scores = scores

    def rank(self, query, index, candidates):
        ids = [index.ids[row] for row in (range(len(index.ids)) if candidates is None else candidates)]
        return sorted((Hit(i, self.scores[i], 0.5) for i in ids), key=lambda hit: hit.score)


class Rows:
    def __init__(self, ids):
        self.ids = ids

    def __len__(self):
        return len(self.ids)

    def row_of(self):
        return {entry_id: row for row, entry_id in enumerate(self.ids)}


def test_carried_fuses_z_scores_and_keeps_confidence():
    hits = [Hit("a", 1.0, 0.9), Hit("b", 1.1, 0.8), Hit("c", 3.0, 0.1)]
    previous = {"a": 5.0, "b": 0.0, "c": 1.0}
    assert [h.id for h in carried(hits, previous, 0.0)] == ["a", "b", "c"]
    ranked = carried(hits, previous, 1.0)
    assert [h.id for h in ranked] == ["b", "a", "c"]  # b's strong earlier evidence wins
    assert {h.id: h.confidence for h in ranked} == {"a": 0.9, "b": 0.8, "c": 0.1}
    z = lambda v: (np.array(v) - np.mean(v)) / np.std(v)  # noqa: E731
    expected = z([1.0, 1.1, 3.0]) + z([5.0, 0.0, 1.0])
    assert [h.score for h in ranked] == pytest.approx(sorted(expected))


def test_a_final_stage_with_carry_reranks_by_both_stages():
    first = Scores({"a": 0.0, "b": 0.1, "c": 9.0, "d": 10.0})
    final = Scores({"a": 0.52, "b": 0.50, "c": 0.0, "d": 1.0})
    index = Rows(["a", "b", "c", "d"])
    plain = PipelineSpec("p", [PipelineStage("first", 3), PipelineStage("final")])
    fused = PipelineSpec("p", [PipelineStage("first", 3), PipelineStage("final", carry=2.0)])
    matchers = {"first": first, "final": final}
    query = QueryData("q.mid", None)
    assert [h.id for h in run_pipeline(plain, matchers, query, index, 3).hits] == ["c", "b", "a"]
    result = run_pipeline(fused, matchers, query, index, 3)
    assert [h.id for h in result.hits] == ["b", "a", "c"]  # c: best final score, weak earlier evidence
    assert result.explain()[1]["carry"] == 2.0


@pytest.mark.parametrize("carry", [-1.0, float("nan"), "1"])
def test_bad_carry_is_refused(carry):
    with pytest.raises(ValueError, match="carry"):
        PipelineStage("dtw", carry=carry)
