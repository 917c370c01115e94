"""``seqretrieve match``: queries/s with 1 and 2 local workers and a 2-worker Dask LocalCluster
against sequential ``seqretrieve query`` (same queries, same index, same run); the projected wall
time of the published job from measured per-query stage costs; how often ``--metadata-first``
changes the answer.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seqretrieve.evaluation.pop909 import build_benchmark
from seqretrieve.index.build import build_index
from seqretrieve.index.representations import add_all_representations
from seqretrieve.index.store import Index
from seqretrieve.registry import get_registry
from timing import median_seconds

ROOT = Path(__file__).resolve().parent.parent
POP909 = ROOT.parent / "shared" / "data" / "pop909"
CACHE = ROOT / "data" / "bench" / "pop909"
CLI = Path(sys.executable).parent / "seqretrieve"

#: the published job: LMD's MIDI files against the Million Song Dataset
JOB_QUERIES, JOB_ENTRIES = 178_561, 1_000_000
MACHINES = (1, 10, 100)
CORES = 2


def _names() -> dict[str, tuple[str, str]]:
    """POP909 song number -> (artist, title) from its index.xlsx (the examples' reader)."""
    sys.path.insert(0, str(ROOT / "examples"))
    from make_examples import read_names

    return read_names(POP909 / "index.xlsx")


def make_index(folder: Path, n_entries: int, preset: str) -> tuple[Path, list[tuple[Path, str]]]:
    """A cascade-ready index of ``n_entries`` 30-s POP909 excerpts with artist/title, and the
    (complete MIDI file, right entry id) queries."""
    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    bench = build_benchmark(POP909, CACHE, n_entries, n_entries, synthesizer, preset=preset)
    names = _names()
    catalog = folder / f"catalog-{preset}.csv"
    with catalog.open("w", encoding="utf-8") as handle:
        handle.write("id,artist,title\n")
        for path in bench.recordings:
            artist, title = names[path.stem.split("-")[1]]
            handle.write(f"{path.stem},\"{artist}\",\"{title}\"\n")
    index = folder / f"index-{preset}"
    build_index([str(p) for p in bench.recordings], str(index), metadata_file=str(catalog), workers=2)
    with Index.create(index) as opened:
        add_all_representations(opened)
    return index, bench.queries


def _timed(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   env={**os.environ, **(env or {})})
    return time.perf_counter() - started


def throughput(index: Path, queries: list[Path], tmp: Path) -> tuple[list[str], list[float]]:
    """Wall time of each way of answering ``queries`` (each a fresh process: start-up included)."""
    from distributed import LocalCluster

    paths = [str(q) for q in queries]
    runs = [("sequential `seqretrieve query` (reference)", [str(CLI), "query", *paths, "--index", str(index),
                                                            "--top", "5", "--json"], None)]
    for workers in (1, 2):
        runs.append((f"`match --workers {workers}`", [str(CLI), "match", *paths, "--index", str(index),
                                                       "--out", str(tmp / f"w{workers}.sqlite"), "--json",
                                                       "--workers", str(workers)], None))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        runs.append(("`match --scheduler` (LocalCluster, 2 worker processes)",
                     [str(CLI), "match", *paths, "--index", str(index), "--out", str(tmp / "dask.sqlite"), "--json"],
                     {"SEQRETRIEVE_SCHEDULER": cluster.scheduler_address}))
        seconds = [_timed(command, env) for _, command, env in runs]
    reference = len(paths) / seconds[0]
    lines = [f"{len(paths)} complete POP909 MIDI files against the index below (default cascade), each way in a fresh "
             "process (start-up, index opening and model loading included; the cluster was started before timing, "
             "its workers were not warm).", "",
             "| how | seconds | queries/s | vs sequential query |", "|---|---|---|---|"]
    for (label, _, _), wall in zip(runs, seconds):
        rate = len(paths) / wall
        lines.append(f"| {label} | {wall:.1f} | {rate:.2f} | {rate / reference:.2f}x |")
    return lines, seconds


def stage_costs(index: Path, queries: list[Path], repeats: int) -> dict[str, float | str]:
    """Seconds per query of each cascade stage at JOB_ENTRIES, measured with the cascade's own
    matchers (tempo rates included) on real data: query prep (MIDI, CQT frames, the encodings the
    stages use), the first stage's search (pruned by the prefix bound) from the query's encoding
    to 1M synthetic rows (:class:`bench_speed.EmbeddingDraws`, described under ``rows``) for its
    keep, the hash-dtw stage over that many real entries, the dtw stage over the hash-dtw stage's
    keep; and the writer's cost of committing one answer. The keeps come back as
    ``keep_embedding`` and ``keep_hash``."""
    from bench_speed import EmbeddingDraws

    from seqretrieve.batch.results import Answer, Results
    from seqretrieve.index.representations import Matrices
    from seqretrieve.matchers.embedding import nearest_rows
    from seqretrieve.pipelines.search import Searcher

    registry = get_registry()
    cascade = registry.get("pipeline", "cascade")
    keep_embed, keep_hash = cascade.stages[0].keep, cascade.stages[1].keep
    with Index.open(index) as opened:
        searcher = Searcher(opened, "cascade")
        embedding, hashing, dtw = (searcher.matchers[s.matcher] for s in cascade.stages)
        prepared = []

        def prepare():
            query = searcher.prepare(str(queries[len(prepared) % len(queries)]))
            embedding.encode_query(query)
            hashing.encode_query(query)
            prepared.append(query)

        costs = {"prep": median_seconds(prepare, repeats)}
        query = prepared[0]
        rows = np.resize(np.arange(len(opened)), keep_embed)
        fresh = iter(prepared)  # each repeat a query whose other time-scalings are not encoded yet
        costs["hash-dtw"] = median_seconds(lambda: hashing.rank(next(fresh), opened, rows), repeats)
        costs["dtw"] = median_seconds(lambda: dtw.rank(query, opened, rows[:keep_hash]), 1)
        encoded = embedding.encode_query(query)  # (E,) or (W, E): one vector or the query's windows
    with tempfile.TemporaryDirectory(dir=ROOT / "data") as tmp:
        draw = EmbeddingDraws(registry.create("synthesizer", "tinysoundfont"), Path(tmp) / "statistics")
    rows = draw(embedding.representation, JOB_ENTRIES, np.random.default_rng(0))
    matrices = Matrices([], embeddings=rows).with_norms()
    bound = matrices.bound  # fitted once per process, as the matcher's index matrices are
    costs["embedding"] = median_seconds(
        lambda: nearest_rows(matrices.embeddings, encoded, keep_embed, matrices.norms, bound), repeats)
    costs["rows"] = draw.description
    del rows, matrices, bound
    with tempfile.TemporaryDirectory() as tmp, Results(Path(tmp) / "w.sqlite") as results:
        results.start_run("cascade", {}, [], "bench")
        hits = [{"id": f"TR{r}", "score": 0.4, "confidence": 0.9, "artist": "a", "title": "t",
                 "stage_ranks": [r, r, r], "aligned_path": None} for r in range(1, 6)]
        number = iter(range(10**9))
        costs["write"] = median_seconds(
            lambda: results.write(Answer(f"/midi/{next(number)}.mid", md5="0" * 32, hits=hits, stages=[{}] * 3)),
            200)
    costs["keep_embedding"], costs["keep_hash"] = keep_embed, keep_hash
    return costs


def projection(costs: dict[str, float], scaling: float) -> list[str]:
    """Wall time of the published job on 1, 10, 100 machines of CORES cores from ``costs``."""
    per_query = costs["prep"] + costs["embedding"] + costs["hash-dtw"] + costs["dtw"]
    cpu_hours = JOB_QUERIES * per_query / 3600
    lines = [
        f"Per query at {JOB_ENTRIES:,} entries, one core, measured in this run with the cascade's own matchers "
        f"(tempo rates included): query prep (MIDI, CQT frames, encodings; complete POP909 songs) "
        f"{costs['prep']:.2f} s + first stage (the query's encoding against 1M synthetic rows, top "
        f"{costs['keep_embedding']:.0f}, pruned by the prefix bound; rows: {costs['rows']}) "
        f"{costs['embedding'] * 1000:.0f} ms + hash-DTW of "
        f"{costs['keep_embedding']:.0f} real entries (fused) {costs['hash-dtw'] * 1000:.0f} ms + CQT DTW of "
        f"{costs['keep_hash']:.0f} real entries {costs['dtw'] * 1000:.0f} ms = "
        f"**{per_query:.2f} s**; {JOB_QUERIES:,} queries = {cpu_hours:,.1f} core-hours. Local scaling measured "
        f"above: 2 workers answer {scaling:.2f}x the queries/s of 1 (efficiency {scaling / 2:.0%} per core, "
        f"used below). The single writer commits one answer in {costs['write'] * 1000:.2f} ms, "
        f"so it keeps up with {1 / costs['write']:,.0f} queries/s.", "",
        f"| machines ({CORES} cores each) | queries/s | wall time | writer load |", "|---|---|---|---|"]
    for machines in MACHINES:
        rate = machines * CORES * (scaling / 2) / per_query
        wall = JOB_QUERIES / min(rate, 1 / costs["write"])
        lines.append(f"| {machines} | {rate:.1f} | {_duration(wall)} | {rate * costs['write']:.1%} |")
    lines += ["", "Wall time = queries / min(machines x cores x efficiency / seconds per query, writer capacity); "
              "not included: copying the 1M-entry index (~0.8 GiB of matrices plus the CQT features) to each "
              "machine and each worker's first index load."]
    return lines


def _duration(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h" if hours >= 1 else f"{seconds / 60:.0f} min"


def metadata_first(index: Path, queries: list[tuple[Path, str]], tmp: Path, keep: dict[str, int]) -> list[str]:
    """Answers with and without ``--metadata-first`` for well-named copies of the queries
    (``artist/title.mid``), with a cascade that prunes hard."""
    from seqretrieve.batch.driver import run_match
    from seqretrieve.batch.executors import pool
    from seqretrieve.batch.work import MatchSettings

    names = _names()
    named = tmp / "named"
    truth = {}
    for midi, entry in queries:
        artist, title = names[entry.split("-")[1]]
        target = named / artist.replace("/", " ") / f"{title.replace('/', ' ')}.mid"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(midi.read_bytes())
        truth[str(target)] = entry
    best = {}
    for flag in (False, True):
        out = tmp / f"metadata-{flag}.sqlite"
        settings = MatchSettings((str(index),), "cascade", tuple(keep.items()), top=1, metadata_first=flag)
        with pool(1) as inline:
            run_match([named], out, settings, inline)
        with sqlite3.connect(out) as connection:
            best[flag] = dict(connection.execute("SELECT path, best_id FROM queries"))
    changed = sum(best[False][p] != best[True][p] for p in truth)
    right = {flag: sum(best[flag][p] == e for p, e in truth.items()) for flag in best}
    keeps = ", ".join(f"{stage} keeps {count}" for stage, count in keep.items())
    return [f"Well-named copies (`artist/title.mid`, names from POP909's index) of {len(truth)} queries, cascade "
            f"with {keeps}:", "",
            "| | top-1 right | answer changed |", "|---|---|---|",
            f"| content only | {right[False]} / {len(truth)} | |",
            f"| `--metadata-first` | {right[True]} / {len(truth)} | {changed} of {len(truth)} queries |"]


def run(quick: bool = False) -> str:
    n_entries, n_queries = (24, 8) if quick else (40, 16)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        index, queries = make_index(tmp, n_entries, "hard")
        lines, seconds = throughput(index, [q for q, _ in queries[:n_queries]], tmp)
        scaling = seconds[1] / seconds[2]
        costs = stage_costs(index, [q for q, _ in queries[:n_queries]], 3 if quick else 5)
        head = [f"Index: {n_entries} 30-s excerpts of held-out POP909 songs (\"hard\" variants) with artist/title "
                "and both learned representations; queries: their complete MIDI files.", ""]
        body = [*head, *lines, "", "**The published job** (178,561 MIDI files against 1,000,000 entries):", "",
                *projection(costs, scaling), "",
                "**Metadata first**:", "",
                *metadata_first(index, queries[:n_queries * 2], tmp, {"embedding": n_entries // 4, "hash-dtw": 3})]
    return "\n".join(["## Batch matching (`seqretrieve match`)", "", *body]) + "\n"


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
