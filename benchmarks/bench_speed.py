"""Query speed at scale: per-stage and end-to-end seconds per query, measured end to end in one
process on one core at 1k-1M entries, the shipped cascade beside today's (the one-entry-at-a-time
Hamming kernel and full final DTW) in the same run, and the cold start of ``seqretrieve query``.

Entries: 40 rendered 30-s excerpts of POP909 test songs (real CQT features, codes and
embeddings, bench_models' cache) followed by synthetic rows up to the size: random embeddings,
and the codes and features of real row ``r % 40``, so whatever reaches the DTW stages is real.
Queries: the complete MIDI files of 5 of those songs. One thread (set before NumPy loads).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from seqretrieve.registry import get_registry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POP909 = ROOT.parent / "shared" / "data" / "pop909"
CACHE = ROOT / "data" / "bench" / "pop909"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
N_REAL, N_QUERIES = 40, 5


class SyntheticIndex:
    """A read-only stand-in for :class:`seqretrieve.index.store.Index` with ``n`` rows: the real
    index's rows, then synthetic ones whose features and codes are those of real row ``r % R``.

    Its representation matrices are written as the real index writes them (memory-mapped by
    :func:`seqretrieve.index.representations.load_matrices`)."""

    def __init__(self, real, n: int, path: Path, rng):
        from seqretrieve.index.representations import load_matrices

        self.real, self.path = real, Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        real_ids = real.ids()
        self._ids = real_ids + [f"synthetic-{row}" for row in range(len(real_ids), n)]
        self._source = {entry_id: real_ids[row % len(real_ids)] for row, entry_id in enumerate(self._ids)}
        self._row_of = {entry_id: row for row, entry_id in enumerate(self._ids)}
        registry = get_registry()
        for name, record in real.representations().items():
            matrices = load_matrices(real, registry.create("representation", name))
            files = {"meta": self.path / f"repr-{name}.json"}
            if record["kind"] == "embedding":
                rows = np.tanh(rng.standard_normal((n, matrices.embeddings.shape[1]), dtype=np.float32))
                rows[: len(real_ids)] = matrices.embeddings
                np.save(self.path / f"repr-{name}.npy", rows)
            else:
                lengths = np.diff(matrices.offsets)
                cycles, rest = divmod(n, len(real_ids))
                codes = np.asarray(matrices.codes[: matrices.offsets[-1]])
                np.save(self.path / f"repr-{name}.codes.npy",
                        np.concatenate([np.tile(codes, cycles), codes[: matrices.offsets[rest]]]))
                offsets = np.concatenate([[0], np.cumsum(lengths[np.arange(n) % len(real_ids)])])
                np.save(self.path / f"repr-{name}.offsets.npy", offsets.astype(np.int64))
            files["meta"].write_text(json.dumps({**record, "rows": n}))

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> list[str]:
        return self._ids

    def row_of(self) -> dict[str, int]:
        return self._row_of

    def get_array(self, db_name: str, entry_id: str) -> np.ndarray:
        return self.real.get_array(db_name, self._source[entry_id])

    def __getattr__(self, name):  # extractor, meta, representations, check_representation...
        return getattr(self.real, name)


@contextmanager
def todays_cascade():
    """The cascade as it was before issue 11: Hamming DTW one entry at a time, full final DTW."""
    import baseline_hamming

    import seqretrieve.matchers.hash_dtw as hash_dtw

    kernel = hash_dtw.hamming_dtw_scores
    hash_dtw.hamming_dtw_scores = baseline_hamming.baseline_scores
    try:
        yield
    finally:
        hash_dtw.hamming_dtw_scores = kernel


def full_final_dtw(spec):
    """``spec`` with its last (dtw) stage's guide removed: full DTW of every survivor."""
    last = spec.stages[-1]
    options = {key: value for key, value in last.options.items() if key not in ("guide", "radius")}
    return replace(spec, stages=[*spec.stages[:-1], replace(last, options=options)])


