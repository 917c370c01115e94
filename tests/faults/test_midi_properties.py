"""The MIDI loader on random bytes and random damage to a real file (hypothesis): it either
loads a file within the limits or raises one InputFileError line naming the file; and the
limits refuse a one-hour held note at once, before any synthesis."""

from __future__ import annotations

import pretty_midi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqretrieve.audio.midi import LIMITS, MidiLimits, check_midi_content, load_midi
from seqretrieve.errors import InputFileError


def _song() -> bytes:
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(90, 60 + i % 12, i * 0.25, i * 0.25 + 0.2) for i in range(64)]
    midi.instruments.append(piano)
    import io

    buffer = io.BytesIO()
    midi.write(buffer)
    return buffer.getvalue()


SONG = _song()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _loads_or_refuses(path) -> None:
    try:
        midi = load_midi(path)
    except InputFileError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message, message
        return
    check_midi_content(midi, str(path))  # what loaded is within the limits


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "random.mid"
    path.write_bytes(b"MThd" + data if data[:1] == b"\x00" else data)  # half of them pass the magic
    _loads_or_refuses(path)


@SETTINGS
@given(edits=st.lists(st.tuples(st.integers(0, len(SONG) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.integers(14, len(SONG)))
def test_damaged_real_file(tmp_path, edits, cut):
    data = bytearray(SONG)
    for position, value in edits:
        data[position] = value
    path = tmp_path / "damaged.mid"
    path.write_bytes(bytes(data[:cut]))
    _loads_or_refuses(path)


def test_one_hour_held_note_is_refused_at_once(tmp_path):
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes.append(pretty_midi.Note(100, 60, 0.0, 3600.0))
    midi.instruments.append(piano)
    midi.write(str(tmp_path / "held.mid"))
    with pytest.raises(InputFileError, match=r"lasts 60.0 min, over the 20.0 min limit \(raise it with "
                                             r"--midi-max-duration MINUTES or SEQRETRIEVE_MIDI_MAX_DURATION\)"):
        load_midi(tmp_path / "held.mid")  # refused on parsing: rendering it took 27 s and 2.4 GB


def test_note_limit(tmp_path):
    path = tmp_path / "song.mid"
    path.write_bytes(SONG)
    with pytest.raises(InputFileError, match="64 notes, over the 10 limit"):
        check_midi_content(load_midi(path), str(path), MidiLimits(max_notes=10))
    assert LIMITS.max_notes >= 64
