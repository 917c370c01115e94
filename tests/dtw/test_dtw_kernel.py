"""The numba DTW kernel against a plain NumPy loop of the same recurrence, and against librosa."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from seqretrieve.errors import DTWInputError, SeqretrieveError
from seqretrieve.dtw.kernel import accumulate, band_limits, dtw_path, dtw_score


def reference_band(n, m, band):
    """djitw's band_mask written out cell by cell: (n, m) bool."""
    allowed = np.ones((n, m), bool)
    if band is None:
        return allowed
    radius = max(1, int(round(band * min(n, m))))
    for i in range(n):
        for j in range(m):
            if n <= m:
                allowed[i, j] = i - j + (n - radius) < n and j - i + (n - radius) < m
            else:
                allowed[i, j] = j - i + (m - radius) < m and i - j + (m - radius) < n
    return allowed


def reference_dtw(C, penalty, gully, band):
    """(D, traceback, p, q, cost) by plain loops; float32 arithmetic, or int64 for uint8 C."""
    n, m = C.shape
    integer = C.dtype == np.uint8 and float(penalty).is_integer()
    kind = np.int64 if integer else np.float32
    C = C.astype(kind)
    phi = kind(penalty)
    allowed = reference_band(n, m, band)
    D = np.full((n, m), 2**30 if integer else np.inf, kind)
    tb = np.zeros((n, m), np.uint8)
    D[0][allowed[0]] = C[0][allowed[0]]
    D[:, 0][allowed[:, 0]] = C[:, 0][allowed[:, 0]]
    for i in range(1, n):
        for j in range(1, m):
            if not allowed[i, j]:
                continue
            diag, above, left = D[i - 1, j - 1], D[i - 1, j] + phi, D[i, j - 1] + phi
            if diag <= above and diag <= left:
                move, best = 0, diag
            elif above <= left:
                move, best = 1, above
            else:
                move, best = 2, left
            D[i, j] = best + C[i, j]
            tb[i, j] = move
    g = min(n, m) - 1 if gully >= 1 else int(gully * min(n, m))
    i = g + int(np.argmin(D[g:, -1]))
    j = g + int(np.argmin(D[-1, g:]))
    if D[-1, j] > D[i, -1]:
        j = m - 1
    else:
        i = n - 1
    cost = float(D[i, j])
    path = [(i, j)]
    while i > 0 and j > 0:
        move = tb[i, j]
        i, j = (i - 1, j - 1) if move == 0 else (i - 1, j) if move == 1 else (i, j - 1)
        path.append((i, j))
    p, q = np.array(path[::-1]).T
    return D, tb, p, q, cost


CASES = [
    (seed, penalty, gully, band)
    for seed in range(12)
    for penalty, gully, band in [(0.0, 1.0, None), (0.3, 0.96, None), (0.1, 0.5, 0.3), (1.0, 0.0, 0.1)]
]


def random_case(seed, integer=False):
    rng = np.random.default_rng(seed)
    n, m = (int(x) for x in rng.integers(1, 40, 2))
    if integer:
        return rng.integers(0, 33, (n, m)).astype(np.uint8)
    # quantised values make exact ties common, which exercises the tie rules
    values = rng.random((n, m)) if seed % 2 else rng.integers(0, 4, (n, m)) / 4
    return values.astype(np.float32)


@pytest.mark.parametrize("seed,penalty,gully,band", CASES)
def test_float_kernel_matches_reference(seed, penalty, gully, band):
    C = random_case(seed)
    D_ref, tb_ref, p_ref, q_ref, cost_ref = reference_dtw(C, penalty, gully, band)
    D, tb = accumulate(C, penalty, band)
    allowed = reference_band(*C.shape, band)
    np.testing.assert_array_equal(D[allowed], D_ref[allowed])
    assert np.isinf(D[~allowed]).all()
    inner = allowed.copy()
    inner[0, :] = inner[:, 0] = False
    np.testing.assert_array_equal(tb[inner], tb_ref[inner])
    p, q, cost = dtw_path(C, penalty, gully, band)
    np.testing.assert_array_equal(p, p_ref)
    np.testing.assert_array_equal(q, q_ref)
    assert cost == cost_ref


@pytest.mark.parametrize("shape", [(8, 9), (9, 8), (9, 9), (10, 9), (17, 9), (16, 40), (25, 10), (100, 12), (41, 200)])
@pytest.mark.parametrize("integer", [False, True])
def test_unbanded_strips_match_reference_at_their_edges(shape, integer):
    """Without a band, rows are filled eight at a time on a skewed front: same D and moves."""
    rng = np.random.default_rng(shape[0] * 1000 + shape[1])
    C = rng.integers(0, 4, shape).astype(np.uint8) if integer else (rng.integers(0, 4, shape) / 4).astype(np.float32)
    D_ref, tb_ref, *_ = reference_dtw(C, 1.0, 0.96, None)
    for inplace in (False, True):
        D, tb = accumulate(C.copy(), 1.0, None, inplace=inplace)
        np.testing.assert_array_equal(D, D_ref)
        np.testing.assert_array_equal(tb[1:, 1:], tb_ref[1:, 1:])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("penalty", [0, 15, 2.5])
