"""Alignment accuracy on the Bach Violin Dataset: a score (as MIDI) against its real recording.

``notes/<piece>.csv`` holds the score as rows ``onset,offset,pitch,velocity`` in ticks at
24 per quarter note; ``alignments/<performer>_<piece>.csv`` gives, for row i, ``start,end`` in
seconds in the recording. We render the score as a violin MIDI at a nominal tempo, align it with
:func:`seqretrieve.alignment.midi_to_audio.align_midi_to_audio` and compare each note's warped
onset with the annotated start.

Known problem (data README): in ``john-garner_bwv1002_mov6.csv`` every time is ~1 s early, so
that movement is scored after removing the median offset, and reported apart.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TICKS_PER_QUARTER = 24
VIOLIN = 40


@dataclass(frozen=True)
class Piece:
    """One recording with its score notes and annotated note starts."""

    name: str
    audio: Path
    notes: np.ndarray  # (K, 4) int: onset, offset (ticks), pitch, velocity
    starts: np.ndarray  # (K,) seconds in the recording


def read_rows(path: Path) -> np.ndarray:
    """A numeric CSV with a header row as a float array (rows, columns)."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return np.array([[float(value) for value in row] for row in rows if row])


def pieces(root: Path) -> list[Piece]:
    """Every recording in ``root/audio`` that has notes and alignments."""
    found = []
    for audio in sorted(Path(root, "audio").glob("*.mp3")):
        performer_piece = audio.stem
        piece = performer_piece.split("_", 1)[1]
        notes_path = Path(root, "notes", f"{performer_piece}.csv")
        if not notes_path.exists():
            notes_path = Path(root, "notes", f"{piece}.csv")
        alignment = Path(root, "alignments", f"{performer_piece}.csv")
        if notes_path.exists() and alignment.exists():
            found.append(Piece(performer_piece, audio, read_rows(notes_path).astype(int), read_rows(alignment)[:, 0]))
    return found


def score_to_midi(notes: np.ndarray, bpm: float):
    """A one-violin PrettyMIDI of ``notes`` at ``bpm`` quarter notes per minute."""
    import pretty_midi

    seconds_per_tick = 60.0 / bpm / TICKS_PER_QUARTER
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    violin = pretty_midi.Instrument(program=VIOLIN, name="violin")
    for onset, offset, pitch, velocity in notes:
        violin.notes.append(pretty_midi.Note(int(velocity), int(pitch), onset * seconds_per_tick, offset * seconds_per_tick))
    midi.instruments.append(violin)
    return midi


def onset_errors(alignment, midi_onsets: np.ndarray, true_starts: np.ndarray) -> np.ndarray:
    """|warped MIDI onset - annotated start| per note, (K,) seconds."""
    midi_times, first = np.unique(alignment.midi_times, return_index=True)
    warped = np.interp(midi_onsets, midi_times, alignment.audio_times[first])
    return np.abs(warped - true_starts)
