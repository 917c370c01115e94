"""Cleaning rules one by one, embedded MIDI text, odd bytes, and a property test."""

from __future__ import annotations

import mido
import pytest
from hypothesis import given, settings, strategies as st

from seqretrieve.metadata.clean import Cleaner
from seqretrieve.metadata.text import artist_key, match_key, title_key


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner(midi_text=False)


@pytest.mark.parametrize("path, artist, title, flag", [
    ("midi/03 - Beatles - Yesterday_v2.mid", "Beatles", "Yesterday", "track-number"),
    ("Nelly feat. Kelly Rowland/Dilemma.MIDI", "Nelly", "Dilemma", "featuring"),
    ("Earth, Wind & Fire/September (remix).mid", "Earth, Wind & Fire", "September", "remark"),
    ("Prince/1999.mid", "Prince", "1999", None),
    ("Queen/Don't_stop_me_now.Kar", "Queen", "Don't stop me now", None),
    ("B B King/THE.THRILL.IS.GONE.mid", "BB King", "The Thrill Is Gone", None),
    ("Björk/Jóga.mid", "Björk", "Jóga", None),
    ("坂本九/上を向いて歩こう.mid", "坂本九", "上を向いて歩こう", None),
    ("misc/Go West - 15-IWant.kar", "Go West", "IWant", "artist-from-name"),
    ("R.E.M/Losing_my_religion.MID", "R.E.M", "Losing my religion", None),
])
def test_rules(cleaner, path, artist, title, flag):
    name = cleaner.clean(path)
    assert (name.artist, name.title) == (artist, title)
    assert flag is None or flag in name.flags


def test_keys_fold_diacritics_case_and_articles():
    assert artist_key("The Beatles") == artist_key("BEATLES") == "beatles"
    assert match_key("Björk") == match_key("bjork") == "bjork"
    assert title_key("Help! (Remastered 2009)") == "help"
    assert artist_key("Simon & Garfunkel") == artist_key("simon and garfunkel")
    assert match_key("上を向いて") == "上を向いて"


def test_undecodable_name_is_recoded_and_path_kept(cleaner):
    name = cleaner.clean(b"Caf\xe9 Tacuba/Ojal\xe1.mid")
    assert (name.artist, name.title) == ("Café Tacuba", "Ojalá")
    assert "recoded-name" in name.flags and name.path == "Caf\\xe9 Tacuba/Ojal\\xe1.mid"


def _midi_with_text(path, *texts):
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Piano")] +
                           [mido.MetaMessage("text", text=t) for t in texts])
    midi = mido.MidiFile()
    midi.tracks.append(track)
    midi.save(path)


def test_title_from_embedded_midi_text(tmp_path):
    folder = tmp_path / "Various Artists"
    folder.mkdir()
    _midi_with_text(folder / "SONG0042.MID", "The Beatles - Yesterday")
    name = Cleaner().clean(str(folder / "SONG0042.MID"))
    assert (name.artist, name.title) == ("The Beatles", "Yesterday")
    assert "title-from-midi" in name.flags and name.confidence < 0.8


def test_corrupt_midi_does_not_stop_cleaning(tmp_path):
    (tmp_path / "Queen").mkdir()
    path = tmp_path / "Queen" / "Bohemian Rhapsody.mid"
    path.write_bytes(b"MThd\x00\x00garbage")
    assert Cleaner().clean(str(path)).title == "Bohemian Rhapsody"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from([".mid", ".MID", ".kar", ""]))
def test_any_name_cleans_without_error(folder, stem, ext):
    folder, stem = folder.replace("/", "").replace("\\", ""), stem.replace("/", "").replace("\\", "")
    name = Cleaner(midi_text=False).clean(f"{folder}/{stem}{ext}")
    assert 0.0 <= name.confidence <= 1.0
    assert name.title or "no-title" in name.flags
    assert "\n" not in name.artist + name.title or "\n" in folder + stem
