"""The prefix bound of an embedding matrix and the exact top-k search it prunes."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.index.prefix_bound import BOUND_DIMS, PrefixBound
from seqretrieve.index.representations import Matrices, squared_norms
from seqretrieve.matchers.embedding import nearest_rows, squared_distances, top_rows


def _matrix(rng, n=6000, dims=32):
    """Rows with most of their variance on a few (rotated) directions, as learned embeddings have."""
    scales = np.geomspace(4.0, 0.05, dims)
    rotation, _ = np.linalg.qr(rng.standard_normal((dims, dims)))
    return ((rng.standard_normal((n, dims)) * scales) @ rotation).astype(np.float32)


@pytest.mark.parametrize("windows", [None, 7])
def test_bound_never_exceeds_the_distance(rng, windows):
    matrix = _matrix(rng)
    matrix[11] = np.nan  # an entry without an embedding
    bound = PrefixBound.fit(matrix, squared_norms(matrix), dims=6)
    np.testing.assert_allclose(bound.axes.T @ bound.axes, np.eye(6), atol=1e-5)
    query = matrix[[5, 40, 77, 99, 120, 500, 900][:windows or 1]] + 0.1
    query = query[0] if windows is None else query
    exact, lower = squared_distances(matrix, query), bound.lower_bounds(query)
    assert np.isinf(lower[11]) and np.isinf(exact[11])
    finite = np.isfinite(exact)
    assert np.all(lower[finite] <= exact[finite] + bound.margin(query))
    assert np.median(lower[finite] / exact[finite]) > 0.5  # the leading axes carry most of it


@pytest.mark.parametrize("limit", [1, 30, 250])
def test_nearest_rows_equal_a_full_search(rng, limit):
    matrix = _matrix(rng)
    matrix[3] = np.nan
    norms = squared_norms(matrix)
    bound = PrefixBound.fit(matrix, norms, dims=6)
    for query in (matrix[17] + 0.05, matrix[[2, 900, 4000]] * 0.9, rng.standard_normal(32).astype(np.float32)):
        full = squared_distances(matrix, query, norms=norms)
        rows, distances = nearest_rows(matrix, query, limit, norms, bound)
        assert rows.tolist() == top_rows(full, limit).tolist()
        np.testing.assert_allclose(distances, full[rows], rtol=1e-5, atol=1e-4)  # same sums, other blocks


def test_nearest_rows_with_fewer_rows_than_asked_or_mostly_missing(rng):
    matrix = _matrix(rng, n=40)
    matrix[5:] = np.nan  # only five entries hold an embedding
    norms = squared_norms(matrix)
    bound = PrefixBound.fit(matrix, norms, dims=4)
    full = squared_distances(matrix, matrix[1], norms=norms)
    for limit in (10, 40, 60):
        rows, distances = nearest_rows(matrix, matrix[1], limit, norms, bound)
        assert rows.tolist() == top_rows(full, limit).tolist()
        assert np.isinf(distances[5:]).all() and np.isfinite(distances[:5]).all()


def test_matrices_fit_their_bound_once(rng):
    matrices = Matrices(["a"] * 300, embeddings=_matrix(rng, n=300)).with_norms()
    assert matrices.bound is matrices.bound and matrices.bound.prefix.shape == (300, BOUND_DIMS + 1)


@pytest.mark.parametrize("representation", ["profile", "pse"])
def test_embedding_matcher_ranks_the_same_when_it_prunes(tiny_index, rendered, monkeypatch, representation):
    from seqretrieve.index.store import Index
    from seqretrieve.matchers import embedding

    from .conftest import query_for

    _, _, songs = rendered
    with Index.open(tiny_index) as index:
        for song in songs:
            full = embedding.EmbeddingMatcher(representation, max_hits=2).rank(query_for(song[1]), index, None)
            monkeypatch.setattr(embedding, "PRUNE_RATIO", 1)  # 6 entries >= 1 x 2: prune
            pruned = embedding.EmbeddingMatcher(representation, max_hits=2).rank(query_for(song[1]), index, None)
            monkeypatch.setattr(embedding, "PRUNE_RATIO", 20)
            assert [hit.id for hit in pruned] == [hit.id for hit in full]
            np.testing.assert_allclose([hit.score for hit in pruned], [hit.score for hit in full], rtol=1e-5, atol=1e-4)


def test_nearest_rows_where_the_bound_prunes_nothing(rng):
    matrix = rng.standard_normal((3000, 48)).astype(np.float32)  # no leading axes: the bound is loose
    norms = squared_norms(matrix)
    bound = PrefixBound.fit(matrix, norms, dims=2)
    query = rng.standard_normal(48).astype(np.float32)
    full = squared_distances(matrix, query, norms=norms)
    assert np.mean(bound.lower_bounds(query) <= np.sort(full)[99]) > 0.5
    rows, distances = nearest_rows(matrix, query, 100, norms, bound)
    assert rows.tolist() == top_rows(full, 100).tolist()
    np.testing.assert_allclose(distances, full[rows], rtol=1e-6)


def test_a_dimension_where_entries_sit_far_from_queries_is_bounded(rng):
    """As profile v6's hubness dimension: about 19 for every entry, 0 for every query window.
    Its variance is tiny, so only the second moment's axes (not the covariance's) hold it."""
    base = _matrix(rng, n=6000, dims=32)
    matrix = np.concatenate([base, 19 + 0.3 * rng.standard_normal((6000, 1)).astype(np.float32)], axis=1)
    norms = squared_norms(matrix)
    bound = PrefixBound.fit(matrix, norms, dims=6)
    query = np.concatenate([base[[10, 20]] * 0.95, np.zeros((2, 1), np.float32)], axis=1)
    full = squared_distances(matrix, query, norms=norms)
    assert np.mean(bound.lower_bounds(query) <= np.sort(full)[29]) < 0.2
    rows, _ = nearest_rows(matrix, query, 30, norms, bound)
    assert rows.tolist() == top_rows(full, 30).tolist()


@pytest.mark.parametrize("width", [1, 3])
def test_a_matrix_of_offset_columns_only_or_narrower_than_the_bound(rng, width):
    matrix = (19 + 0.3 * rng.standard_normal((500, width))).astype(np.float32)
    norms = squared_norms(matrix)
    bound = PrefixBound.fit(matrix, norms)
    assert bound.axes.shape == (width, width)
    np.testing.assert_allclose(bound.axes.T @ bound.axes, np.eye(width), atol=1e-6)
    query = np.zeros(width, np.float32)
    rows, _ = nearest_rows(matrix, query, 5, norms, bound)
    assert rows.tolist() == top_rows(squared_distances(matrix, query, norms=norms), 5).tolist()
