"""The demo: recordings made from ``examples/`` with other instruments and tempo, indexed, then queried.

Every MIDI file under ``examples/queries`` and ``examples/distractors`` is turned into a
"recording": instrument programs changed, tempo warped, rendered by the synthesizer at
22,050 Hz with a little noise, written as WAV. Those WAVs are indexed with the metadata in
``examples/metadata.csv``; then each query MIDI is looked up and should find its own recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECORDING_RATE = 22050


@dataclass(frozen=True)
class DemoLayout:
    """Where the demo reads examples and writes recordings and its index."""

    examples: Path
    workdir: Path

    @property
    def queries(self) -> list[Path]:
        return sorted((self.examples / "queries").glob("*.mid"))

    @property
    def songs(self) -> list[Path]:
        return self.queries + sorted((self.examples / "distractors").glob("*.mid"))

    @property
    def recordings(self) -> Path:
        return self.workdir / "recordings"

    @property
    def index(self) -> Path:
        return self.workdir / "index"

    @property
    def metadata(self) -> Path:
        return self.examples / "metadata.csv"


def has_examples(folder: Path) -> bool:
    """True when ``folder/queries`` holds MIDI files and ``folder/metadata.csv`` exists."""
    return any((folder / "queries").glob("*.mid")) and (folder / "metadata.csv").is_file()


def find_examples(given: Path | None = None) -> Path:
    """``given``, else ``examples/`` in the current directory, else beside the (editable) package."""
    from .errors import SeqretrieveError

    if given is not None:
        if not has_examples(given):
            raise SeqretrieveError(f"{given}: not an examples folder (needs queries/*.mid and metadata.csv)")
        return given
    for candidate in (Path.cwd() / "examples", Path(__file__).resolve().parent.parent / "examples"):
        if has_examples(candidate):
            return candidate
    raise SeqretrieveError("no examples/ folder found; run the demo from the repository root or pass --examples")


def make_recording(midi_path: Path, out_path: Path, synthesizer, seed: int) -> None:
    """Render a changed-instrument, tempo-warped copy of ``midi_path`` to a WAV at ``out_path``."""
    from .audio.midi import load_midi
    from .audio.write import write_wav_atomically
    from .synth.variants import make_variant

    variant, _ = make_variant(load_midi(str(midi_path)), seed, programs="shift", preset="easy")
    audio = synthesizer.render(variant, RECORDING_RATE)
    rng = np.random.default_rng(seed)
    audio = audio + rng.normal(0, 0.003, size=audio.shape).astype(np.float32)
    write_wav_atomically(out_path, audio, RECORDING_RATE)


def make_recordings(layout: DemoLayout, synthesizer, progress=None) -> list[Path]:
    """Render every example song (a recording newer than its MIDI file is kept); returns the WAV paths."""
    paths = []
    for seed, song in enumerate(layout.songs):
        out = layout.recordings / f"{song.stem}.wav"
        if not out.exists() or out.stat().st_mtime < song.stat().st_mtime:
            make_recording(song, out, synthesizer, seed)
        paths.append(out)
        if progress is not None:
            progress()
    return paths
