"""load_midi: valid files load, each kind of bad MIDI is one clear InputFileError."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np
import pytest

from seqretrieve.audio.midi import MIDI_EXTENSIONS, load_midi
from seqretrieve.errors import InputFileError

POP909_MIDI = Path("/work/shared/data/pop909/001/001.mid")


def _write(midi, path: Path) -> Path:
    midi.write(str(path))
    return path


def _raw_midi(path: Path, ticks_per_beat: int, tempo: int, note_ticks: int) -> Path:
    """One note lasting ``note_ticks`` at ``tempo`` microseconds per quarter, written with mido."""
    track = mido.MidiTrack([
        mido.MetaMessage("set_tempo", tempo=tempo, time=0),
        mido.Message("note_on", note=60, velocity=90, time=0),
        mido.Message("note_off", note=60, velocity=0, time=note_ticks),
    ])
    mido.MidiFile(tracks=[track], ticks_per_beat=ticks_per_beat).save(str(path))
    return path


def test_loads_a_written_midi_file(tmp_path, midi_factory):
    path = _write(midi_factory([(60, 0.5, 1.0), (64, 1.0, 2.0)], program=40), tmp_path / "two.mid")
    midi = load_midi(path)
    assert [n.pitch for n in midi.instruments[0].notes] == [60, 64]
    assert midi.instruments[0].program == 40
    assert midi.get_end_time() == pytest.approx(2.0, abs=0.01)


@pytest.mark.skipif(not POP909_MIDI.exists(), reason="shared pop909 data not present")
def test_loads_pop909_song():
    midi = load_midi(POP909_MIDI)
    assert [inst.name for inst in midi.instruments] == ["MELODY", "BRIDGE", "PIANO"]


def test_music21_resolution_long_piece_loads(tmp_path):
    # 10,080 ticks per quarter (music21) for ~9.2 min at 120 bpm: over pretty_midi's default limit
    path = _raw_midi(tmp_path / "music21.mid", 10080, 500_000, 11_000_000)
    assert 11_000_000 > 1e7  # pretty_midi's own MAX_TICK would refuse this file
    midi = load_midi(path)
    assert midi.get_end_time() == pytest.approx(11_000_000 / 10080 * 0.5, rel=1e-6)


def test_riff_wrapped_rmi_loads(tmp_path, midi_factory):
    smf = _write(midi_factory([(62, 0.0, 1.0)]), tmp_path / "plain.mid").read_bytes()
    body = b"RMID" + b"LIST" + (4).to_bytes(4, "little") + b"INFO" + b"data" + len(smf).to_bytes(4, "little") + smf
    path = tmp_path / "wrapped.rmi"
    path.write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)
    assert [n.pitch for n in load_midi(path).instruments[0].notes] == [62]


def test_rmi_without_data_chunk_is_refused(tmp_path):
    path = tmp_path / "hollow.rmi"
    path.write_bytes(b"RIFF" + (4).to_bytes(4, "little") + b"RMID")
    with pytest.raises(InputFileError, match=r"hollow\.rmi: RIFF MIDI \(RMID\) file without a data chunk"):
        load_midi(path)


def test_midi_extensions():
    assert {".mid", ".midi"} <= MIDI_EXTENSIONS


def _missing(tmp, factory):
    return tmp / "missing.mid"


def _empty(tmp, factory):
    (tmp / "empty.mid").write_bytes(b"")
    return tmp / "empty.mid"


def _random_bytes(tmp, factory):
    path = tmp / "noise.mid"
    path.write_bytes(np.random.default_rng(1).bytes(3000))
    return path


def _audio_renamed(tmp, factory):
    path = tmp / "audio.mid"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(100))
    return path


def _truncated(tmp, factory):
    path = _write(factory([(60 + i % 12, i * 0.25, i * 0.25 + 0.2) for i in range(200)]), tmp / "cut.mid")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _no_notes(tmp, factory):
    return _write(factory([]), tmp / "silent.mid")


def _drums_only(tmp, factory):
    return _write(factory([(36, 0, 0.5), (38, 0.5, 1.0)], is_drum=True), tmp / "drums.mid")


def _absurd_ticks(tmp, factory):
    return _raw_midi(tmp / "ticks.mid", 480, 500_000, 200_000_000)


def _absurd_end(tmp, factory):
    # 1 tick per quarter at the slowest tempo MIDI allows (~16.8 s per quarter): 500 ticks ~ 2.3 h
    return _raw_midi(tmp / "forever.mid", 1, 0xFFFFFF, 500)


BAD_MIDI = {
    "missing": (_missing, "no such file"),
    "empty": (_empty, "empty file"),
    "random bytes": (_random_bytes, "not a valid MIDI file"),
    "audio named .mid": (_audio_renamed, "not a valid MIDI file"),
    "truncated": (_truncated, "truncated"),
    "no notes": (_no_notes, "no notes"),
    "drums only": (_drums_only, "only drum notes"),
    "absurd ticks": (_absurd_ticks, "tick"),
    "absurd end time": (_absurd_end, "over the 20.0 min limit"),
}


@pytest.mark.parametrize("case", sorted(BAD_MIDI))
def test_bad_midi_is_one_line_input_file_error_naming_the_file(tmp_path, midi_factory, case):
    make, reason = BAD_MIDI[case]
    path = make(tmp_path, midi_factory)
    with pytest.raises(InputFileError) as caught:
        load_midi(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert reason in message, message
    assert "\n" not in message
