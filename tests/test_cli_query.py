"""``seqretrieve query`` end to end on a real index, human and NDJSON output, and its errors."""

from __future__ import annotations

import json

from seqretrieve.testing import run_cli
from seqretrieve.index.store import Index


def test_query_json_finds_each_recording_first(small_index, example_queries):
    result = run_cli("query", *example_queries[:4], "--index", small_index, "--json", "--top", "3", check=True)
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(hits) == 12
    for query in example_queries[:4]:
        mine = [hit for hit in hits if hit["query"] == str(query)]
        assert [hit["rank"] for hit in mine] == [1, 2, 3]
        assert mine[0]["id"] == query.stem
        assert mine[0]["confidence"] > mine[1]["confidence"]
        assert mine[0]["score"] < mine[1]["score"]
        assert mine[0]["artist"] and mine[0]["title"]
    assert result.stderr == ""


def test_query_table_and_explain(small_index, example_queries):
    result = run_cli("query", example_queries[0], "--index", small_index, "--explain", check=True)
    assert example_queries[0].stem in result.stdout
    assert "confidence" in result.stdout and "stages" in result.stdout


def test_bad_midi_is_reported_and_the_batch_goes_on(small_index, example_queries, tmp_path):
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06garbage")
    result = run_cli("query", bad, example_queries[1], "--index", small_index, "--json", "--top", "1")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["query"] == str(bad) and "broken.mid" in lines[0]["error"]
    assert lines[1]["id"] == example_queries[1].stem


def test_missing_index_is_one_clear_line(tmp_path, example_queries):
    result = run_cli("query", example_queries[0], "--index", tmp_path / "nowhere")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unknown_pipeline_lists_choices(small_index, example_queries):
    result = run_cli("query", example_queries[0], "--index", small_index, "--pipeline", "nope")
    assert result.returncode == 2  # a usage error
    assert "choose one of" in result.stderr and "brute-force" in result.stderr


def test_usage_error_exits_2(small_index):
    result = run_cli("query", "--index", small_index)
    assert result.returncode == 2


def test_keep_must_name_a_stage(small_index, example_queries):
    result = run_cli("query", example_queries[0], "--index", small_index, "--pipeline", "brute-force", "--keep", "hash-dtw=5")
    assert result.returncode == 2 and "not a stage" in result.stderr


def test_json_explain_adds_one_stages_line_per_query(small_index, example_queries):
    import json

    result = run_cli("query", example_queries[0], "--index", small_index, "--json", "--explain", "--top", "2",
                     "--pipeline", "brute-force", check=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("rank") for line in lines] == [1, 2, None]
    (stage,) = lines[-1]["stages"]
    assert stage["matcher"] == "dtw" and stage["kept"] == stage["candidates"] and stage["top_hit_rank"] == 1
    assert lines[-1]["query"] == str(example_queries[0]) and stage["seconds"] > 0


def test_keep_as_a_share_of_candidates(small_index, example_queries):
    result = run_cli("query", example_queries[0], "--index", small_index, "--keep", "dtw=50%", "--explain",
                     "--pipeline", "brute-force", check=True)
    from seqretrieve.index.store import Index

    with Index.open(small_index) as index:
        entries = len(index)
    row = next(line for line in result.stdout.splitlines() if " dtw " in line)
    cells = [cell.strip() for cell in row.split("│") if cell.strip()]
    assert cells[2:4] == [str(entries), str(-(-entries // 2))]  # candidates, kept (rounded up)
    bad = run_cli("query", example_queries[0], "--index", small_index, "--keep", "dtw=0%")
    assert bad.returncode == 2 and "STAGE=P%" in bad.stderr


def test_empty_index_is_one_clear_line(tmp_path, example_queries):
    Index.create(tmp_path / "empty").close()
    result = run_cli("query", example_queries[0], "--index", tmp_path / "empty")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no entries yet" in result.stderr