def prepare(midi_path, extractor, synthesizer, models):
    """QueryData with the MIDI's features and both encodings (what ``Searcher.search`` does
    before the pipeline)."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.types import QueryData

    midi = load_midi(midi_path)
    query = QueryData(str(midi_path), midi, {extractor.name: features_from_midi(midi, extractor, synthesizer)})
    for model in models:
        query.encoded[model.name] = model.encode(query.features[model.extractor].frames, "midi")
    return query


def per_query(index, spec, matchers, queries, extractor, synthesizer, models):
    """Median seconds per query: (prep, stage 1, 2, 3, end to end), measured end to end; and the
    share of queries whose right entry ranks first."""
    from seqretrieve.pipelines.run import run_pipeline

    rows, right = [], []
    for midi_path, expected in queries:
        started = time.perf_counter()
        query = prepare(midi_path, extractor, synthesizer, models)
        prepared = time.perf_counter()
        result = run_pipeline(spec, matchers, query, index, top=10)
        total = time.perf_counter() - started
        rows.append([prepared - started, *(stage.seconds for stage in result.stages), total])
        right.append(bool(result.hits) and result.hits[0].id == expected)
    return np.median(np.array(rows), axis=0), float(np.mean(right))


def cold_start(index_path: Path, midi_path: Path) -> float:
    """Wall seconds of ``seqretrieve query MIDI --index PATH --json`` in a new process."""
    from seqretrieve.testing import run_cli

    started = time.perf_counter()
    run_cli("query", midi_path, "--index", index_path, "--json", check=True)
    return time.perf_counter() - started


def run(quick: bool = False) -> str:
    import bench_models

    from seqretrieve.dtw.align import score_features
    from seqretrieve.evaluation.pop909 import build_benchmark
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import build_matchers, counts_for

    registry = get_registry()
    synthesizer = registry.create("synthesizer", "tinysoundfont")
    extractor = registry.create("feature_extractor", "cqt")
    models = [registry.create("representation", name) for name in ("dhs", "pse")]
    bench = build_benchmark(POP909, CACHE, N_REAL, N_QUERIES, synthesizer, preset="easy")
    queries = bench.queries[: 2 if quick else N_QUERIES]
    sizes = SIZES[:2] if quick else SIZES
    shipped = registry.get("pipeline", "cascade")
    rng = np.random.default_rng(0)
    lines = []
    with tempfile.TemporaryDirectory(dir=ROOT / "data") as tmp:
        tmp = Path(tmp)
        bench_models._index_with_representations([str(p) for p in bench.recordings], tmp / "real")
        cold = [cold_start(tmp / "real", queries[0][0]) for _ in range(2 if quick else 3)]
        with Index.open(tmp / "real") as real:
            query = prepare(queries[0][0], extractor, synthesizer, models)
            frames = query.features["cqt"].frames
            entry = real.get_array("features:cqt", queries[0][1])
            one_dtw = min(_seconds(lambda: score_features(frames, entry)) for _ in range(3))
            for n in sizes:
                index = SyntheticIndex(real, n, tmp / f"synthetic-{n}", rng)
                now_spec, today_spec = counts_for(shipped, n), counts_for(full_final_dtw(shipped), n)
                now, now_right = per_query(index, now_spec, build_matchers(now_spec, registry), queries,
                                           extractor, synthesizer, models)
                with todays_cascade():
                    today, today_right = per_query(index, today_spec, build_matchers(today_spec, registry),
                                                   queries, extractor, synthesizer, models)
                brute = n * one_dtw
                lines.append(
                    f"| {n:,} | " + " | ".join(f"{_ms(t)} / {_ms(s)}" for t, s in zip(today[:4], now[:4]))
                    + f" | {_ms(today[4])} | **{_ms(now[4])}** | {today[4] / now[4]:.1f}x | {brute:,.0f} s | "
                    f"{brute / now[4]:,.0f}x | {today_right:.0%} / {now_right:.0%} |")
                del index
    stages = " | ".join(f"{s.matcher} (keep {s.keep})" if s.keep else s.matcher for s in shipped.stages)
    return "\n".join([
        "## Query speed at scale (one process, one core)", "",
        f"Per query, medians over {len(queries)} complete POP909 test-song MIDI files, measured end to "
        "end in one warm process (reading the MIDI to the ranked hits; not per-pair cost times a count). "
        f"Entries: {N_REAL} real 30-s excerpts, then synthetic rows up to the size (random embeddings; "
        f"codes and CQT features copied from the real rows, so the DTW stages work on real data). "
        "Each cell: today (one-entry-at-a-time Hamming kernel, full final DTW) / now (lane-interleaved "
        "Hamming kernel, final DTW in a band around each survivor's Hamming path), same run. Brute force "
        "= entries x one full CQT DTW of a real pair (extrapolated).", "",
        f"| entries | query prep | {stages} | end to end, today | end to end, now | speed-up | "
        "brute-force DTW | now vs brute force | right entry first (today / now) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *lines, "",
        f"Cold start: `seqretrieve query SONG.mid --index INDEX --json` in a new process ({N_REAL}-entry "
        f"index, one 4-minute MIDI): median {np.median(cold):.2f} s wall (imports, registry, models, numba "
        "cache loads, matrices), against the warm per-query time above.", "",
    ])


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.0f} s"
