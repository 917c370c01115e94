"""Embedding and hash-DTW matchers, the representations in the index, and the cascade."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.errors import ModelMismatchError
from seqretrieve.index.representations import squared_norms
from seqretrieve.matchers.embedding import squared_distances, top_rows
from seqretrieve.registry import get_registry

from .conftest import query_for


def test_squared_distances_match_a_loop(rng):
    matrix = rng.standard_normal((50, 16)).astype(np.float32)
    matrix[7] = np.nan  # an entry without an embedding
    query = rng.standard_normal(16).astype(np.float32)
    expected = [float(((row - query) ** 2).sum()) for row in matrix]
    got = squared_distances(matrix, query)
    assert np.isinf(got[7])
    np.testing.assert_allclose(np.delete(got, 7), np.delete(expected, 7), rtol=1e-4, atol=1e-4)
    rows = np.array([3, 9, 1])
    np.testing.assert_allclose(squared_distances(matrix, query, rows), got[rows], rtol=1e-6)
    norms = squared_norms(matrix)
    np.testing.assert_allclose(squared_distances(matrix, query, norms=norms), got, rtol=1e-6)
    np.testing.assert_allclose(squared_distances(matrix, query, rows, norms), got[rows], rtol=1e-6)


def test_top_rows_best_first(rng):
    scores = rng.random(1000)
    assert top_rows(scores, 10).tolist() == np.argsort(scores)[:10].tolist()
    assert top_rows(scores, None).tolist() == np.argsort(scores).tolist()


def test_index_holds_representations_and_matrices(tiny_index, rendered):
    from seqretrieve.index.representations import load_matrices
    from seqretrieve.index.store import Index

    _, _, songs = rendered
    with Index.open(tiny_index) as index:
        records = index.representations()
        assert records["dhs"]["kind"] == "hash" and records["pse"]["kind"] == "embedding"
        pse = get_registry().create("representation", "pse")
        matrices = load_matrices(index, pse)
        assert matrices.embeddings.shape == (len(songs), 128) and matrices.ids == [s for s, _, _ in songs]
        np.testing.assert_allclose(matrices.embeddings[2], index.get_array("repr:pse", songs[2][0]))
        dhs = load_matrices(index, get_registry().create("representation", "dhs"))
        assert dhs.offsets[-1] == len(dhs.codes)
        np.testing.assert_array_equal(dhs.codes[dhs.offsets[1]:dhs.offsets[2]], index.get_array("repr:dhs", songs[1][0]))


def test_add_representation_skips_current_entries(tiny_index):
    from seqretrieve.index.representations import add_representation
    from seqretrieve.index.store import Index

    with Index.open(tiny_index, readonly=False) as index:
        assert add_representation(index, get_registry().create("representation", "dhs")) == 0


def test_add_all_representations_covers_the_registered_models(tiny_index):
    from seqretrieve.index.representations import add_all_representations
    from seqretrieve.index.store import Index

    seen = []
    with Index.open(tiny_index, readonly=False) as index:
        counts = add_all_representations(index, progress=lambda name, done, total: seen.append(name))
    assert counts == {"dhs": 0, "profile": 0, "pse": 0} and set(seen) == {"dhs", "profile", "pse"}


def test_mismatched_model_is_refused(tiny_index, tmp_path, rendered):
    from seqretrieve.index.store import Index
    from seqretrieve.matchers.embedding import EmbeddingMatcher

    _, _, songs = rendered
    matcher = EmbeddingMatcher()
    with Index.open(tiny_index) as index:
        matcher.rank(query_for(songs[0][1]), index, None)  # the right model works
    pse = get_registry().create("representation", "pse")
    pse.checksum = "0" * 64  # as if retrained
    matcher._model = pse
    with Index.open(tiny_index) as index, pytest.raises(ModelMismatchError, match="re-encode"):
        matcher.rank(query_for(songs[0][1]), index, None)


@pytest.mark.parametrize("matcher_name", ["embedding", "hash-dtw"])
def test_matchers_rank_candidates_only(tiny_index, rendered, matcher_name):
    from seqretrieve.index.store import Index

    _, _, songs = rendered
    matcher = get_registry().create("matcher", matcher_name)
    with Index.open(tiny_index) as index:
        hits = matcher.rank(query_for(songs[1][1]), index, np.array([4, 1, 2]))
    assert sorted(h.id for h in hits) == sorted([songs[4][0], songs[1][0], songs[2][0]])
    assert [h.score for h in hits] == sorted(h.score for h in hits)


@pytest.mark.parametrize("options", [{"guide": "dhs"}, {"guide": "coarse"}, {"window": 0.25},
                                     {"window": 0.25, "median_stride": 4}], ids=str)
def test_dtw_narrowed_by_coarse_paths_keeps_the_right_entries_score(tiny_index, rendered, options):
    """A band around each entry's Hamming-DTW path ("dhs") or its pooled frames' DTW path
    ("coarse"), or a window of the query frames near the pooled path: the right entry stays first
    and keeps its full-DTW score (the band or window holds its path; with a strided penalty,
    within 0.01)."""
    from seqretrieve.index.store import Index

    _, _, songs = rendered
    full = get_registry().create("matcher", "dtw")
    narrowed = get_registry().create("matcher", "dtw", **options)
    with Index.open(tiny_index) as index:
        for song, midi_features, _ in songs[:3]:
            query = query_for(midi_features)
            expected = {h.id: h.score for h in full.rank(query, index, np.arange(6))}
            hits = narrowed.rank(query, index, np.arange(6))
            assert hits[0].id == song == min(expected, key=expected.get)
            assert hits[0].score == pytest.approx(expected[song], abs=0.01 if "median_stride" in options else 0)


def test_dtw_window_cutting_the_path_falls_back_to_the_whole_query():
    """A window that cuts the best path (its path reaches the window's first or last row) is
    scored over the whole query instead; one that misses the path altogether scores only what
    lies in it (why the window is centred on the pooled path and measured on every set)."""
    from seqretrieve.dtw.align import score_features
    from seqretrieve.matchers.dtw import FeatureDTWMatcher

    rng = np.random.default_rng(0)
    query = rng.random((500, 48)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    entry = query[200:300]
    matcher = FeatureDTWMatcher(window=0.25, rates=(1.0,))
    full = score_features(query, entry)
    assert full[0] < 1e-6
    for cut in [(210, 499), (230, 499), (0, 290), (150, 260)]:
        assert matcher._score_rows(query, entry, cut, 1.0) == full
    assert matcher._score_rows(query, entry, (150, 499), 1.0) == full
    assert matcher._score_rows(query, entry, (350, 499), 1.0)[0] > 0.5


@pytest.mark.parametrize("options,error", [({"guide": "dhs", "band": 0.1}, "band or a guide"),
                                           ({"window": 0.25, "guide": "coarse"}, "one of a window"),
                                           ({"window": -0.5}, "window must be"),
                                           ({"median_stride": 0}, "median_stride must be"),
                                           ({"median_stride": 4, "band": 0.1}, "median_stride must be")])
def test_dtw_window_options_are_checked(options, error):
    with pytest.raises(ValueError, match=error):
        get_registry().create("matcher", "dtw", **options)


def test_matchers_share_one_model_per_representation():
    """One process, warm: every stage using "pse" or "dhs" uses the same model object."""
    registry = get_registry()
    fused = registry.create("matcher", "hash-dtw", embedding_weight=1.0)
    assert fused.embedding.model() is registry.create("matcher", "embedding").model()
    assert registry.create("matcher", "dtw", guide="dhs").guide.model() is fused.model()


def test_cascade_through_all_three_stages(tiny_index, rendered):
    """The shipped models end to end: embedding keeps 4 of 6, hash-DTW 2, CQT DTW re-ranks."""
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.run import run_pipeline
    from seqretrieve.pipelines.search import _override_keep, build_matchers

    _, _, songs = rendered
    registry = get_registry()
    spec = _override_keep(registry.get("pipeline", "cascade"), {"embedding": 4, "hash-dtw": 2})
    matchers = build_matchers(spec, registry)
    assert matchers["hash-dtw"].embedding_weight > 0  # the stage's options reach its matcher
    with Index.open(tiny_index) as index:
        for song, midi_features, _ in songs[:3]:
            result = run_pipeline(spec, matchers, query_for(midi_features), index, top=2)
            assert [s.candidates_in for s in result.stages] == [6, 4, 2]
            assert [s.kept for s in result.stages] == [4, 2, 2]
            assert result.hits[0].id == song
            explained = result.explain()
            assert [s["options"] for s in explained] == [{"representation": "profile"}, {"embedding_weight": 1.0},
                                                         {"window": 0.25, "median_stride": 8, "coarse": 8}]
            assert explained[-1]["top_hit_rank"] == 1


def test_standardised_scores():
    from seqretrieve.matchers.fusion import standardised

    z = standardised(np.array([1.0, 2.0, 3.0, np.inf]))
    np.testing.assert_allclose(z[:3], [-1.224745, 0.0, 1.224745], rtol=1e-6)
    assert np.isinf(z[3])
    assert standardised(np.array([5.0, 5.0])).tolist() == [0.0, 0.0]  # no spread: no division by 0


def test_hash_dtw_fused_with_the_embedding(tiny_index, rendered):
    """Fused scores are z(hash) + w * z(embedding) over the candidates; w = 0 is the plain ranking."""
    from seqretrieve.index.store import Index
    from seqretrieve.matchers.embedding import EmbeddingMatcher
    from seqretrieve.matchers.fusion import standardised
    from seqretrieve.matchers.hash_dtw import HashDTWMatcher

    _, _, songs = rendered
    candidates = np.array([5, 0, 3, 1])
    with Index.open(tiny_index) as index:
        query = query_for(songs[3][1])
        plain = HashDTWMatcher().rank(query, index, candidates)
        assert [h.id for h in HashDTWMatcher(embedding_weight=0).rank(query, index, candidates)] == [h.id for h in plain]
        fused = HashDTWMatcher(embedding_weight=0.7).rank(query, index, candidates)
        distances = EmbeddingMatcher().distances(query, index, candidates)
        ids = index.ids()
        every = np.arange(len(ids))
        assert ([(h.id, h.score) for h in HashDTWMatcher(embedding_weight=0.7).rank(query, index, None)]
                == [(h.id, h.score) for h in HashDTWMatcher(embedding_weight=0.7).rank(query, index, every)])
    by_id = {h.id: h.score for h in plain}
    hash_scores = np.array([by_id[ids[r]] for r in candidates])
    expected = standardised(hash_scores) + 0.7 * standardised(distances)
    got = {h.id: h.score for h in fused}
    np.testing.assert_allclose([got[ids[r]] for r in candidates], expected, rtol=1e-6)
    assert [h.score for h in fused] == sorted(got.values())
    with pytest.raises(ValueError, match="embedding_weight"):
        HashDTWMatcher(embedding_weight=-1)


def test_unknown_stage_option_is_refused():
    from seqretrieve.errors import SeqretrieveError
    from seqretrieve.pipelines.search import build_matchers
    from seqretrieve.types import PipelineSpec, PipelineStage

    spec = PipelineSpec("mine", [PipelineStage("hash-dtw", 5, {"embeding_weight": 1.0})])
    with pytest.raises(SeqretrieveError, match="unknown options embeding_weight .*embedding_weight"):
        build_matchers(spec)


def test_keep_as_a_fraction(tiny_index, rendered):
    """keep 0.5 of 6 entries -> 3, then 0.5 of 3 -> 2 (rounded up); resolved to counts per index."""
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.run import run_pipeline
    from seqretrieve.pipelines.search import _override_keep, build_matchers, counts_for

    _, _, songs = rendered
    fractional = _override_keep(get_registry().get("pipeline", "cascade"), {"embedding": 0.5, "hash-dtw": 0.5})
    resolved = counts_for(fractional, 6)
    assert [s.keep for s in resolved.stages] == [3, 2, None]
    for spec in (fractional, resolved):  # run_pipeline takes either
        with Index.open(tiny_index) as index:
            result = run_pipeline(spec, build_matchers(spec), query_for(songs[0][1]), index, top=2)
        assert [s.candidates_in for s in result.stages] == [6, 3, 2]
        assert result.hits[0].id == songs[0][0]


@pytest.mark.parametrize("keep", [0, -1, 0.0, 1.5, True, "10"])
def test_bad_keep_is_refused(keep):
    from seqretrieve.types import PipelineStage

    with pytest.raises(ValueError, match="keep must be"):
        PipelineStage("dtw", keep)


def test_matchers_use_the_registry_they_are_given(tiny_index, rendered, tmp_path):
    """A representation registered only on a test registry is what ``embedding`` and
    ``hash-dtw`` look up when a Searcher runs with that registry (never the global one)."""
    import shutil
    import types as pytypes

    from seqretrieve import ComponentSpec, PipelineSpec, PipelineStage, hookimpl
    from seqretrieve.index.representations import add_all_representations
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import build_matchers
    from seqretrieve.registry import build_registry, get_registry

    class MeanFrame:
        name, version, kind, checksum, extractor = "mean-frame", "1", "embedding", "none", "cqt"

        def encode(self, frames, side):
            return frames.mean(axis=0).astype(np.float32)

    plugin = pytypes.SimpleNamespace(
        seqretrieve_representations=hookimpl(lambda: [ComponentSpec("mean-frame", MeanFrame)]),
        seqretrieve_pipelines=hookimpl(lambda: [PipelineSpec("mean-then-dtw", [
            PipelineStage("embedding", 3, {"representation": "mean-frame"}), PipelineStage("dtw")])]))
    registry = build_registry(load_entry_points=False)
    registry.register(plugin, name="test-only")
    assert "mean-frame" not in get_registry().components("representation")
    path = tmp_path / "index"
    shutil.copytree(tiny_index, path)
    with Index.create(path) as index:
        assert add_all_representations(index, registry)["mean-frame"] == len(index)
        spec = registry.get("pipeline", "mean-then-dtw")
        matchers = build_matchers(spec, registry)
        _, _, songs = rendered
        song, midi_features, _ = songs[0]
        query = query_for(midi_features)
        query.registry = registry
        hits = matchers["embedding"].rank(query, index, None)
        assert len(hits) == 3 and "mean-frame" in query.encoded
