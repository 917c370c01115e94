"""Rebuild the demo MIDI files in this folder from POP909 (MIT licence, ../shared/data/pop909).

Each file is the first 40 seconds of a POP909 song (melody, bridge and piano tracks) from the
songs whose number is a multiple of 4 (the held-out test split, never used for training).
Run from the repository root: ``python examples/make_examples.py [POP909_DIR]``.
"""

from __future__ import annotations

import csv
import html
import re
import sys
import zipfile
from pathlib import Path

import pretty_midi

QUERIES = ["004", "008", "012", "016", "020", "024"]
DISTRACTORS = ["028", "032", "036", "040", "044", "048", "052", "056", "060", "064", "068", "072", "076", "080"]
SECONDS = 40.0


def read_names(xlsx: Path) -> dict[str, tuple[str, str]]:
    """song id -> (artist, title) from POP909's index.xlsx (inline strings, no extra library)."""
    sheet = zipfile.ZipFile(xlsx).read("xl/worksheets/sheet1.xml").decode()
    names = {}
    for row in re.findall(r"<row[^>]*>(.*?)</row>", sheet)[1:]:
        cells = dict(re.findall(r'<c r="([A-Z]+)\d+"[^>]*>(?:<is><t[^>]*>(.*?)</t></is>|<v>.*?</v>)?</c>', row))
        names[cells["A"]] = (html.unescape(cells.get("C", "")), html.unescape(cells.get("B", "")))
    return names


def crop(midi: pretty_midi.PrettyMIDI, seconds: float) -> pretty_midi.PrettyMIDI:
    """A new MIDI with the notes that start before ``seconds``, ending there at the latest.

    Built afresh (one tempo) so that no tempo or meta event of the full song lies past the crop.
    """
    cropped = pretty_midi.PrettyMIDI(initial_tempo=float(midi.get_tempo_changes()[1][0]))
    for instrument in midi.instruments:
        kept = pretty_midi.Instrument(instrument.program, instrument.is_drum, instrument.name)
        kept.notes = [pretty_midi.Note(n.velocity, n.pitch, n.start, min(n.end, seconds))
                      for n in instrument.notes if n.start < seconds]
        kept.control_changes = [c for c in instrument.control_changes if c.time < seconds]
        cropped.instruments.append(kept)
    return cropped


def main(pop909: Path) -> None:
    here = Path(__file__).parent
    names = read_names(pop909 / "index.xlsx")
    rows = []
    for folder, songs in (("queries", QUERIES), ("distractors", DISTRACTORS)):
        (here / folder).mkdir(exist_ok=True)
        for song in songs:
            crop(pretty_midi.PrettyMIDI(str(pop909 / song / f"{song}.mid")), SECONDS).write(
                str(here / folder / f"pop909-{song}.mid")
            )
            artist, title = names[song]
            rows.append({"id": f"pop909-{song}", "artist": artist, "title": title})
    with open(here / "metadata.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "artist", "title"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/pop909"))
