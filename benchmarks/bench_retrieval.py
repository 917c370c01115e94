"""Brute-force DTW retrieval on held-out POP909 songs, and brute-force query time at 100 / 1,000 entries.

The benchmark set (``seqretrieve.evaluation.pop909``): every test-split song rendered with other
instrument programs, a smooth tempo warp, a dropped instrument and scaled velocities, cut to a
30-second excerpt (like an MSD preview); the query is the complete original MIDI file.
Recordings are cached in ``data/bench/pop909`` (ignored by git).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seqretrieve.evaluation.metrics import correct_rank, summarize
from seqretrieve.evaluation.pop909 import build_benchmark
from seqretrieve.index.build import build_index
from seqretrieve.index.store import Entry, Index
from seqretrieve.pipelines.search import Searcher
from seqretrieve.registry import get_registry

ROOT = Path(__file__).resolve().parent.parent
POP909 = ROOT.parent / "shared" / "data" / "pop909"
CACHE = ROOT / "data" / "bench" / "pop909"


def accuracy(index_path: Path, queries, preset: str) -> tuple[dict, list[float]]:
    """Brute-force ranks of every query's recording, and seconds per query."""
    ranks, seconds = [], []
    with Index.open(index_path) as index:
        searcher = Searcher(index, pipeline="brute-force")
        for midi_path, expected in queries:
            started = time.perf_counter()
            result = searcher.search(str(midi_path), top=len(index))
            seconds.append(time.perf_counter() - started)
            ranks.append(correct_rank([hit.id for hit in result.hits], expected))
        return summarize(ranks, len(index)), seconds


def scaled_index(source: Path, target: Path, n_entries: int) -> None:
    """An index of ``n_entries`` whose features are copies of ``source``'s (timing does not
    depend on content)."""
    with Index.open(source) as index:
        db = index.features_db()
        arrays = [array for _, array in index.iter_arrays(db)]
        extractor = index.meta["extractor"]
    with Index.create(target) as scaled:
        scaled.set_meta("extractor", extractor)
        batch = [Entry(f"copy-{i}", {"artist": "", "title": ""}, {db: arrays[i % len(arrays)]}, f"hash-{i}")
                 for i in range(n_entries)]
        scaled.put_entries(batch)


def query_time(index_path: Path, queries, repeats: int) -> float:
    """Median seconds for one brute-force query over the whole index."""
    times = []
    with Index.open(index_path) as index:
        searcher = Searcher(index, pipeline="brute-force")
        for midi_path, _ in queries[:repeats]:
            started = time.perf_counter()
            searcher.search(str(midi_path), top=10)
            times.append(time.perf_counter() - started)
    return float(np.median(times))


def run(quick: bool = False) -> str:
    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    n_entries, n_queries = (24, 8) if quick else (227, 80)
    lines = [
        "## Brute-force DTW retrieval (POP909 held-out songs)",
        "",
        f"Entries: 30-second excerpts of {n_entries} test-split songs rendered with other programs and a tempo "
        f"warp; queries: the first {n_queries} complete original MIDI files. Brute force = full CQT DTW against "
        "every entry (the accuracy reference of every faster pipeline). Target: top-1 >= 95% with 200+ entries.",
        "",
        "| corruption | entries | queries | top-1 | top-5 | top-10 | MRR | 95% rank | s/query (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for preset in ("easy", "hard"):
            bench = build_benchmark(POP909, CACHE, n_entries, n_queries, synthesizer, preset=preset)
            index_path = Path(tmp) / f"index-{preset}"
            build_index([str(p) for p in bench.recordings], str(index_path), workers=2, representations=False)
            stats, seconds = accuracy(index_path, bench.queries, preset)
            print(f"[bench] retrieval {preset}: {stats}", file=sys.stderr, flush=True)
            lines.append(
                f"| {preset} | {stats['entries']} | {stats['queries']} | {stats['top1']:.1%} | {stats['top5']:.1%} | "
                f"{stats['top10']:.1%} | {stats['mrr']:.3f} | {stats['rank95']} | {np.median(seconds):.2f} |"
            )
        lines += ["", "Brute-force query time (one query = synthesize + CQT + DTW against every entry; median of "
                  f"{1 if quick else 3} queries; entries are copies of the benchmark's features):", "",
                  "| entries | s/query | s/entry |", "|---|---|---|"]
        for size in ((100,) if quick else (100, 1000)):
            scaled = Path(tmp) / f"scaled-{size}"
            scaled_index(Path(tmp) / "index-easy", scaled, size)
            seconds = query_time(scaled, bench.queries, 1 if quick else 3)
            lines.append(f"| {size} | {seconds:.2f} | {seconds / size * 1000:.1f} ms |")
    return "\n".join(lines) + "\n"
