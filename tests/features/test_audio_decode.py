"""load_audio / content_hash: every format decodes, every bad file is one clear InputFileError."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from seqretrieve.audio import decode
from seqretrieve.audio.decode import AUDIO_EXTENSIONS, content_hash, load_audio
from seqretrieve.errors import InputFileError

BACH = Path("/work/shared/data/bach-violin/audio/john-garner_bwv1002_mov7.mp3")
POP909_MIDI = Path("/work/shared/data/pop909/001/001.mid")


def _dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return np.argmax(spectrum) * rate / len(samples)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_decodes_stereo_file_to_mono_at_target_rate(tmp_path, sine_factory, suffix):
    tone = sine_factory(440.0, 1.0, 44100)
    path = tmp_path / f"tone{suffix}"
    sf.write(path, np.stack([tone, tone], axis=1), 44100)
    samples = load_audio(path, 22050)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) - 22050) < 0.02 * 22050  # mp3 encoders pad a little
    assert abs(_dominant_frequency(samples, 22050) - 440.0) < 3.0
    assert 0.3 < np.abs(samples).max() < 0.7


def test_duration_reads_only_the_start(tmp_path, sine_factory):
    path = tmp_path / "long.wav"
    sf.write(path, sine_factory(220.0, 3.0, 16000), 16000)
    assert len(load_audio(path, 16000, duration=1.0)) == 16000


@pytest.mark.skipif(not BACH.exists(), reason="shared bach-violin data not present")
def test_decodes_real_mp3_recording():
    samples = load_audio(BACH, 22050, duration=2.0)
    assert samples.shape == (44100,) and samples.dtype == np.float32
    assert np.isfinite(samples).all() and np.abs(samples).max() > 0.01


def test_audio_extensions_cover_the_decoded_formats():
    assert {".wav", ".flac", ".ogg", ".mp3"} <= AUDIO_EXTENSIONS


def _write_valid(path: Path, sine, rate=22050, seconds=1.0, **kwargs):
    sf.write(path, sine(330.0, seconds, rate), rate, **kwargs)
    return path


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _bad_missing(tmp, sine):
    return tmp / "missing.wav"


def _bad_directory(tmp, sine):
    (tmp / "folder.wav").mkdir()
    return tmp / "folder.wav"


def _bad_empty(tmp, sine):
    (tmp / "empty.mp3").write_bytes(b"")
    return tmp / "empty.mp3"


def _bad_random_bytes(tmp, sine):
    path = tmp / "noise.mp3"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    return path


def _bad_midi_renamed(tmp, sine):
    path = tmp / "song.mp3"
    if POP909_MIDI.exists():
        shutil.copy(POP909_MIDI, path)
    else:  # a minimal Standard MIDI header + empty track
        path.write_bytes(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00")
    return path


def _bad_truncated_wav(tmp, sine):
    return _truncate(_write_valid(tmp / "cut.wav", sine))


def _bad_truncated_flac(tmp, sine):
    return _truncate(_write_valid(tmp / "cut.flac", sine))


def _bad_truncated_mp3(tmp, sine):
    return _truncate(_write_valid(tmp / "cut.mp3", sine))


def _bad_truncated_ogg(tmp, sine):
    return _truncate(_write_valid(tmp / "cut.ogg", sine))


def _bad_zero_length(tmp, sine):
    path = tmp / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 22050)
    return path


def _bad_nan(tmp, sine):
    path = tmp / "nan.wav"
    samples = sine(330.0, 0.5, 22050)
    samples[100] = np.nan
    sf.write(path, samples, 22050, subtype="FLOAT")
    return path


BAD_FILES = {
    "missing": (_bad_missing, "no such file"),
    "directory": (_bad_directory, "directory"),
    "empty": (_bad_empty, "empty"),
    "random bytes": (_bad_random_bytes, "not a readable audio file"),
    "MIDI named .mp3": (_bad_midi_renamed, "not a readable audio file"),
    "truncated wav": (_bad_truncated_wav, "truncated"),
    "truncated flac": (_bad_truncated_flac, "not a readable audio file"),
    "truncated mp3": (_bad_truncated_mp3, "truncated"),
    "truncated ogg": (_bad_truncated_ogg, "no audio|truncated|not a readable audio file"),
    "zero-length audio": (_bad_zero_length, "no audio"),
    "NaN samples": (_bad_nan, "NaN"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_audio_is_one_line_input_file_error_naming_the_file(tmp_path, sine_factory, case):
    make, reason = BAD_FILES[case]
    path = make(tmp_path, sine_factory)
    with pytest.raises(InputFileError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert re.search(reason, message), message
    assert "\n" not in message


def test_too_long_recording_is_refused_with_the_limit(tmp_path, sine_factory):
    path = _write_valid(tmp_path / "long.flac", sine_factory, seconds=3.0)
    with pytest.raises(InputFileError, match=r"long\.flac: recording is .* over the"):
        load_audio(path, max_duration=2.0)
    assert len(load_audio(path, max_duration=4.0)) == 3 * 22050


def test_unreadable_file_is_permission_error(tmp_path, sine_factory, monkeypatch):
    path = _write_valid(tmp_path / "locked.wav", sine_factory)
    monkeypatch.setattr(decode.os, "access", lambda p, mode: False)
    with pytest.raises(InputFileError, match=r"locked\.wav: permission denied"):
        load_audio(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_chmod_000_file_is_permission_error(tmp_path, sine_factory):
    path = _write_valid(tmp_path / "locked.wav", sine_factory)
    path.chmod(0)
    with pytest.raises(InputFileError, match="permission denied"):
        load_audio(path)


def test_bad_files_do_not_stop_a_batch(tmp_path, sine_factory):
    good = _write_valid(tmp_path / "good.wav", sine_factory)
    paths = [_bad_empty(tmp_path, sine_factory), good, _bad_random_bytes(tmp_path, sine_factory), good]
    decoded, failed = [], []
    for path in paths:
        try:
            decoded.append(load_audio(path))
        except InputFileError as exc:
            failed.append(str(exc))
    assert len(decoded) == 2 and len(failed) == 2


def test_content_hash_is_sha256_of_the_bytes(tmp_path, sine_factory):
    path = _write_valid(tmp_path / "a.wav", sine_factory)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert content_hash(path, chunk_size=1000) == expected
    path.write_bytes(path.read_bytes() + b"\x00")
    assert content_hash(path) != expected


def test_content_hash_of_missing_file_is_input_file_error(tmp_path):
    with pytest.raises(InputFileError, match="gone.mp3: no such file"):
        content_hash(tmp_path / "gone.mp3")
