"""The deterministic by-song split of pop909 shared by training and every benchmark.

Song number mod 4: 0 -> ``test``, 1 -> ``validation``, 2 and 3 -> ``train``. Test songs never
reach training.
"""

from __future__ import annotations

from pathlib import Path

SPLITS = ("train", "validation", "test")


def split_of(song: str | int) -> str:
    """The split of a pop909 song, given its number (``7``, ``"007"``)."""
    remainder = int(song) % 4
    return "test" if remainder == 0 else "validation" if remainder == 1 else "train"


def pop909_songs(root: str | Path, split: str) -> list[Path]:
    """MIDI files ``root/NNN/NNN.mid`` of ``split``, in song order."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    root = Path(root)
    return [
        path
        for path in sorted(root.glob("[0-9][0-9][0-9]/[0-9][0-9][0-9].mid"))
        if split_of(path.stem) == split
    ]
