"""Global time-scalings of feature frames (seqretrieve.dtw.rates)."""

from __future__ import annotations

import numpy as np
import pytest

from seqretrieve.dtw.checks import DTWInputError
from seqretrieve.dtw.rates import check_rates, resample_codes, resample_frames


@pytest.fixture
def frames():
    x = np.random.default_rng(0).random((40, 12)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_rate_one_is_the_frames_themselves(frames):
    assert resample_frames(frames, 1.0) is frames


def test_doubling_repeats_every_frame(frames):
    doubled = resample_frames(frames, 2.0)
    assert doubled.shape == (80, 12) and doubled.dtype == np.float32
    np.testing.assert_allclose(doubled[0::2], frames, atol=1e-6)
    np.testing.assert_allclose(doubled[1::2], frames, atol=1e-6)


def test_halving_averages_pairs_and_renormalises(frames):
    halved = resample_frames(frames, 0.5)
    pairs = frames[0::2] + frames[1::2]
    np.testing.assert_allclose(halved, pairs / np.linalg.norm(pairs, axis=1, keepdims=True), atol=1e-6)


@pytest.mark.parametrize("rate", [0.37, 0.8, 1.3, 2.5])
def test_any_rate_keeps_unit_rows_and_the_time_span(frames, rate):
    out = resample_frames(frames, rate)
    assert out.shape[0] == round(len(frames) * rate)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def _integral_reference(frames, rate):
    """The same window means written with NumPy's cumulative sum (the pre-numba version)."""
    frames = np.asarray(frames, np.float64)
    n_in, n_out = len(frames), max(1, int(round(len(frames) * rate)))
    cumulative = np.vstack([np.zeros((1, frames.shape[1])), np.cumsum(frames, axis=0)])
    bounds = np.linspace(0.0, n_in, n_out + 1)
    whole = np.minimum(bounds.astype(np.int64), n_in - 1)
    out = np.diff(cumulative[whole] + (bounds - whole)[:, None] * frames[whole], axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out.astype(np.float32)


@pytest.mark.parametrize("rate", [0.055, 0.125, 0.44, 0.67, 1.5, 2.25, 3.7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_window_means_equal_the_cumulative_sum_version(rate, dtype):
    frames = np.random.default_rng(3).random((997, 48)).astype(dtype)
    frames[100:140] = 0  # silence: rows that stay zero
    np.testing.assert_allclose(resample_frames(frames, rate), _integral_reference(frames, rate), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(resample_frames(frames[:, :5].T, rate), _integral_reference(frames[:, :5].T, rate),
                               rtol=1e-6, atol=1e-7)  # a non-contiguous view



@pytest.mark.parametrize("rate", [0.37, 0.8, 1.3, 2.5])
def test_content_moves_with_time(rate):
    blocks = np.eye(8, dtype=np.float32)[np.arange(80) // 10]  # 8 notes of 10 frames each
    out = resample_frames(blocks, rate)
    centres = ((np.arange(len(out)) + 0.5) / rate).astype(int) // 10
    assert np.mean(out.argmax(axis=1) == centres) >= 0.9  # a window may straddle two notes


def test_tiny_rate_still_gives_one_frame_and_zero_rows_stay_zero(frames):
    assert resample_frames(frames, 0.001).shape == (1, 12)
    zeros = np.zeros((6, 12), np.float32)
    assert not resample_frames(zeros, 1.5).any()


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_rates_are_refused(frames, bad):
    with pytest.raises(DTWInputError):
        resample_frames(frames, bad)
    with pytest.raises(DTWInputError):
        check_rates([1.0, bad])


def test_check_rates_sorts_and_deduplicates():
    assert check_rates([2, 0.5, 1, 2.0]) == (0.5, 1.0, 2.0)
    with pytest.raises(DTWInputError):
        check_rates([])


def test_resampled_codes_cover_the_same_span_and_keep_their_values():
    codes = np.array([5, 7, 9, 11], np.uint32)
    assert resample_codes(codes, 1.0) is codes
    assert resample_codes(codes, 2.0).tolist() == [5, 5, 7, 7, 9, 9, 11, 11]
    assert resample_codes(codes, 0.5).tolist() == [7, 11]
    assert resample_codes(codes, 0.01).tolist() == [9]  # never empty
    assert resample_codes(codes, 1.5).dtype == np.uint32
    with pytest.raises(DTWInputError):
        resample_codes(codes, 0.0)


@pytest.mark.parametrize("shape", [(0, 12), (12,)])
def test_empty_or_flat_frames_are_refused(shape):
    with pytest.raises(DTWInputError, match="non-empty"):
        resample_frames(np.zeros(shape, np.float32), 1.5)
