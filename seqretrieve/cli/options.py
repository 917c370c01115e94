"""Options shared by several commands, so each is spelled and documented once."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

INDEX_OPTION = typer.Option(
    None,
    "--index",
    "-i",
    envvar="SEQRETRIEVE_INDEX",
    help="Index directory (default: $SEQRETRIEVE_INDEX, else seqretrieve/index in the user data directory).",
    show_default=False,
)
JSON_OPTION = typer.Option(False, "--json", help="NDJSON on stdout (one object per line), no progress.")
MAX_DURATION_OPTION = typer.Option(
    20.0, "--max-duration", min=0.01, envvar="SEQRETRIEVE_MAX_DURATION",
    help="Refuse recordings longer than this many minutes (env SEQRETRIEVE_MAX_DURATION).",
)



def _set_midi_duration(minutes: float) -> float:
    from ..audio.midi import LIMITS

    LIMITS.max_duration = minutes * 60
    return minutes


def _set_midi_notes(notes: int) -> int:
    from ..audio.midi import LIMITS

    LIMITS.max_notes = notes
    return notes


MIDI_MAX_DURATION_OPTION = typer.Option(
    20.0, "--midi-max-duration", min=0.01, envvar="SEQRETRIEVE_MIDI_MAX_DURATION", callback=_set_midi_duration,
    help="Refuse MIDI files lasting longer than this many minutes (env SEQRETRIEVE_MIDI_MAX_DURATION).",
)
MIDI_MAX_NOTES_OPTION = typer.Option(
    200_000, "--midi-max-notes", min=1, envvar="SEQRETRIEVE_MIDI_MAX_NOTES", callback=_set_midi_notes,
    help="Refuse MIDI files with more notes than this (env SEQRETRIEVE_MIDI_MAX_NOTES).",
)


def resolve_index_path(index: Optional[Path]) -> Path:
    """The ``--index`` value, else the default index location."""
    if index is not None:
        return index
    from ..index.store import default_index_path

    return Path(default_index_path())
