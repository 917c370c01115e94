"""Odd collections and limits: symlinked folders, empty sources, too-long recordings and MIDI
files (limits as options and environment variables), an index of another schema."""

from __future__ import annotations

import os

import lmdb
import pretty_midi

from seqretrieve.index.sources import find_audio_files
from seqretrieve.index.store import Index

from ..index.index_fakes import write_clips
from .helpers import cqt_index, run_cli


def test_symlinked_folders_are_followed_once_even_in_a_loop(tmp_path):
    write_clips(tmp_path / "real", 2)
    (tmp_path / "music").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "music" / "linked")
    os.symlink(tmp_path / "music", tmp_path / "music" / "loop")
    assert [os.path.basename(p) for p in find_audio_files([tmp_path / "music"])] == ["clip000.wav", "clip001.wav"]


def test_sources_without_audio_are_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no audio here")
    result = run_cli("index", "build", tmp_path / "empty", "--index", tmp_path / "ix", "--extractor", "fake")
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1, err
    assert err.startswith(f"error: no audio files in {tmp_path / 'empty'} (looked for .aif"), err


def test_recording_limit_is_an_option_and_an_environment_variable(tmp_path):
    write_clips(tmp_path / "clips", 2, seconds=2.0)
    os.environ["SEQRETRIEVE_MAX_DURATION"] = "0.02"  # minutes: 1.2 s
    try:
        result = run_cli("index", "build", tmp_path / "clips", "--index", tmp_path / "ix", "--extractor", "fake")
    finally:
        del os.environ["SEQRETRIEVE_MAX_DURATION"]
    assert result.returncode == 1
    assert ("clip000.wav: recording is 2.0 s long, over the 1.2 s limit (raise it with --max-duration "
            "MINUTES or SEQRETRIEVE_MAX_DURATION)") in result.stdout.decode()
    again = run_cli("index", "build", tmp_path / "clips", "--index", tmp_path / "ix", "--extractor", "fake",
                    "--max-duration", "0.05")
    assert again.returncode == 0 and "2 added" in again.stdout.decode()
    with Index.open(tmp_path / "ix") as index:
        assert index.failures() == {}  # the old refusals are gone once the files are indexed


def test_midi_limits_are_options_and_environment_variables(tmp_path):
    index = cqt_index(tmp_path / "ix", ["a", "b"])
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(90, 60, 0.0, 90.0), pretty_midi.Note(90, 62, 0.0, 1.0)]
    midi.instruments.append(piano)
    midi.write(str(tmp_path / "long.mid"))
    os.environ["SEQRETRIEVE_MIDI_MAX_DURATION"] = "1"
    try:
        result = run_cli("query", tmp_path / "long.mid", "--index", index)
    finally:
        del os.environ["SEQRETRIEVE_MIDI_MAX_DURATION"]
    assert result.returncode == 1
    assert result.stderr.decode() == (f"error: {tmp_path / 'long.mid'}: MIDI file lasts 1.5 min, over the "
                                      f"1.0 min limit (raise it with --midi-max-duration MINUTES or "
                                      f"SEQRETRIEVE_MIDI_MAX_DURATION)\n")
    notes = run_cli("query", tmp_path / "long.mid", "--index", index, "--midi-max-notes", "1")
    assert "MIDI file has 2 notes, over the 1 limit" in notes.stderr.decode()


def test_schema_mismatch_advice_is_not_circular(tmp_path):
    index = cqt_index(tmp_path / "ix", ["a"])
    with lmdb.open(str(index), max_dbs=64) as env:
        with env.begin(write=True) as txn:
            txn.put(b"schema_version", b"99", db=env.open_db(b"meta", txn=txn))
    write_clips(tmp_path / "clips", 1)
    result = run_cli("index", "build", tmp_path / "clips", "--index", index, "--extractor", "fake")
    err = result.stderr.decode()
    assert result.returncode == 1 and "build a new index from the same recordings in another folder" in err, err


def test_damaged_mp3_decodes_without_decoder_noise_on_stderr(tmp_path):
    import subprocess
    import sys

    import numpy as np
    import pytest
    import soundfile as sf

    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(66150) / 22050)).astype(np.float32)
    try:
        sf.write(tmp_path / "a.mp3", tone, 22050, format="MP3")
    except (sf.LibsndfileError, TypeError, ValueError):
        pytest.skip("this libsndfile cannot write MP3")
    data = bytearray((tmp_path / "a.mp3").read_bytes())
    for position in np.random.default_rng(0).integers(2000, len(data) - 100, 40):
        data[position:position + 4] = b"\xff\xfb\x00\x00"  # broken frame headers: libmpg123 complains
    (tmp_path / "bad.mp3").write_bytes(bytes(data))
    code = ("import sys; from seqretrieve.audio.decode import load_audio\n"
            "try:\n    load_audio(sys.argv[1])\nexcept Exception as exc:\n    print(exc)\n"
            "print('after', file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "bad.mp3")], capture_output=True, text=True)
    assert result.stderr == "after\n"  # no "Note: Illegal Audio-MPEG-Header" lines, stderr restored


def test_align_takes_the_recording_limit_too(tmp_path):
    from seqretrieve.testing import run_cli as run_seqretrieve

    clip = write_clips(tmp_path, 1, seconds=2.0)[0]
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(90, 60, 0.0, 1.0)]
    midi.instruments.append(piano)
    midi.write(str(tmp_path / "q.mid"))
    result = run_seqretrieve("align", tmp_path / "q.mid", clip, "--max-duration", "0.01")
    assert result.returncode == 1
    assert "recording is 2.0 s long, over the 0.6 s limit (raise it with --max-duration" in result.stderr
