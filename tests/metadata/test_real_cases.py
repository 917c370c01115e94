"""Every real case from the original collection, with and without a catalogue."""

from __future__ import annotations

import pytest

from seqretrieve.metadata.clean import Cleaner
from seqretrieve.metadata.match import BlockedFuzzyMatcher
from seqretrieve.metadata.pipeline import canonical, clean_and_match

CLEANED = [  # path -> (artist, title) without a catalogue
    ("Mc Broom, Amanda/The Rose.mid", "Amanda McBroom", "The Rose"),
    ("Beach Boys, The/Barbara Ann.mid", "The Beach Boys", "Barbara Ann"),
    ("T L C/CREEP.MID", "TLC", "Creep"),
    ("Beatles/help.mid", "Beatles", "Help"),
    ("Idol, Billy/White Wedding.mid", "Billy Idol", "White Wedding"),
    ("Men At Work/Down Under.mid", "Men At Work", "Down Under"),
]
CANONICAL = [  # path -> (artist, title) with the catalogue
    ("Mc Broom, Amanda/The Rose.mid", "Amanda McBroom", "The Rose"),
    ("Beach Boys, The/Barbara Ann.mid", "The Beach Boys", "Barbara Ann"),
    ("T L C/CREEP.MID", "TLC", "Creep"),
    ("Beatles/help.mid", "The Beatles", "Help!"),
    ("Idol, Billy/White Wedding.mid", "Billy Idol", "White Wedding"),
    ("Men At Work/Down Under.mid", "Men At Work", "Down Under"),
]
NO_INFO = ["J/Jerseygi.mid", "V/VARIA180.MID", "Sure.Polyphone.Midi/Poly 2268.mid",
           "Various Artists/REWINDNAS.MID", "2009 MIDI/handy_man1-D105.mid", "d/danza3.mid"]


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner(midi_text=False)


@pytest.mark.parametrize("path, artist, title", CLEANED)
def test_cleaning(cleaner, path, artist, title):
    name = cleaner.clean(path)
    assert (name.artist, name.title) == (artist, title)
    assert name.confidence >= 0.9 and not name.flags


@pytest.mark.parametrize("path, artist, title", CANONICAL)
def test_canonicalised_against_catalogue(cleaner, real_catalog, path, artist, title):
    ((name, candidates),) = clean_and_match([(path, None)], cleaner, real_catalog, BlockedFuzzyMatcher())
    assert (name.artist, name.title) == (artist, title)
    assert "canonical" in name.flags and name.catalog_id.startswith("R")


def test_duplicates_all_returned(cleaner, real_catalog):
    name = cleaner.clean("Beatles/help.mid")
    (candidates,) = BlockedFuzzyMatcher().match(real_catalog, [(name.artist, name.title)], top=2)
    assert {c.id for c in candidates if c.rank == 1} == {"R4", "R4b"}
    assert candidates[-1].id == "R4c" and candidates[-1].score < candidates[0].score


def test_film_folder_is_a_work_not_an_artist(cleaner):
    name = cleaner.clean("Star Wars/Cantina.mid")
    assert (name.artist, name.title, name.work) == ("", "Cantina", "Star Wars")
    assert {"film", "no-artist"} <= set(name.flags) and name.confidence < 0.5


@pytest.mark.parametrize("path", NO_INFO)
def test_uninformative_names_are_flagged_not_invented(cleaner, real_catalog, path):
    name = cleaner.clean(path)
    assert name.artist == "" and "no-artist" in name.flags and name.confidence < 0.5
    (candidates,) = BlockedFuzzyMatcher().match(real_catalog, [(name.artist, name.title)])
    assert canonical(name, candidates, 0.8) == name  # never confidently matched


def test_handy_man_title_recovered(cleaner):
    assert cleaner.clean("2009 MIDI/handy_man1-D105.mid").title == "Handy Man"


@pytest.mark.parametrize("path", ["V/VARIA180.MID", "Sure.Polyphone.Midi/Poly 2268.mid"])
def test_no_title(cleaner, path):
    name = cleaner.clean(path)
    assert name.title == "" and "no-title" in name.flags and name.confidence == 0


@pytest.mark.parametrize("path", ["J/Jerseygi.mid", "Various Artists/REWINDNAS.MID"])
def test_glued_names_flagged(cleaner, path):
    assert "unsplit-name" in cleaner.clean(path).flags
