"""Training pairs on disk and the crops drawn from them (no TensorFlow needed)."""

from __future__ import annotations

import numpy as np

from seqretrieve.training.pairs import Pair, aligned_crops, at_recording_tempo, load_pairs, save_pair, standardisation


def _frames(rng, n):
    frames = rng.random((n, 48)).astype(np.float32)
    return frames / np.linalg.norm(frames, axis=1, keepdims=True)


def test_a_slow_recording_gets_midi_resampled_to_its_pace(rng):
    audio = _frames(rng, 900)
    pair = Pair("s", _frames(rng, 400), audio, (np.arange(400) * 2.25).astype(np.int32))  # 2.25x slower
    paced = at_recording_tempo(pair)
    assert len(paced.midi) == round(400 * 897 / 399) and paced.audio is audio
    steps = np.diff(paced.audio_index)
    assert np.all(steps >= 0) and abs(steps.mean() - 1.0) < 0.01  # one recording frame per MIDI frame
    assert np.allclose(np.linalg.norm(paced.midi.astype(np.float32), axis=1), 1.0, atol=1e-2)
    audio_crop, midi_crop = aligned_crops([paced], np.random.default_rng(0), 4, 64)
    assert audio_crop.shape == midi_crop.shape == (4, 64, 48)
    assert at_recording_tempo(Pair("one", pair.midi[:1], audio, pair.audio_index[:1])).midi.shape == (1, 48)


def test_pairs_stay_float16_in_memory_and_standardise_like_the_whole(tmp_path, rng):
    pairs = [Pair(f"{k}", _frames(rng, 50 + k), _frames(rng, 60), np.arange(50 + k) % 60) for k in range(3)]
    for pair in pairs:
        save_pair(tmp_path / f"{pair.song}.npz", pair)
    loaded = load_pairs(tmp_path)
    assert [p.song for p in loaded] == ["0", "1", "2"] and loaded[0].midi.dtype == np.float16
    assert [p.song for p in load_pairs(tmp_path, names=["2", "0"])] == ["2", "0"]
    stats = standardisation(loaded)
    whole = np.concatenate([p.audio.astype(np.float64) for p in loaded])
    np.testing.assert_allclose(stats["audio"]["mean"], whole.mean(0), rtol=1e-6)
    np.testing.assert_allclose(stats["audio"]["std"], whole.std(0), rtol=1e-4)
