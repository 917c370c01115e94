"""Training pairs from the scale benchmark's rendered excerpts (``benchmarks/scale_data.py``).

Each train- or validation-split excerpt (POP909 train/validation songs and their versions,
music21 works; five SoundFonts, shifted programs, tempo x0.5-2, a warp, the hard or easy preset)
is paired with the window of its source MIDI it was rendered from, made into frames as queries
are. The alignment is exact, not estimated: the excerpt's variant and its time map are rebuilt
from the plan item's seed (:func:`seqretrieve.corpus.render.excerpt_variant`, no audio), so every
MIDI frame gets the recording frame where its moment sounds, hard variants included. Pairs are
written in the format of :mod:`.pairs` (``out/<split>/<excerpt id>.npz``) with ``out/meta.json``,
so ``seqretrieve train hash --pairs out`` trains on them. Test songs are never in the plan's
distractors. Resumable: excerpts already written are skipped. No TensorFlow here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import SeqretrieveError
from .pairs import Pair, save_pair
from .profile import ExcerptMidi, plan_item_split, stored_plan

#: the least share of an excerpt's MIDI window that must land inside the recording
MIN_COVERED = 0.5


@dataclass(frozen=True)
class ExcerptRow:
    """What happened to one excerpt: its split, the MIDI frames paired (None: written before), or
    why it was skipped."""

    excerpt: str
    split: str
    frames: int | None
    skipped: str | None


def excerpt_pair(entry_id: str, item: dict, frames: np.ndarray, info: dict, excerpt_midi: ExcerptMidi) -> Pair:
    """The pair of one rendered excerpt: ``frames`` (T', 48) of the recording, the MIDI frames
    (T, 48) of its source window and, for each, the recording frame (T,) where it sounds.
    SeqretrieveError when the excerpt's timing cannot be rebuilt from its seed."""
    from ..corpus.render import excerpt_variant
    from ..evaluation.scale import EXCERPT_SECONDS, excerpt_settings

    midi = excerpt_midi.source(item["path"])
    rng = np.random.default_rng(item["seed"])
    tempo, preset = excerpt_settings(rng)
    made = excerpt_variant(midi, rng, EXCERPT_SECONDS, preset, tempo)
    if round(made.start, 3) != info["start"] or preset != info["preset"]:
        raise SeqretrieveError(f"{entry_id}: its seed rebuilds another excerpt (start {made.start:.3f} s, "
                               f"{preset}) than the one rendered ({info['start']} s, {info['preset']})")
    fps = excerpt_midi.extractor.frame_rate
    span = info["seconds"] * tempo * 1.3  # more than the warp can move the recording's end
    midi_frames = excerpt_midi.window_frames(midi, made.start, made.start + span)
    position = np.round(made.recording_seconds(made.start + np.arange(len(midi_frames)) / fps) * fps).astype(np.int64)
    inside = (position >= 0) & (position < len(frames))
    if inside.sum() < MIN_COVERED * len(frames) * tempo:  # the window's frames per recording frame: tempo
        raise SeqretrieveError(f"{entry_id}: only {inside.sum()} MIDI frames sound inside the recording")
    return Pair(entry_id, midi_frames[inside], frames, position[inside].astype(np.int32))


def write_scale_pairs(scale_root: str | Path, out: str | Path, pop909_root: str | Path, music21_dir: str | Path,
                      limits: dict[str, int | None], extractor: str = "cqt") -> Iterator[ExcerptRow]:
    """Write the pairs of the first ``limits[split]`` excerpts of each split (None: all), in plan
    order, and ``out/meta.json``; yields one row per excerpt."""
    from ..evaluation.scale import iter_distractors

    plan = stored_plan(scale_root)
    items = {item["id"]: item for item in plan}
    out = Path(out)
    excerpt_midi = ExcerptMidi(scale_root, extractor, pop909_root, music21_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").write_text(json.dumps({
        "source": f"scale benchmark excerpts ({scale_root}) with their source MIDI windows, aligned by the "
                  "variants' time maps rebuilt from their seeds",
        "extractor": excerpt_midi.extractor.name, "extractor_params": excerpt_midi.extractor.params(),
        "midi_side": excerpt_midi.synthesizer.name, "limits": limits}, indent=1) + "\n")
    counts = dict.fromkeys(limits, 0)
    for entry_id, frames, info in iter_distractors(scale_root, plan):
        split = plan_item_split(items[entry_id]["path"])
        if split not in limits or (limits[split] is not None and counts[split] >= limits[split]):
            continue
        counts[split] += 1
        target = out / split / f"{entry_id}.npz"
        if target.exists():
            yield ExcerptRow(entry_id, split, None, None)
            continue
        try:
            pair = excerpt_pair(entry_id, items[entry_id], frames, info, excerpt_midi)
        except (SeqretrieveError, OSError, KeyError, ValueError) as exc:
            yield ExcerptRow(entry_id, split, None, str(exc))
            continue
        save_pair(target, pair)
        yield ExcerptRow(entry_id, split, len(pair.midi), None)
