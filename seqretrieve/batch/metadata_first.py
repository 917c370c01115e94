"""``match --metadata-first``: entries whose artist/title match the MIDI file's cleaned name.

The published pipeline first matched cleaned MIDI names against the catalogue's metadata. Here
the cleaned name (:class:`~seqretrieve.metadata.clean.Cleaner`: folder = artist, file name =
title, embedded text) is text-matched against the index's own artist/title metadata; the
matching entries join the content candidates at the pipeline's last (DTW) stage, which decides.
"""

from __future__ import annotations

#: text candidates kept per MIDI file, and the lowest text score that joins the DTW stage
TOP = 5
MIN_SCORE = 0.6


class NameCandidates:
    """Text-matches MIDI file names against the artist/title metadata of ``shards``."""

    def __init__(self, shards, matcher: str = "blocked-fuzzy"):
        from ..metadata.catalog import Catalog
        from ..metadata.clean import Cleaner
        from ..registry import get_registry
        from ..types import TrackMetadata

        records = (TrackMetadata(entry_id, str(meta.get("artist") or ""), str(meta.get("title") or ""))
                   for shard in shards.shards for entry_id in shard.ids()
                   for meta in (shard.metadata(entry_id),))
        self.catalog = Catalog(records)
        self.cleaner = Cleaner()
        self.matcher = get_registry().create("text_matcher", matcher)

    def ids_for(self, path: str) -> list[str]:
        """Entry ids whose metadata matches ``path``'s cleaned name with score >= MIN_SCORE."""
        if not len(self.catalog):
            return []
        name = self.cleaner.clean(path)
        found = self.matcher.match(self.catalog, [(name.artist, name.title)], top=TOP)[0]
        return list(dict.fromkeys(candidate.id for candidate in found if candidate.score >= MIN_SCORE))
