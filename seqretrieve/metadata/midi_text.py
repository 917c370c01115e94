"""Text hidden inside a MIDI file: sequence/track names, text and copyright events."""

from __future__ import annotations

from typing import Iterator

TEXT_TYPES = ("track_name", "text", "copyright")


def embedded_text(path: str | bytes, limit: int = 8) -> Iterator[str]:
    """Up to ``limit`` distinct non-empty strings from the first tracks' meta events, in file
    order. An unreadable or corrupt file yields nothing (cleaning goes on from the path)."""
    import mido

    try:
        midi = mido.MidiFile(path, clip=True)
    except Exception:  # corrupt MIDI is common in scraped collections; the path still counts
        return
    seen: set[str] = set()
    for track in midi.tracks[:3]:
        for message in track:
            if message.type in TEXT_TYPES:
                text = " ".join(str(getattr(message, "name", "") or getattr(message, "text", "")).split())
                if text and text not in seen:
                    seen.add(text)
                    yield text
                    if len(seen) >= limit:
                        return