def test_hamming_kernel_matches_reference(seed, penalty):
    H = random_case(seed, integer=True)
    D_ref, _, p_ref, q_ref, cost_ref = reference_dtw(H, penalty, 0.9, None)
    D, _ = accumulate(H, penalty)
    assert D.dtype == (np.int32 if float(penalty).is_integer() else np.float32)
    np.testing.assert_allclose(D, D_ref, rtol=1e-6)
    p, q, cost = dtw_path(H, penalty, 0.9)
    np.testing.assert_array_equal(p, p_ref)
    np.testing.assert_array_equal(q, q_ref)
    assert cost == pytest.approx(cost_ref, rel=1e-6)


@pytest.mark.parametrize("seed,penalty,gully,band", CASES)
def test_score_only_agrees_with_path(seed, penalty, gully, band):
    C = random_case(seed)
    p, q, cost = dtw_path(C, penalty, gully, band)
    assert dtw_score(C, penalty, gully, band) == (cost, len(p), p[0], p[-1], q.min(), q.max())


def test_path_is_monotone_connected_and_starts_on_an_edge():
    C = np.random.default_rng(5).random((60, 90)).astype(np.float32)
    p, q, _ = dtw_path(C, 0.2, 0.96)
    steps = np.stack([np.diff(p), np.diff(q)], axis=1)
    assert {tuple(s) for s in steps} <= {(1, 1), (1, 0), (0, 1)}
    assert p[0] == 0 or q[0] == 0
    assert p[-1] == 59 or q[-1] == 89


@pytest.mark.parametrize("band", [0.05, 0.2])
@pytest.mark.parametrize("shape", [(30, 80), (80, 30), (50, 50)])
def test_band_keeps_the_path_inside(shape, band):
    C = np.random.default_rng(7).random(shape).astype(np.float32)
    lo, hi = band_limits(*shape, band)
    p, q, _ = dtw_path(C, 0.1, 0.96, band)
    assert ((q >= lo[p]) & (q <= hi[p])).all()
    assert lo[0] == 0 and hi[-1] == shape[1] - 1


def test_caller_matrix_untouched_unless_inplace():
    C = np.random.default_rng(1).random((20, 30)).astype(np.float32)
    before = C.copy()
    D, _ = accumulate(C, 0.1)
    np.testing.assert_array_equal(C, before)
    D_inplace, _ = accumulate(C, 0.1, inplace=True)
    assert D_inplace is C
    np.testing.assert_array_equal(C, D)


def test_agrees_with_librosa_on_a_planted_path():
    """Penalty 0, one cheap monotone path among costly cells: both find it, at the same cost."""
    rng = np.random.default_rng(3)
    n, m, offset = 20, 50, 7
    C = rng.uniform(2, 3, (n, m))
    cols = offset + np.arange(n) + (np.arange(n) >= 10)  # one horizontal step at row 10
    path = [(i, c) for i, c in zip(range(n), cols)] + [(9, offset + 10)]
    for i, j in path:
        C[i, j] = rng.uniform(0, 0.05)
    D_lib, wp = librosa.sequence.dtw(C=C, subseq=True)
    p, q, cost = dtw_path(C.astype(np.float32), 0.0, gully=1.0)
    np.testing.assert_array_equal(np.stack([p, q], axis=1), wp[::-1])
    assert cost == pytest.approx(D_lib[-1, wp[0, 1]], rel=1e-5)
    assert sorted(path) == list(zip(p, q))


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (3, 400)])
def test_degenerate_shapes(shape):
    C = np.random.default_rng(2).random(shape).astype(np.float32)
    D_ref, _, p_ref, q_ref, cost_ref = reference_dtw(C, 0.5, 0.96, None)
    p, q, cost = dtw_path(C, 0.5, 0.96)
    np.testing.assert_array_equal(p, p_ref)
    np.testing.assert_array_equal(q, q_ref)
    assert cost == cost_ref


@pytest.mark.parametrize(
    "C,penalty,gully,band,message",
    [
        (np.zeros((0, 5), np.float32), 0.1, 0.9, None, "empty"),
        (np.zeros(5, np.float32), 0.1, 0.9, None, "2-d"),
        (np.array([[0.1, np.nan]], np.float32), 0.1, 0.9, None, "NaN"),
        (np.ones((3, 3), np.float32), -1.0, 0.9, None, "penalty"),
        (np.ones((3, 3), np.float32), 0.1, -0.5, None, "gully"),
        (np.ones((3, 3), np.float32), 0.1, 0.9, 0.0, "band"),
    ],
)
def test_bad_input_is_a_clear_error(C, penalty, gully, band, message):
    with pytest.raises(DTWInputError, match=message) as info:
        dtw_path(C, penalty, gully, band)
    assert isinstance(info.value, SeqretrieveError) and isinstance(info.value, ValueError)
