"""Training pairs from real alignments: (MIDI, recording) pairs aligned by ``seqretrieve align``.

As the seed did, a pair is kept only when the DTW confidence reaches ``min_confidence``; the MIDI
frames the path covers are stored with, for each, the recording frame the path maps it to (the
same ``Pair`` format as the pairs made by construction in :mod:`.data`). No TensorFlow here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import SeqretrieveError
from ..tables import read_csv
from .pairs import Pair, save_pair


@dataclass(frozen=True)
class AlignedRow:
    """What happened to one (MIDI, recording) row: the pair's name, confidence, or why skipped."""

    midi: str
    audio: str
    song: str
    confidence: float | None
    skipped: str | None


def read_rows(path: str | Path) -> list[tuple[Path, Path]]:
    """(MIDI, recording) paths from a CSV with columns ``midi,audio`` (relative to the CSV)."""
    folder = Path(path).parent
    return [(folder / row["midi"], folder / row["audio"]) for row in read_csv(path, ("midi", "audio"))]


def pair_from_alignment(alignment, song: str) -> Pair:
    """The MIDI frames between the path's first and last MIDI frame (T, D), all recording frames
    (T', D) and, per kept MIDI frame, the recording frame the path maps it to (T,) int32."""
    first, last = int(alignment.path_midi[0]), int(alignment.path_midi[-1])
    midi_rows, at = np.unique(alignment.path_midi, return_index=True)
    audio_index = np.interp(np.arange(first, last + 1), midi_rows, alignment.path_audio[at])
    return Pair(song, alignment.midi_features.frames[first:last + 1], alignment.audio_features.frames,
                np.rint(audio_index).astype(np.int32))


def align_rows(rows: list[tuple[Path, Path]], out: Path, extractor, synthesizer,
               min_confidence: float) -> Iterator[AlignedRow]:
    """Align every row; write ``out/<midi stem>--<recording stem>.npz`` for confident ones."""
    from ..alignment.midi_to_audio import align_midi_to_audio
    from ..audio.midi import load_midi

    for midi_path, audio_path in rows:
        song = f"{midi_path.stem}--{audio_path.stem}"
        try:
            alignment = align_midi_to_audio(load_midi(str(midi_path)), str(audio_path), extractor, synthesizer)
        except SeqretrieveError as exc:
            yield AlignedRow(str(midi_path), str(audio_path), song, None, str(exc))
            continue
        if alignment.confidence < min_confidence:
            yield AlignedRow(str(midi_path), str(audio_path), song, alignment.confidence,
                             f"confidence {alignment.confidence:.2f} < {min_confidence}")
            continue
        save_pair(Path(out) / f"{song}.npz", pair_from_alignment(alignment, song))
        yield AlignedRow(str(midi_path), str(audio_path), song, alignment.confidence, None)
