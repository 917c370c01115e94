"""Choose the dtw matcher's rate penalty on validation songs (never test songs).

Three validation sets: the hard and easy 30-s excerpts of ``build_benchmark(split="validation")``
(227 entries; the first 80 / 40 songs queried with their complete MIDI files) and the tempo-gap
queries of ``bench_tempo.py --split validation`` (0.45-2.3x off) against the same 227 easy
entries. Every query is scored against every entry on 4x-pooled frames at each rate, and at full
resolution at every rate that a penalty of the grid would choose (plus rate 1), so each penalty's
ranking is computed offline from one pass. Answers are appended to ``data/tune/dtw-penalty``
(resumable); the table printed is the one in docs/models.md ("Tempo").

    python benchmarks/tune_dtw_rate_penalty.py          # ~40 min on one core, then the table
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import bench_tempo  # noqa: E402
from seqretrieve.dtw.align import score_features  # noqa: E402
from seqretrieve.dtw.defaults import GULLY  # noqa: E402
from seqretrieve.dtw.rates import DEFAULT_RATES, resample_frames  # noqa: E402
from seqretrieve.matchers.dtw import COARSE  # noqa: E402
from seqretrieve.registry import get_registry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "tune" / "dtw-penalty"
GRID = (0.0, 0.02, 0.05, 0.08, 0.12, 0.2, 0.3)
LOG_RATES = np.abs(np.log(np.array(DEFAULT_RATES)))
SETS = {"hard": 80, "easy": 40, "tempo": None}  # queried songs (tempo: the benchmark's own queries)


def validation_index(preset: str, n_queries: int) -> tuple[Path, list[tuple[str, str, float | None]]]:
    """The 227-entry validation index of ``preset`` (built once) and its (MIDI, id, None) queries."""
    from seqretrieve.evaluation.pop909 import build_benchmark
    from seqretrieve.index.build import build_index

    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    bench = build_benchmark(bench_tempo.SHARED / "pop909", ROOT / "data" / "bench" / "pop909", 227, n_queries,
                            synthesizer, preset=preset, split="validation")
    path = OUT / f"index-{preset}"
    if not (path / "complete").exists():
        build_index([str(p) for p in bench.recordings], str(path), workers=1, representations=False)
        (path / "complete").write_text("ok\n")
    return path, [(str(midi), expected, None) for midi, expected in bench.queries]


def score_set(name: str, index_path: Path, queries) -> list[dict]:
    """Per query: coarse (N, R) scores and full (N, R) scores (None where no penalty chose it)."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import query_synthesizer

    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = query_synthesizer(extractor, registry)
    cache = OUT / f"{name}.jsonl"
    done = {json.loads(line)["query"]: json.loads(line) for line in cache.read_text().splitlines()} if cache.exists() else {}
    one = DEFAULT_RATES.index(1.0)
    with Index.open(index_path) as index, open(cache, "a") as log:
        ids = index.ids()
        entries = [index.get_array("features:cqt", entry_id) for entry_id in ids]
        pooled_entries = [resample_frames(entry, 1.0 / COARSE) for entry in entries]
        for number, (midi, expected, factor) in enumerate(queries, start=1):
            if midi in done:
                continue
            frames = features_from_midi(load_midi(midi), extractor, synthesizer).frames
            coarse = np.array([[score_features(resample_frames(frames, rate / COARSE), pooled, gully=GULLY)[0]
                                for rate in DEFAULT_RATES] for pooled in pooled_entries])
            full = [[None] * len(DEFAULT_RATES) for _ in entries]
            for k, entry in enumerate(entries):
                for j in {int(np.argmin(coarse[k] + penalty * LOG_RATES)) for penalty in GRID} | {one}:
                    full[k][j] = score_features(resample_frames(frames, DEFAULT_RATES[j]), entry, gully=GULLY)[0]
            done[midi] = {"query": midi, "expected": expected, "factor": factor, "ids": list(ids),
                          "coarse": coarse.tolist(), "full": full}
            log.write(json.dumps(done[midi]) + "\n")
            log.flush()
            print(f"[tune] {name} {number}/{len(queries)}", file=sys.stderr, flush=True)
    return [done[midi] for midi, _, _ in queries]


def top1(rows: list[dict], penalty: float | None) -> int:
    """Queries whose right entry ranks first with ``penalty`` (None: rate 1 only, no rates)."""
    count = 0
    for row in rows:
        coarse = np.array(row["coarse"])
        full = np.array([[np.inf if v is None else v for v in scores] for scores in row["full"]])
        if penalty is None:
            scores = full[:, DEFAULT_RATES.index(1.0)]
        else:
            choice = np.argmin(coarse + penalty * LOG_RATES, axis=1)
            scores = full[np.arange(len(full)), choice] + penalty * LOG_RATES[choice]
        count += int(np.all(scores >= scores[row["ids"].index(row["expected"])]))
    return count


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for preset in ("hard", "easy"):
        index_path, queries = validation_index(preset, SETS[preset])
        results[preset] = score_set(preset, index_path, queries)
    _, tempo_queries = bench_tempo.build("validation", *bench_tempo.SIZES["validation"])
    easy_index = OUT / "index-easy"
    results["tempo"] = score_set("tempo", easy_index, [(str(q.midi), q.expected, q.factor) for q in tempo_queries])
    print("| penalty | " + " | ".join(f"{name} ({len(rows)})" for name, rows in results.items()) + " |")
    print("|---|" + "---|" * len(results))
    for penalty in (*GRID, None):
        label = "no rates" if penalty is None else f"{penalty:g}"
        print(f"| {label} | " + " | ".join(str(top1(rows, penalty)) for rows in results.values()) + " |")


if __name__ == "__main__":
    main()
