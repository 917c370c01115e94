"""CQT features: shape, frame rate, normalisation, pitch bins, MIDI/audio agreement, plugins."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from seqretrieve.errors import InputFileError
from seqretrieve.features.cqt import CQTExtractor, log_amplitude, normalise_frames
from seqretrieve.features.extract import features_from_audio_file, features_from_midi
from seqretrieve.registry import get_registry

FRAME_RATE = 22050 / 1024


def _hz(midi_pitch: float) -> float:
    return 440.0 * 2 ** ((midi_pitch - 69) / 12)


def test_shape_dtype_frame_rate_and_unit_frames(cqt, sine_factory):
    features = cqt.from_samples(sine_factory(_hz(60), 3.0, 22050), 22050)
    assert features.frames.dtype == np.float32 and features.frames.flags.c_contiguous
    assert features.frames.shape == (int(3.0 * 22050) // 1024 + 1, 48)
    assert features.frame_rate == pytest.approx(FRAME_RATE)
    assert np.allclose(np.linalg.norm(features.frames, axis=1), 1.0, atol=1e-5)
    assert features.extractor == "cqt" and features.params == cqt.params()


@pytest.mark.parametrize("pitch", [36, 60, 71, 83])
def test_sine_peaks_in_its_bin(cqt, sine_factory, pitch):
    frames = cqt.from_samples(sine_factory(_hz(pitch), 2.0, 22050), 22050).frames
    middle = frames[5:-5]
    assert np.all(middle.argmax(axis=1) == pitch - 36)


@pytest.mark.parametrize("program", [0, 40, 48])  # piano, violin, strings: fundamental-strong
def test_synthesized_c4_peaks_in_bin_24(cqt, synth, midi_factory, program):
    features = features_from_midi(midi_factory([(60, 0.0, 2.0)], program=program), cqt, synth)
    loudest = features.frames[2:30].mean(axis=0).argmax()
    assert loudest == 24


def test_silent_frames_stay_finite_and_match_each_other(cqt, sine_factory):
    samples = np.concatenate([sine_factory(_hz(60), 1.0, 22050), np.zeros(2 * 22050, np.float32)])
    frames = cqt.from_samples(samples, 22050).frames
    assert np.isfinite(frames).all()
    silent = frames[-10:]
    assert np.allclose(np.linalg.norm(silent, axis=1), 1.0, atol=1e-5)
    assert float(silent[0] @ silent[-1]) == pytest.approx(1.0, abs=1e-5)


def test_all_zero_input_gives_finite_zero_frames(cqt):
    frames = cqt.from_samples(np.zeros(22050, np.float32), 22050).frames
    assert np.isfinite(frames).all() and not frames.any()


def test_log_amplitude_matches_the_published_formula(cqt, sine_factory):
    magnitude = np.array([[1.0, 0.1], [1e-3, 0.0]])
    expected = np.array([[0.0, -10.0], [-30.0, -80.0]])  # 10 log10(|C| / max), floor -80
    assert np.allclose(log_amplitude(magnitude), expected)
    assert np.all(log_amplitude(np.zeros((3, 2))) == 0)  # silence: all bins equal, never NaN
    # on real CQT magnitudes, within 1e-5 dB of the formula computed in float64
    real = cqt.magnitude(sine_factory(_hz(57), 2.0, 22050) + sine_factory(_hz(69), 2.0, 22050) * 1e-3, 22050, 1024)
    floored = np.maximum(real.astype(np.float64), 1e-10)
    published = np.maximum(10 * np.log10(floored / floored.max()), -80.0)
    assert np.max(np.abs(log_amplitude(real) - published)) <= 1e-5
    assert np.allclose(normalise_frames(np.array([[3.0, 4.0], [0.0, 0.0]])), [[0.6, 0.8], [0.0, 0.0]])


def test_half_rate_uses_half_hop_and_keeps_the_frame_rate(cqt, sine_factory):
    full = cqt.from_samples(sine_factory(_hz(64), 2.0, 22050), 22050).frames
    half = cqt.from_samples(sine_factory(_hz(64), 2.0, 11025), 11025).frames
    assert full.shape == half.shape
    assert np.mean(np.sum(full * half, axis=1)) > 0.98


@pytest.mark.parametrize("rate", [44100, 16000])
def test_other_rates_keep_frame_rate_and_bins(cqt, sine_factory, rate):
    """44,100 Hz runs with hop 2,048; 16,000 Hz (no whole hop) is resampled to 22,050 first."""
    features = cqt.from_samples(sine_factory(_hz(67), 2.0, rate), rate)
    assert features.frame_rate == pytest.approx(FRAME_RATE)
    assert abs(len(features.frames) - 2.0 * FRAME_RATE) <= 2
    assert np.all(features.frames[5:-5].argmax(axis=1) == 67 - 36)


def test_refuses_multichannel_samples(cqt):
    with pytest.raises(ValueError, match="mono"):
        cqt.from_samples(np.zeros((100, 2), np.float32), 22050)


def test_midi_and_audio_features_share_frame_rate_and_agree(tmp_path, cqt, synth, midi_factory):
    notes = [(60 + (i * 5) % 17, i * 0.5, i * 0.5 + 0.45) for i in range(12)]
    midi = midi_factory(notes, program=0)
    from_midi = features_from_midi(midi, cqt, synth)
    path = tmp_path / "rendered.wav"
    sf.write(path, synth.render(midi, 22050), 22050)
    from_audio = features_from_audio_file(path, cqt)
    assert from_midi.frame_rate == from_audio.frame_rate
    assert from_midi.frames.shape == from_audio.frames.shape
    aligned = np.mean(np.sum(from_midi.frames * from_audio.frames, axis=1))
    # log-dB frames are all-negative vectors, so any two are close; timing shows as a margin
    shifted = np.mean(np.sum(from_midi.frames[:-10] * from_audio.frames[10:], axis=1))
    assert aligned > 0.97 and aligned > shifted + 0.03


def test_features_from_midi_path_and_bad_files(tmp_path, cqt, synth, midi_factory):
    path = tmp_path / "ok.mid"
    midi_factory([(60, 0.0, 1.0)]).write(str(path))
    assert features_from_midi(path, cqt, synth).frames.shape[1] == 48
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    with pytest.raises(InputFileError, match=r"bad\.mid: not a valid MIDI"):
        features_from_midi(bad, cqt, synth)
    with pytest.raises(InputFileError, match=r"bad\.wav: no such file"):
        features_from_audio_file(tmp_path / "bad.wav", cqt)


def test_synthesis_error_from_a_midi_path_names_the_file(tmp_path, cqt, midi_factory):
    from seqretrieve.errors import SynthesisError

    class Mute:
        name = "mute"

        def render(self, midi, sample_rate):
            raise SynthesisError("MIDI: rendering produced silence (no playable notes)")

    path = tmp_path / "mute.mid"
    midi_factory([(60, 0.0, 1.0)]).write(str(path))
    with pytest.raises(SynthesisError, match=r"mute\.mid: MIDI: rendering produced silence"):
        features_from_midi(path, cqt, Mute())


def test_params_are_complete_and_json_serialisable(cqt):
    params = cqt.params()
    assert params["name"] == "cqt" and params["version"]
    for key in ("sample_rate", "hop_length", "fmin_midi", "n_bins", "bins_per_octave", "midi_sample_rate"):
        assert params[key] == getattr(cqt, key)
    json.dumps(params)
    assert CQTExtractor(n_bins=36).params() != params


def test_registry_builds_cqt_with_the_published_parameters():
    extractor = get_registry().create("feature_extractor", "cqt")
    assert (extractor.sample_rate, extractor.hop_length, extractor.fmin_midi, extractor.n_bins) == (22050, 1024, 36, 48)
    assert extractor.midi_sample_rate == 11025


def test_plugin_modules_import_no_heavy_libraries():
    code = (
        "import sys, seqretrieve.features.plugin, seqretrieve.synth.plugin; "
        "heavy = [m for m in ('librosa', 'numba', 'tinysoundfont', 'soundfile', 'pretty_midi', 'soxr') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
