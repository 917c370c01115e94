"""The held-out POP909 retrieval benchmark: MIDI queries against "recordings" of the same songs.

Entries are the songs of the ``test`` split (song number % 4 == 0; never used for training) or,
for tuning cascade settings, of the ``validation`` split.
Each "recording" is the song changed as in craffel/alignment-search (other instrument programs,
smooth tempo warp, dropped instrument, velocity scaling: ``make_variant`` presets), rendered by
the synthesizer at 22,050 Hz with light noise, and cut to a ``seconds``-long excerpt at a random
offset, like a Million Song Dataset preview. The query is the original, complete MIDI file.
Recordings are cached under ``out_dir`` (an ignored folder) and reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECORDING_RATE = 22050


@dataclass(frozen=True)
class BenchmarkSet:
    """Recordings (one WAV per entry, id = stem) and (query MIDI, correct id) pairs."""

    recordings: list[Path]
    queries: list[tuple[Path, str]]


def entry_id(song_midi: Path) -> str:
    """``pop909-NNN`` for ``.../NNN/NNN.mid``."""
    return f"pop909-{song_midi.stem}"


def render_excerpt(midi_path: Path, out_path: Path, synthesizer, seed: int, seconds: float, preset: str,
                   programs: str = "shift") -> None:
    """Write a ``seconds``-long excerpt of a changed rendering of ``midi_path`` as 16-bit WAV
    (``programs``: "shift" gives the pitched instruments other programs, "keep" does not)."""
    from ..audio.midi import load_midi
    from ..audio.write import write_wav_atomically
    from ..synth.variants import make_variant

    variant, _ = make_variant(load_midi(str(midi_path)), seed, programs=programs, preset=preset)
    audio = synthesizer.render(variant, RECORDING_RATE)
    rng = np.random.default_rng(seed)
    length = int(seconds * RECORDING_RATE)
    if len(audio) > length:
        start = int(rng.integers(0, len(audio) - length))
        audio = audio[start : start + length]
    audio = audio + rng.normal(0, 0.003, size=audio.shape).astype(np.float32)
    write_wav_atomically(out_path, audio, RECORDING_RATE)


def build_benchmark(
    pop909_root: Path,
    out_dir: Path,
    n_entries: int,
    n_queries: int,
    synthesizer,
    seconds: float = 30.0,
    preset: str = "easy",
    split: str = "test",
) -> BenchmarkSet:
    """The first ``n_entries`` songs of ``split`` as recordings; the first ``n_queries`` as queries.

    ``split="validation"`` gives a set for tuning cascade settings without touching test songs.
    """
    from ..training.split import pop909_songs

    songs = pop909_songs(pop909_root, split)[:n_entries]
    recordings = []
    for song in songs:
        out = Path(out_dir) / split / preset / f"{entry_id(song)}.wav"
        if not out.exists():
            render_excerpt(song, out, synthesizer, seed=int(song.stem), seconds=seconds, preset=preset)
        recordings.append(out)
    queries = [(song, entry_id(song)) for song in songs[:n_queries]]
    return BenchmarkSet(recordings, queries)
