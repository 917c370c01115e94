"""Built-in metadata plugin: catalogue readers, text-cleaning rules and text matchers.

Cheap to import: the components live in sibling modules imported inside the hooks.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..types import ComponentSpec


@hookimpl
def seqretrieve_metadata_readers():
    from .readers import CsvReader, MsdReader

    return [
        ComponentSpec("msd", MsdReader, version="1",
                      description="MSD unique_tracks.txt: TRACK_ID<SEP>SONG_ID<SEP>artist<SEP>title"),
        ComponentSpec("csv", CsvReader, version="1",
                      description="CSV with a header: id (or path/file), artist, title, extra columns"),
    ]
