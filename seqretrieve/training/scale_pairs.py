"""Training pairs from the scale benchmark's rendered excerpts (``benchmarks/scale_data.py``).

Each train- or validation-split excerpt (POP909 train/validation songs and their versions,
music21 works; five SoundFonts, shifted programs, tempo x0.5-2, a warp) is aligned by DTW to the
window of its source MIDI it was rendered from, made into frames as queries are and resampled to
the excerpt's length first (so the path's slope is near 1 whatever the tempo: DTW's confidence
is meant for that); confident alignments become pairs in the format of :mod:`.pairs` (``out/<split>/<excerpt id>.npz``) with
``out/meta.json``, so ``seqretrieve train hash --pairs out`` trains on them. Test songs are never
in the plan's distractors. Resumable: excerpts already written are skipped. No TensorFlow here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..dtw.align import MATCH_THRESHOLD
from ..errors import SeqretrieveError
from .aligned import pair_from_path
from .pairs import save_pair
from .profile import ExcerptMidi, training_excerpts

#: the least DTW confidence of an alignment kept as a pair: seqretrieve.dtw.align's match
#: threshold (on a sample of 100 train-split excerpts 80% reach it, 68% reach 0.7; the hard preset's
#: dropped and replaced parts lower the confidence of alignments that are still right)
MIN_CONFIDENCE = MATCH_THRESHOLD


@dataclass(frozen=True)
class ExcerptRow:
    """What happened to one excerpt: its split, the alignment's confidence, or why skipped."""

    excerpt: str
    split: str
    confidence: float | None
    skipped: str | None


def write_scale_pairs(scale_root: str | Path, out: str | Path, pop909_root: str | Path, music21_dir: str | Path,
                      limits: dict[str, int | None], extractor: str = "cqt",
                      min_confidence: float = MIN_CONFIDENCE) -> Iterator[ExcerptRow]:
    """Write the pairs of the first ``limits[split]`` excerpts of each split (None: all) and
    ``out/meta.json``; yields one row per excerpt (already written ones with confidence None)."""
    from ..dtw.align import align_features
    from ..dtw.rates import resample_frames

    out = Path(out)
    excerpt_midi = ExcerptMidi(scale_root, extractor, pop909_root, music21_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").write_text(json.dumps({
        "source": f"scale benchmark excerpts ({scale_root}) aligned by DTW to their source MIDI windows",
        "extractor": excerpt_midi.extractor.name, "extractor_params": excerpt_midi.extractor.params(),
        "midi_side": excerpt_midi.synthesizer.name, "min_confidence": min_confidence,
        "limits": limits}, indent=1) + "\n")
    for split, limit in limits.items():
        for entry_id, frames, info, stored in training_excerpts(scale_root, limit, split):
            target = out / split / f"{entry_id}.npz"
            if target.exists():
                yield ExcerptRow(entry_id, split, None, None)
                continue
            try:
                midi = excerpt_midi(stored, info)
                paced = resample_frames(midi, len(frames) / len(midi))  # (about len(frames), 48)
                alignment = align_features(paced, frames)
            except (SeqretrieveError, OSError, KeyError, ValueError) as exc:
                yield ExcerptRow(entry_id, split, None, str(exc))
                continue
            if alignment.confidence < min_confidence:
                yield ExcerptRow(entry_id, split, alignment.confidence,
                                 f"confidence {alignment.confidence:.2f} < {min_confidence}")
                continue
            source = np.minimum(((alignment.path_query + 0.5) * (len(midi) / len(paced))).astype(np.int64), len(midi) - 1)
            save_pair(target, pair_from_path(entry_id, midi, frames, source, alignment.path_entry))
            yield ExcerptRow(entry_id, split, alignment.confidence, None)
