"""The labelled evaluation set (generated from the MSD sample), matchers, plugins, index catalogue."""

from __future__ import annotations

import pytest

from seqretrieve import ComponentSpec, hookimpl
from seqretrieve.errors import InputFileError
from seqretrieve.metadata.catalog import Catalog, load_catalog
from seqretrieve.metadata.clean import Cleaner
from seqretrieve.metadata.evaluate import cleaning_pr, held_out_catalog, matching_pr
from seqretrieve.metadata.match import BlockedFuzzyMatcher, ExactMatcher
from seqretrieve.metadata.rules import Draft
from seqretrieve.metadata.synthetic import CORRUPTIONS, messy_names, synthetic_catalog
from seqretrieve.registry import build_registry
from seqretrieve.types import TrackMetadata


@pytest.fixture(scope="module")
def evaluation(msd_records):
    labelled = messy_names(msd_records, 600, seed=7)
    catalog, present = held_out_catalog(msd_records, labelled, fraction=0.2, seed=7)
    cleaned = [Cleaner(midi_text=False).clean(n.path) for n in labelled]
    return labelled, catalog, present, cleaned


def test_generator_is_deterministic_and_covers_every_corruption(msd_records):
    names = messy_names(msd_records, 400, seed=3)
    assert len(names) == 400 and names == messy_names(msd_records, 400, seed=3)
    assert set(CORRUPTIONS) == {c for n in names for c in n.corruptions}


def test_top1_precision_and_recall_meet_the_goal(evaluation):
    labelled, catalog, present, cleaned = evaluation
    found = BlockedFuzzyMatcher().match(catalog, [(c.artist, c.title) for c in cleaned], top=3)
    (at_default,) = matching_pr(labelled, found, present, [0.8])
    assert at_default.precision >= 0.95 and at_default.recall >= 0.90, at_default


def test_exact_matcher_is_a_weaker_baseline(evaluation):
    labelled, catalog, present, cleaned = evaluation
    found = ExactMatcher().match(catalog, [(c.artist, c.title) for c in cleaned])
    (exact,) = matching_pr(labelled, found, present, [1.0])
    assert exact.precision >= 0.95 and exact.recall < 0.9


def test_cleaning_alone_gets_most_names_right(evaluation):
    labelled, _, _, cleaned = evaluation
    result = cleaning_pr(labelled, cleaned)
    assert result.precision > 0.6 and result.recall > 0.6


def test_synthetic_catalogue_matches_itself():
    words = [TrackMetadata(str(i), f"Artist{chr(97 + i % 26)} Band", f"Song {chr(97 + i % 26)} Love")
             for i in range(52)]
    records = list(synthetic_catalog(words, 200, seed=1))
    catalog = Catalog(records)
    found = BlockedFuzzyMatcher().match(catalog, [(r.artist, r.title) for r in records[:20]])
    assert all(r.id in {c.id for c in cands if c.rank == 1} for r, cands in zip(records, found))


def test_load_catalog_refuses_empty_and_ambiguous(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_text("id,artist,title\n")
    with pytest.raises(InputFileError, match="no entry"):
        load_catalog(str(empty))
    with pytest.raises(InputFileError, match="exactly one"):
        load_catalog(str(empty), str(tmp_path))


def test_index_as_catalogue(tmp_path):

    from seqretrieve.index.store import Entry, Index

    path = tmp_path / "idx"
    with Index.create(path) as index:
        index.put_entries([Entry(f"e{i}", {"artist": artist, "title": title}, {}, f"h{i}")
                           for i, (artist, title) in enumerate([("Billy Idol", "White Wedding"), ("TLC", "Creep")])])
    catalog = load_catalog(index=str(path))
    (cands,) = BlockedFuzzyMatcher().match(catalog, [("Idol, Billy", "white weding")])
    assert cands[0].id == "e0"


class _KaraokeRule:
    name, order = "strip-karaoke", 5

    def apply(self, draft: Draft) -> Draft:
        return draft.flagged("karaoke", title=draft.title.replace("karaoke", "").strip())


class _Plugin:
    @hookimpl
    def seqretrieve_text_normalizers(self):
        return [ComponentSpec("strip-karaoke", _KaraokeRule)]

    @hookimpl
    def seqretrieve_text_matchers(self):
        return [ComponentSpec("exact-copy", ExactMatcher)]


def test_third_party_rule_and_matcher_through_the_hooks():
    registry = build_registry(load_entry_points=False)
    registry.manager.register(_Plugin(), name="karaoke-plugin")
    rules = [spec.create() for spec in registry.components("text_normalizer").values()]
    name = Cleaner(rules, midi_text=False).clean("Queen/karaoke Bohemian Rhapsody.mid")
    assert name.title == "Bohemian Rhapsody" and "strip-karaoke" in name.rules and "karaoke" in name.flags
    assert {"blocked-fuzzy", "exact", "exact-copy"} <= set(registry.components("text_matcher"))
