"""Standard MIDI File bytes -> ``pretty_midi.PrettyMIDI`` without mido's per-message objects.

pretty_midi reads a file through mido, whose message objects and checks take about three
quarters of a load (28 of 37 ms for a 4-minute POP909 song). Here the channel messages are
parsed straight from the bytes into light records carrying the attributes pretty_midi's loaders
read (``type``, absolute ``time`` in ticks, ``channel``, ``note``, ``velocity``, ``program``,
``control``, ``value``, ``pitch``); the few meta messages pretty_midi reads are built by mido
itself, and then pretty_midi's own loaders make the object, as its constructor does: the same
notes, tempo map and metadata.

Anything this reader does not handle exactly as mido does (SMPTE time division, a chunk that is
not a track, running status without a status, a data byte over 127, a message running past its
track's end, system messages, a track with no events, a truncated file) raises
:class:`NotPlainSMF`; the caller then reads the file through pretty_midi and mido, which give
such files their usual result or error.
"""

from __future__ import annotations

import struct

#: meta message types pretty_midi's loaders read (the others only move the clock)
_META_READ = frozenset({0x03, 0x05, 0x01, 0x51, 0x58, 0x59})  # track_name, lyrics, text, set_tempo, time/key sig.
#: data bytes after the status of each channel message kind (status >> 4)
_DATA_BYTES = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}


class NotPlainSMF(Exception):
    """The bytes hold something only mido's reader handles exactly (see the module's docstring)."""


class _Event:
    """A channel message as pretty_midi reads it (absolute ``time`` in ticks)."""

    __slots__ = ("type", "time", "channel", "note", "velocity", "program", "control", "value", "pitch")

    def __init__(self, kind: str, time: int, channel: int):
        self.type, self.time, self.channel = kind, time, channel


class _Tracks:
    """What pretty_midi's loaders read of a ``mido.MidiFile``: its ``tracks``."""

    def __init__(self, tracks: list[list]):
        self.tracks = tracks


def read_smf(data: bytes, max_tick: int):
    """A ``pretty_midi.PrettyMIDI`` of Standard MIDI File ``data``, as ``PrettyMIDI(file)`` makes it.

    Raises :class:`NotPlainSMF` (see the module) and ``ValueError`` when the largest tick exceeds
    ``max_tick`` (as pretty_midi does).
    """
    import pretty_midi

    try:
        ticks_per_beat, tracks, last_ticks = _parse(data)
    except (IndexError, KeyError, ValueError, EOFError) as exc:  # bytes run out, odd meta data
        raise NotPlainSMF(f"{type(exc).__name__}: {exc}") from exc
    midi = pretty_midi.PrettyMIDI.__new__(pretty_midi.PrettyMIDI)
    midi.resolution = ticks_per_beat
    largest = max(last_ticks) + 1
    if largest > max_tick:
        raise ValueError(f"MIDI file has a largest tick of {largest}, it is likely corrupt")
    source = _Tracks(tracks)
    midi._load_tempo_changes(source)
    midi._update_tick_to_time(largest)
    midi._load_metadata(source)
    midi._load_instruments(source)
    midi._charset = "latin1"
    return midi


def _parse(data: bytes) -> tuple[int, list[list], list[int]]:
    """(ticks per beat, each track's events pretty_midi reads, each track's last tick)."""
    if len(data) < 14 or data[:4] != b"MThd":
        raise NotPlainSMF("no MThd header")
    size = struct.unpack(">L", data[4:8])[0]
    if size < 6 or len(data) < 8 + size:
        raise NotPlainSMF("short header")
    kind, count, division = struct.unpack(">hhh", data[8:14])
    if division <= 0 or kind not in (0, 1, 2):
        raise NotPlainSMF("SMPTE division or odd format")
    at = 8 + size
    tracks, last_ticks = [], []
    for _ in range(count):
        if len(data) < at + 8 or data[at:at + 4] != b"MTrk":
            raise NotPlainSMF("not a track chunk")
        length = struct.unpack(">L", data[at + 4:at + 8])[0]
        start = at + 8
        end = start + length
        if end > len(data):
            raise NotPlainSMF("truncated track")
        events, last = _parse_track(data, start, end)
        tracks.append(events)
        last_ticks.append(last)
        at = end
    if not tracks:
        raise NotPlainSMF("no tracks")
    return division, tracks, last_ticks


def _parse_track(data: bytes, at: int, end: int) -> tuple[list, int]:
    """The events pretty_midi reads from one track's bytes ``data[at:end]``, and its last tick."""
    from mido.midifiles.meta import build_meta_message

    events = []
    tick = 0
    status = None
    count = 0
    while at < end:
        delta, at = _number(data, at)
        tick += delta
        count += 1
        byte = data[at]
        if byte < 0x80:  # running status: this byte is the first data byte
            if status is None:
                raise NotPlainSMF("running status without a status")
        else:
            at += 1
            if byte == 0xFF or byte in (0xF0, 0xF7):
                meta_type = None
                if byte == 0xFF:
                    meta_type, at = data[at], at + 1
                else:
                    status = byte  # sysex sets running status in mido; meta does not
                length, at = _number(data, at)
                if meta_type in _META_READ:
                    try:
                        message = build_meta_message(meta_type, list(data[at:at + length]))
                    except Exception as exc:  # mido refuses odd meta data (a key of 123 sharps...)
                        raise NotPlainSMF(f"meta message: {exc}") from exc
                    message.time = tick
                    events.append(message)
                elif meta_type is None and not _sysex_ok(data[at:at + length]):
                    raise NotPlainSMF("sysex data byte over 127")
                at += length
                continue
            if byte >= 0xF0:
                raise NotPlainSMF("system message")
            status = byte
        if status in (0xF0, 0xF7):
            raise NotPlainSMF("running status after sysex")
        high, channel = status >> 4, status & 0x0F
        n = _DATA_BYTES[high]
        first = data[at]
        second = data[at + 1] if n == 2 else 0
        at += n
        if first > 127 or second > 127:
            raise NotPlainSMF("data byte over 127")
        if high == 0x9 or high == 0x8:
            event = _Event("note_on" if high == 0x9 else "note_off", tick, channel)
            event.note, event.velocity = first, second
        elif high == 0xC:
            event = _Event("program_change", tick, channel)
            event.program = first
        elif high == 0xB:
            event = _Event("control_change", tick, channel)
            event.control, event.value = first, second
        elif high == 0xE:
            event = _Event("pitchwheel", tick, channel)
            event.pitch = (first | (second << 7)) - 8192
        else:
            continue  # aftertouch: pretty_midi reads none
        events.append(event)
    if at != end:
        raise NotPlainSMF("a message runs past the track's end")
    if count == 0:
        raise NotPlainSMF("empty track")
    return events, tick


def _number(data: bytes, at: int) -> tuple[int, int]:
    """(the variable-length quantity starting at ``data[at]``, the position after it)."""
    value = 0
    while True:
        byte = data[at]
        at += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at


def _sysex_ok(payload: bytes) -> bool:
    """Whether mido accepts a sysex payload: every byte <= 127 once a leading 0xF0 and a trailing
    0xF7 are stripped."""
    if payload[:1] == b"\xf0":
        payload = payload[1:]
    if payload[-1:] == b"\xf7":
        payload = payload[:-1]
    return max(payload, default=0) <= 127
