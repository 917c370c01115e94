"""Shared fixtures: the MSD sample and a catalogue holding the real cases' tracks."""

from __future__ import annotations

import pytest

from seqretrieve.metadata.readers import read_catalog
from seqretrieve.types import TrackMetadata

MSD_SAMPLE = "/work/shared/data/msd/unique_tracks_sample.txt"
#: the real tracks behind the issue's examples, as an MSD-like catalogue would spell them
REAL_TRACKS = [
    TrackMetadata("R1", "Amanda McBroom", "The Rose"),
    TrackMetadata("R2", "The Beach Boys", "Barbara Ann"),
    TrackMetadata("R3", "TLC", "Creep"),
    TrackMetadata("R4", "The Beatles", "Help!"),
    TrackMetadata("R4b", "The Beatles", "Help!"),
    TrackMetadata("R4c", "The Beatles", "Help Me Rhonda"),
    TrackMetadata("R5", "Billy Idol", "White Wedding"),
    TrackMetadata("R6", "Men At Work", "Down Under"),
    TrackMetadata("R7", "James Taylor", "Handy Man"),
    TrackMetadata("R8", "Bruce Springsteen", "Jersey Girl"),
]


@pytest.fixture(scope="session")
def msd_records():
    return list(read_catalog(MSD_SAMPLE))


@pytest.fixture(scope="session")
def real_catalog(msd_records):
    from seqretrieve.metadata.catalog import Catalog

    return Catalog(REAL_TRACKS + msd_records)
