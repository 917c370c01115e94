"""The fast MIDI reader gives exactly what pretty_midi (through mido) gives, or leaves the file to it."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest

from seqretrieve.audio.midi import MAX_TICK, load_midi
from seqretrieve.audio.smf import NotPlainSMF, read_smf
from seqretrieve.errors import InputFileError
from seqretrieve.testing import EXAMPLES


def contents(midi) -> tuple:
    """Everything of a PrettyMIDI the tools read: tempo map, instruments with their notes, bends
    and controls, signatures, lyrics, text events and the end time."""
    return (midi.resolution, midi._tick_scales,
            [(i.program, i.is_drum, i.name, [(n.start, n.end, n.pitch, n.velocity) for n in i.notes],
              [(b.pitch, b.time) for b in i.pitch_bends], [(c.number, c.value, c.time) for c in i.control_changes])
             for i in midi.instruments],
            [(t.numerator, t.denominator, t.time) for t in midi.time_signature_changes],
            [(k.key_number, k.time) for k in midi.key_signature_changes],
            [(x.text, x.time) for x in midi.lyrics], [(x.text, x.time) for x in midi.text_events], midi.get_end_time())


def by_pretty_midi(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pretty_midi.PrettyMIDI(io.BytesIO(data))


def busy_file() -> bytes:
    """Two tracks exercising what pretty_midi reads: tempo, time and key signatures, text, lyrics,
    track names, programs on several channels, drums, overlapping notes of one pitch, note_on with
    velocity 0, pitch bends, controls, aftertouch, a sysex, and running status (mido writes it)."""
    meta = mido.MidiTrack([
        mido.MetaMessage("track_name", name="conductor", time=0),
        mido.MetaMessage("set_tempo", tempo=500000, time=0),
        mido.MetaMessage("time_signature", numerator=3, denominator=4, time=0),
        mido.MetaMessage("key_signature", key="Ebm", time=0),
        mido.MetaMessage("text", text="caf\xe9", time=10),
        mido.MetaMessage("set_tempo", tempo=400000, time=470),
        mido.MetaMessage("key_signature", key="F#", time=480),
    ])
    notes = mido.MidiTrack([mido.MetaMessage("track_name", name="piano & drums", time=0),
                            mido.Message("program_change", channel=0, program=5, time=0),
                            mido.Message("program_change", channel=1, program=33, time=0),
                            mido.Message("sysex", data=[1, 2, 3], time=0)])
    for k in range(40):
        notes += [mido.Message("note_on", channel=k % 2, note=60 + k % 5, velocity=20 + k, time=30),
                  mido.Message("note_on", channel=9, note=36, velocity=100, time=0),
                  mido.Message("pitchwheel", channel=0, pitch=(k * 397) % 16383 - 8192, time=5),
                  mido.Message("control_change", channel=1, control=7, value=k * 3, time=5),
                  mido.Message("aftertouch", channel=0, value=k, time=0),
                  mido.Message("note_on", channel=k % 2, note=60 + (k + 2) % 5, velocity=0, time=40),
                  mido.Message("note_off", channel=9, note=36, velocity=0, time=0),
                  mido.MetaMessage("lyrics", text=f"la{k}", time=0)]
    notes.append(mido.Message("note_on", channel=0, note=72, velocity=90, time=0))
    notes.append(mido.Message("note_on", channel=0, note=72, velocity=80, time=0))  # same pitch, same tick
    notes.append(mido.Message("note_off", channel=0, note=72, velocity=0, time=100))
    buffer = io.BytesIO()
    mido.MidiFile(tracks=[meta, notes], ticks_per_beat=480).save(file=buffer)
    return buffer.getvalue()


def example_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.mid"))


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_examples_read_as_pretty_midi_reads_them(path):
    data = path.read_bytes()
    assert contents(read_smf(data, MAX_TICK)) == contents(by_pretty_midi(data))


def test_every_event_kind_reads_as_pretty_midi_reads_it():
    data = busy_file()
    midi = read_smf(data, MAX_TICK)
    assert contents(midi) == contents(by_pretty_midi(data))
    assert {i.program for i in midi.instruments} == {5, 33, 0} and any(i.is_drum for i in midi.instruments)
    assert midi.lyrics and midi.text_events[0].text == "caf\xe9" and len(midi.key_signature_changes) == 2


def header(division: int) -> bytes:
    return b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big") + division.to_bytes(2, "big", signed=True)


def track(body: bytes) -> bytes:
    return b"MTrk" + len(body).to_bytes(4, "big") + body


@pytest.mark.parametrize("data,why", [
    (header(-7936) + track(b"\x00\x90\x3c\x40\x10\x80\x3c\x00\x00\xff\x2f\x00"), "SMPTE"),
    (header(96) + track(b"\x00\x3c\x40\x00\xff\x2f\x00"), "running status without"),
    (header(96) + track(b"\x00\x90\x3c\xc0\x00\xff\x2f\x00"), "over 127"),
    (header(96) + track(b"\x00\x90\x3c\x40\x00\xf2\x01\x02\x00\xff\x2f\x00"), "system message"),
    (header(96) + track(b"\x00\x90\x3c\x40\x00\xff\x2f\x00")[:-3], "truncated|past the track"),
    (header(96) + track(b""), "empty track"),
    (header(96) + b"XXXX" + (4).to_bytes(4, "big") + b"abcd", "not a track"),
])
def test_files_it_does_not_handle_exactly_are_left_to_mido(data, why):
    with pytest.raises(NotPlainSMF, match=why):
        read_smf(data, MAX_TICK)


def test_load_midi_reads_what_it_leaves_through_pretty_midi(tmp_path):
    """A file left to mido gets pretty_midi's result or the usual clear error: a type-2 file
    (read by mido alike), an SMPTE-timed one (pretty_midi cannot time it) and damaged ones,
    among them a key signature of 123 sharps (mido's KeySignatureError, once a traceback)."""
    tracks = track(b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00")
    type2 = header(96)[:8] + (2).to_bytes(2, "big") + header(96)[10:] + tracks
    (tmp_path / "type2.mid").write_bytes(type2)
    assert contents(load_midi(tmp_path / "type2.mid")) == contents(by_pretty_midi(type2))
    for name, data in [("smpte.mid", header(-7936) + tracks),
                       ("bad.mid", header(96) + track(b"\x00\x90\x3c\xc0\x00\xff\x2f\x00")),
                       ("key.mid", header(96) + track(b"\x00\xff\x59\x02\x7b\x00\x00\xff\x2f\x00"))]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputFileError, match=f"{name}: not a valid MIDI file"):
            load_midi(tmp_path / name)


def test_largest_tick_is_checked_as_pretty_midi_checks_it():
    with pytest.raises(ValueError, match="largest tick"):
        read_smf(header(96) + track(b"\x00\x90\x3c\x40\x83\x00\x80\x3c\x00\x00\xff\x2f\x00"), 100)


@pytest.mark.parametrize("seed", range(6))
def test_damaged_bytes_read_as_pretty_midi_or_are_left_to_it(seed):
    """Random byte changes and cuts of a valid file: whatever the fast reader returns, pretty_midi
    returns too (the same); what it refuses, pretty_midi reads or refuses on its own."""
    rng = np.random.default_rng(seed)
    valid = bytearray(busy_file())
    for _ in range(40):
        data = valid.copy()
        for at in rng.integers(14, len(data), size=int(rng.integers(1, 4))):
            data[at] = int(rng.integers(256))
        if rng.random() < 0.3:
            data = data[: int(rng.integers(14, len(data)))]
        try:
            got = read_smf(bytes(data), MAX_TICK)
        except (NotPlainSMF, ValueError):
            continue
        assert contents(got) == contents(by_pretty_midi(bytes(data)))
