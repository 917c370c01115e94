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


@hookimpl
def seqretrieve_text_normalizers():
    from .rules import builtin_rules

    return [ComponentSpec(rule.name, (lambda rule=rule: rule), version="1",
                          description=(type(rule).__doc__ or "").strip().splitlines()[0])
            for rule in builtin_rules()]


@hookimpl
def seqretrieve_text_matchers():
    from .match import BlockedFuzzyMatcher, ExactMatcher

    return [
        ComponentSpec("blocked-fuzzy", BlockedFuzzyMatcher, version="1",
                      description="artist blocking + rapidfuzz token_sort_ratio on artist and title",
                      parameters={"artist_cutoff": 80, "max_artists": 5, "artist_weight": 0.4}),
        ComponentSpec("exact", ExactMatcher, version="1",
                      description="artist and title keys equal (baseline)"),
    ]
