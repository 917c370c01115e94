"""Load a MIDI file with pretty_midi and refuse the ones that cannot be a usable query.

Refused (each an :class:`~seqretrieve.errors.InputFileError` starting with the file's path):
missing/unreadable/empty files, files that are not Standard MIDI, truncated ones, files with no
pitched notes (empty or drums only), absurd tick values, and pieces longer or with more notes
than :data:`LIMITS` allows (checked right after parsing, before any synthesis: one note held for
an hour is refused in milliseconds, not rendered). The CLI sets the limits from
``--midi-max-duration`` / ``SEQRETRIEVE_MIDI_MAX_DURATION`` (minutes) and ``--midi-max-notes`` /
``SEQRETRIEVE_MIDI_MAX_NOTES``.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from dataclasses import dataclass

from ..errors import InputFileError
from .decode import DEFAULT_MAX_DURATION, check_readable_file, minutes

#: file name suffixes the tools treat as MIDI (lower case, with the dot)
MIDI_EXTENSIONS = frozenset({".mid", ".midi", ".kar", ".smf", ".rmi"})



@dataclass
class MidiLimits:
    """What a MIDI file may hold: ``max_duration`` seconds of music, ``max_notes`` notes."""

    max_duration: float = DEFAULT_MAX_DURATION  # as long as the longest recording indexed by default
    max_notes: int = 200_000  # a dense orchestral score holds ~50,000


#: the limits :func:`load_midi` applies (the CLI's options change them for one command)
LIMITS = MidiLimits()

#: largest tick pretty_midi accepts. music21 writes 10,080 ticks per quarter note, so 40M ticks
#: is ~66 min at 60 bpm; pretty_midi allocates 8 bytes per tick (320 MB at this limit), which is
#: why the limit exists at all (its default, 1e7, refuses long music21 files).
MAX_TICK = 40_000_000


def load_midi(path: str | os.PathLike):
    """Parse ``path`` into a ``pretty_midi.PrettyMIDI`` that has at least one pitched note."""
    import pretty_midi
    from mido.midifiles.meta import KeySignatureError

    path = check_readable_file(path)
    pretty_midi.pretty_midi.MAX_TICK = MAX_TICK
    try:
        with warnings.catch_warnings():
            # pretty_midi warns about meta events on non-zero tracks, common and harmless
            warnings.simplefilter("ignore", RuntimeWarning)
            midi = _parse_smf(_unwrap_rmid(path))
    except EOFError as exc:
        raise InputFileError(f"{path}: truncated MIDI file (ends inside a track)") from exc
    except PermissionError as exc:
        raise InputFileError(f"{path}: permission denied") from exc
    except ValueError as exc:
        if "tick" in str(exc):
            raise InputFileError(
                f"{path}: absurd MIDI tick values (largest tick over {MAX_TICK:,}); file is likely corrupt"
            ) from exc
        raise InputFileError(f"{path}: not a valid MIDI file ({_first_line(exc)})") from exc
    except (OSError, KeyError, IndexError, TypeError, KeySignatureError) as exc:
        raise InputFileError(f"{path}: not a valid MIDI file ({_first_line(exc)})") from exc
    check_midi_content(midi, str(path))
    return midi


def check_midi_content(midi, label: str, limits: MidiLimits | None = None) -> None:
    """Refuse a PrettyMIDI with no pitched notes, or longer or with more notes than ``limits``
    (default :data:`LIMITS`); ``label`` names it."""
    limits = limits or LIMITS
    pitched = sum(len(inst.notes) for inst in midi.instruments if not inst.is_drum)
    if pitched == 0:
        drums = sum(len(inst.notes) for inst in midi.instruments if inst.is_drum)
        what = "only drum notes" if drums else "no notes"
        raise InputFileError(f"{label}: MIDI file has {what}; nothing to match against audio")
    notes = sum(len(inst.notes) for inst in midi.instruments)
    if notes > limits.max_notes:
        raise InputFileError(
            f"{label}: MIDI file has {notes:,} notes, over the {limits.max_notes:,} limit "
            f"(raise it with --midi-max-notes or SEQRETRIEVE_MIDI_MAX_NOTES)"
        )
    end = midi.get_end_time()
    if end > limits.max_duration:
        raise InputFileError(
            f"{label}: MIDI file lasts {minutes(end)}, over the {minutes(limits.max_duration)} limit "
            f"(raise it with --midi-max-duration MINUTES or SEQRETRIEVE_MIDI_MAX_DURATION)"
        )


def _parse_smf(source):
    """PrettyMIDI of a path or stream: by the fast reader (:mod:`seqretrieve.audio.smf`), or by
    pretty_midi and mido themselves for a file it leaves to them (same result or error)."""
    import pretty_midi

    from .smf import NotPlainSMF, read_smf

    if isinstance(source, io.BytesIO):
        data = source.getvalue()
    else:
        with open(source, "rb") as handle:
            data = handle.read()
    try:
        return read_smf(data, MAX_TICK)
    except NotPlainSMF:
        return pretty_midi.PrettyMIDI(io.BytesIO(data))


def _unwrap_rmid(path):
    """The path itself, or for a RIFF-wrapped MIDI (.rmi) its Standard MIDI ``data`` chunk as a stream."""
    with open(path, "rb") as handle:
        head = handle.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"RMID":
            return str(path)
        while len(chunk := handle.read(8)) == 8:
            kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if kind == b"data":
                return io.BytesIO(handle.read(size))
            handle.seek(size + (size & 1), os.SEEK_CUR)
    raise InputFileError(f"{path}: RIFF MIDI (RMID) file without a data chunk")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
