"""Index shards: a stable split, a build of one shard, and the same answers as one index."""

from __future__ import annotations

import pytest

from seqretrieve.index.shards import Shards, index_paths, parse_shard, shard_of


def test_shard_of_is_stable_and_spreads():
    assert shard_of("TRAAAAW128F429D538", 4) == shard_of("TRAAAAW128F429D538", 4)
    assert shard_of("pop909-004", 1000) == 46  # BLAKE2b: the same on every machine and Python
    counts = [0] * 4
    for number in range(4000):
        counts[shard_of(f"entry-{number}", 4)] += 1
    assert min(counts) > 900


@pytest.mark.parametrize("value", ["2/2", "-1/3", "a/b", "1", "1/0"])
def test_bad_shard_values(value):
    with pytest.raises(ValueError, match="I/N"):
        parse_shard(value)


def test_shard_list_file(tmp_path):
    (tmp_path / "list.txt").write_text("# shards\na\n\nsub/b\n")
    assert index_paths([tmp_path / "list.txt", tmp_path / "c"]) == [
        str(tmp_path / "a"), str(tmp_path / "sub" / "b"), str(tmp_path / "c")]


def test_build_writes_only_its_shard(tmp_path):
    from seqretrieve.index.build import build_index
    from seqretrieve.index.store import Index
    from tests.index.index_fakes import FakeExtractor, write_clips

    write_clips(tmp_path / "audio", 8)
    held = []
    for i in range(2):
        build_index([str(tmp_path / "audio")], str(tmp_path / f"s{i}"), extractor=FakeExtractor(), shard=(i, 2))
        with Index.open(tmp_path / f"s{i}") as index:
            held.append(set(index.ids()))
            assert all(shard_of(entry_id, 2) == i for entry_id in index.ids())
    assert held[0] | held[1] == {f"clip{n:03d}" for n in range(8)} and not held[0] & held[1]


def test_overlapping_shards_are_refused(shard_set):
    whole, shards = shard_set
    with pytest.raises(Exception, match="two shards"):
        Shards.open([whole, shards[0]])


@pytest.mark.parametrize("pipeline,keep", [("cascade", {"embedding": 5, "hash-dtw": 3}), ("brute-force", {})])
def test_sharded_answers_equal_one_index(shard_set, query_dir, pipeline, keep):
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import Searcher

    whole, shards = shard_set
    with Index.open(whole) as one, Shards.open(shards) as split:
        assert all(len(shard) for shard in split.shards) and len(split) == len(one) == 12
        reference = Searcher(one, pipeline, keep=keep)
        sharded = Searcher(split, pipeline, keep=keep)
        for path in sorted(query_dir.glob("pop909-*.mid"))[:2]:
            query = reference.prepare(str(path))
            expected = reference.rank(query, top=12)
            got = sharded.rank(query, top=12)
            assert [hit.id for hit in got.hits] == [hit.id for hit in expected.hits]
            assert [hit.score for hit in got.hits] == pytest.approx([hit.score for hit in expected.hits])
            assert [s.candidates_in for s in got.stages] == [s.candidates_in for s in expected.stages]
            assert all(got.rank_at_stages(hit.id) == expected.rank_at_stages(hit.id) for hit in expected.hits)


def test_metadata_candidates_join_the_last_stage(shard_set, query_dir):
    from seqretrieve.batch.metadata_first import NameCandidates
    from seqretrieve.pipelines.search import Searcher

    with Shards.open(shard_set[1]) as split:
        names = NameCandidates(split)
        assert names.ids_for("/music/顺子/Dear Friend.mid")[0] == "pop909-004"
        searcher = Searcher(split, "cascade", keep={"embedding": 1, "hash-dtw": 1})
        query = searcher.prepare(str(query_dir / "pop909-004.mid"))
        pruned = searcher.rank(query, top=5)
        outsider = next(i for i in ("pop909-012", "pop909-016") if i not in {h.id for h in pruned.hits})
        joined = searcher.rank(query, top=5, join_last=[outsider])
        assert pruned.stages[-1].candidates_in == 1 and joined.stages[-1].candidates_in == 2
        ranks = joined.rank_at_stages(outsider)
        assert ranks[1] is None and ranks[2] is not None
