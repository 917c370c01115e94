"""Query speed at scale: per-stage and end-to-end seconds per query, measured end to end in one
process on one core at 1k-1M entries, the shipped cascade beside today's (the one-entry-at-a-time
Hamming kernel and full final DTW) in the same run, and the cold start of ``seqretrieve query``.

Entries: 40 rendered 30-s excerpts of POP909 test songs (real CQT features, codes and
embeddings, bench_models' cache) followed by synthetic rows up to the size: embeddings of real
excerpts repeated with a jitter (:class:`EmbeddingDraws`), and the codes and features of real row
``r % 40``, so whatever reaches the DTW stages is real.
Queries: the complete MIDI files of 5 of those songs. One thread (set before NumPy loads).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import bench_models  # one thread: it sets the BLAS/numba thread counts before NumPy loads
import numpy as np
from bench_models import CACHE, POP909, ROOT

from seqretrieve.index.prefix_bound import BOUND_DIMS
from seqretrieve.registry import get_registry

SIZES = (1_000, 10_000, 100_000, 1_000_000)
N_REAL, N_QUERIES = 40, 5
N_FIDELITY = 12  # POP909 test songs whose template frames are compared with rendered ones


class SyntheticIndex:
    """A read-only stand-in for :class:`seqretrieve.index.store.Index` with ``n`` rows: the real
    index's rows, then synthetic ones whose features and codes are those of real row ``r % R``
    and whose embeddings are ``draw(name, n - R, rng)`` (:class:`EmbeddingDraws`).

    Its representation matrices are written as the real index writes them (memory-mapped by
    :func:`seqretrieve.index.representations.load_matrices`)."""

    def __init__(self, real, n: int, path: Path, rng, draw: "EmbeddingDraws"):
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
                rows = np.concatenate([matrices.embeddings, draw(name, n - len(real_ids), rng)])
                np.save(self.path / f"repr-{name}.npy", rows)
            else:
                lengths = np.diff(matrices.offsets)
                cycles, rest = divmod(n, len(real_ids))
                codes = np.asarray(matrices.codes[: matrices.offsets[-1]])
                np.save(self.path / f"repr-{name}.codes.npy",
                        np.concatenate([np.tile(codes, cycles), codes[: matrices.offsets[rest]]]))
                offsets = np.concatenate([[0], np.cumsum(lengths[np.arange(n) % len(real_ids)])])
                np.save(self.path / f"repr-{name}.offsets.npy", offsets.astype(np.int64))
            files["meta"].write_text(json.dumps({**record, "rows": n, "arrays": n}))  # what load_matrices checks
            written = load_matrices(self, registry.create("representation", name))
            if not isinstance(written.embeddings if record["kind"] == "embedding" else written.codes, np.memmap):
                raise RuntimeError(f"{name}: the synthetic rows' matrices were not memory-mapped")

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> list[str]:
        return self._ids

    def row_of(self) -> dict[str, int]:
        return self._row_of

    def source_of(self, entry_id: str) -> str:
        """The real entry whose features and codes row ``entry_id`` carries."""
        return self._source[entry_id]

    def get_array(self, db_name: str, entry_id: str) -> np.ndarray:
        return self.real.get_array(db_name, self._source[entry_id])

    def __getattr__(self, name):  # extractor, meta, representations, check_representation...
        return getattr(self.real, name)


@contextmanager
def todays_cascade():
    """The cascade as it was before issue 11: MIDI read by pretty_midi through mido, Hamming DTW
    one entry at a time, every embedding distance computed (no prefix bound), full final DTW."""
    import io

    import baseline_hamming
    import pretty_midi

    import seqretrieve.audio.midi as midi
    import seqretrieve.matchers.embedding as embedding
    import seqretrieve.matchers.hash_dtw as hash_dtw

    kernel, reader, ratio = hash_dtw.hamming_dtw_scores, midi._parse_smf, embedding.PRUNE_RATIO
    hash_dtw.hamming_dtw_scores = baseline_hamming.baseline_scores
    midi._parse_smf = lambda source: pretty_midi.PrettyMIDI(source if isinstance(source, io.BytesIO) else str(source))
    embedding.PRUNE_RATIO = float("inf")
    try:
        yield
    finally:
        hash_dtw.hamming_dtw_scores, midi._parse_smf, embedding.PRUNE_RATIO = kernel, reader, ratio


def full_final_dtw(spec):
    """``spec`` with its last (dtw) stage's guide or window removed: full DTW of every survivor,
    its penalty from every query frame."""
    last = spec.stages[-1]
    options = {key: value for key, value in last.options.items()
               if key not in ("guide", "radius", "window", "median_stride")}
    return replace(spec, stages=[*spec.stages[:-1], replace(last, options=options)])


def as_written(spec):
    """``spec`` with every stage at rate 1 only (the query as written: no tempo robustness)."""
    from seqretrieve.registry import get_registry

    registry = get_registry()
    stages = [replace(stage, options={**stage.options, "rates": (1.0,)})
              if "rates" in registry.get("matcher", stage.matcher).parameters else stage for stage in spec.stages]
    return replace(spec, stages=stages)


def prepare(midi_path, extractor, synthesizer, matchers):
    """QueryData with the MIDI's features and the encodings the pipeline's ``matchers`` use, made
    as they make them (each learned representation once, the code profile from the DHS codes):
    what ``Searcher.search`` and the first use in each stage do."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.types import QueryData

    midi = load_midi(midi_path)
    query = QueryData(str(midi_path), midi, {extractor.name: features_from_midi(midi, extractor, synthesizer)})
    for matcher in matchers.values():
        if hasattr(matcher, "encode_query"):
            matcher.encode_query(query)
        embedding = getattr(matcher, "embedding", None)  # a hash-dtw stage's fused embedding
        if embedding is not None:
            embedding.encode_query(query)
    return query


def per_query(index, spec, matchers, queries, extractor, synthesizer):
    """Median seconds per query: (prep, stage 1, 2, 3, end to end), measured end to end; and the
    share of queries whose top hit holds the right song (the entry or a synthetic copy of it)."""
    from seqretrieve.pipelines.run import run_pipeline

    rows, right = [], []
    for midi_path, expected in queries:
        started = time.perf_counter()
        query = prepare(midi_path, extractor, synthesizer, matchers)
        prepared = time.perf_counter()
        result = run_pipeline(spec, matchers, query, index, top=10)
        total = time.perf_counter() - started
        rows.append([prepared - started, *(stage.seconds for stage in result.stages), total])
        right.append(bool(result.hits) and index.source_of(result.hits[0].id) == expected)
    return np.median(np.array(rows), axis=0), float(np.mean(right))


class EmbeddingDraws:
    """Synthetic rows' embeddings: ``draw(name, n, rng) -> (n, E)`` float32.

    Where the scale benchmark's indexes are built (`make scale-data`), each row is one of their
    real excerpts' vectors (test and validation indexes, ~35,000) plus a jitter of 1% of each
    dimension's spread: an index of real music grown by repeating it, so a keep of 1,000 of 1M
    is the same share of its neighbourhoods as 0.1% of the real rows. Otherwise a Gaussian with
    the mean and covariance of 456 validation excerpts' vectors (an index is built of them at
    ``path``): such rows spread evenly in every direction, the first stage's bound prunes none
    of them, a worst case for it. ``description`` says which.
    """

    def __init__(self, synthesizer, path: Path):
        from seqretrieve.evaluation.pop909 import build_benchmark
        from seqretrieve.index.build import build_index

        scale = [ROOT / "data" / "scale" / f"index-{size}" for size in ("all", "validation-all")]
        if all(index.is_dir() for index in scale):
            self.pools = _embedding_rows(scale)
            self.description = (f"each a real excerpt's vector of the scale benchmark's indexes "
                                f"({len(next(iter(self.pools.values()))):,} excerpts) plus a jitter of 1% of each "
                                "dimension's spread")
            self.gaussian = False
        else:
            recordings = [str(p) for preset in ("easy", "hard") for p in build_benchmark(
                POP909, CACHE, 228, 0, synthesizer, preset=preset, split="validation").recordings]
            build_index(recordings, str(path), workers=1)
            self.pools = _embedding_rows([path])
            self.description = (f"drawn from a Gaussian with the mean and covariance of "
                                f"{len(next(iter(self.pools.values())))} validation excerpts' vectors (the scale "
                                "benchmark's indexes are not built here; such rows defeat the first stage's bound)")
            self.gaussian = True

    def __call__(self, name: str, n: int, rng) -> np.ndarray:
        pool = self.pools[name]
        if self.gaussian:
            return rng.multivariate_normal(pool.mean(axis=0), np.cov(pool, rowvar=False), size=n).astype(np.float32)
        jitter = 0.01 * pool.std(axis=0)
        return (pool[rng.integers(len(pool), size=n)] + rng.standard_normal((n, pool.shape[1])) * jitter).astype(np.float32)


def _embedding_rows(paths: list[Path]) -> dict[str, np.ndarray]:
    """Per embedding representation, the rows (N, E) of the indexes at ``paths`` together."""
    from seqretrieve.index.representations import load_matrices
    from seqretrieve.index.store import Index

    rows: dict[str, list[np.ndarray]] = {}
    for path in paths:
        with Index.open(path) as index:
            for name, record in index.representations().items():
                if record["kind"] == "embedding":
                    matrix = load_matrices(index, get_registry().create("representation", name)).embeddings
                    rows.setdefault(name, []).append(np.asarray(matrix[np.isfinite(matrix).all(axis=1)]))
    return {name: np.concatenate(parts) for name, parts in rows.items()}


def exact_share(index, queries, extractor, synthesizer, keep: int) -> list[float]:
    """Per query, the share of ``index``'s rows the first stage scores exactly (its prefix bound
    within the ``keep``-th best code-profile distance) when it keeps ``keep`` of them."""
    from seqretrieve.index.representations import load_matrices
    from seqretrieve.matchers.embedding import EmbeddingMatcher, squared_distances

    matcher = EmbeddingMatcher("profile")
    matrices = load_matrices(index, matcher.model())
    shares = []
    for midi_path, _ in queries:
        windows = matcher.encode_query(prepare(midi_path, extractor, synthesizer, {}))
        exact = squared_distances(matrices.embeddings, windows, norms=matrices.norms)
        threshold = np.partition(exact, keep - 1)[keep - 1]
        shares.append(float(np.mean(matrices.bound.lower_bounds(windows) <= threshold)))
    return shares


def scale_index_share(extractor, synthesizer, quick: bool) -> str:
    """The first stage's exact-scored share on the scale benchmark's real test index (if built),
    keeping 0.1% of it, as the shipped keep of 1,000 is of 1M rows; 20 test-song queries."""
    from seqretrieve.index.store import Index
    from seqretrieve.training.split import pop909_songs

    path = ROOT / "data" / "scale" / "index-all"
    if not path.is_dir():
        return "(the scale benchmark's real index is not built here: `make scale-data`)"
    songs = pop909_songs(POP909, "test")[: 4 if quick else 20]
    with Index.open(path) as index:
        keep = max(1, round(len(index) / 1000))
        shares = exact_share(index, [(song, None) for song in songs], extractor, synthesizer, keep)
        return (f"on the scale benchmark's real test index ({len(index):,} excerpts, keep {keep}, {len(songs)} "
                f"test-song queries) a median {np.median(shares):.1%} (90th percentile {np.percentile(shares, 90):.1%})")


def template_fidelity(sets: dict[str, list[Path]], extractor, synthesizer, templates) -> list[str]:
    """Per set: frame cosine of template frames vs synthesized frames (pooled median and 5th
    percentile) and the median time of each path per file (reading the MIDI excluded)."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi

    lines = ["| set | files | frame cosine, median | 5th percentile | worst file's median | render + CQT | "
             "templates | speed-up |", "|---|---|---|---|---|---|---|---|"]
    for title, paths in sets.items():
        cosines, per_file, rendered, made = [], [], [], []
        for path in paths:
            midi = load_midi(path)
            heard = _timed(lambda: features_from_midi(midi, extractor, synthesizer).frames, rendered)
            built = _timed(lambda: features_from_midi(midi, extractor, templates).frames, made)
            cosine = (heard * built).sum(axis=1)
            cosines.append(cosine)
            per_file.append(np.median(cosine))
        pooled = np.concatenate(cosines)
        lines.append(f"| {title} | {len(paths)} | {np.median(pooled):.4f} | {np.percentile(pooled, 5):.4f} | "
                     f"{min(per_file):.4f} | {_ms(np.median(rendered))} | {_ms(np.median(made))} | "
                     f"{np.median(np.array(rendered) / np.array(made)):.0f}x |")
    return lines


def prep_parts(queries, extractor, synthesizer, matchers) -> list[str]:
    """Median milliseconds of each part of a query's preparation, made as ``prepare`` makes it:
    reading the MIDI (this reader, and pretty_midi through mido), its frames, each encoding."""
    import pretty_midi

    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.types import QueryData

    parts: dict[str, list] = {}
    for midi_path, _ in queries:
        for _ in range(3):
            midi = _timed(lambda: load_midi(midi_path), parts.setdefault("MIDI read", []))
            _timed(lambda: pretty_midi.PrettyMIDI(str(midi_path)), parts.setdefault("(by pretty_midi and mido)", []))
            features = _timed(lambda: features_from_midi(midi, extractor, synthesizer), parts.setdefault("CQT frames", []))
            query = QueryData(str(midi_path), midi, {extractor.name: features})
            for matcher in matchers.values():
                for encoder in (matcher, getattr(matcher, "embedding", None)):
                    name = getattr(encoder, "representation", None)
                    if hasattr(encoder, "encode_query") and name not in query.encoded:
                        _timed(lambda: encoder.encode_query(query), parts.setdefault(f"{name} encoding", []))
    return ["| " + " | ".join(parts) + " |", "|" + "---|" * len(parts),
            "| " + " | ".join(_ms(np.median(times)) for times in parts.values()) + " |"]


def _timed(work, times: list):
    started = time.perf_counter()
    value = work()
    times.append(time.perf_counter() - started)
    return value


def window_share(spec, index, queries, extractor, synthesizer) -> tuple[list[float], list[float]]:
    """Over every (query, entry) pair of the real index: the share of the full matrix's cells that
    the final stage of ``spec`` fills at full resolution (its window of query frames at the chosen
    rate), and the relative error of its penalty (median distance of every ``median_stride``-th
    query frame) against the median of every cell."""
    from seqretrieve.dtw.distance import cosine_distance
    from seqretrieve.dtw.median import fast_median
    from seqretrieve.dtw.rates import resample_frames

    final = spec.stages[-1]
    matcher = get_registry().create("matcher", final.matcher, **final.options)
    shares, errors = [], []
    for midi_path, _ in queries:
        frames = prepare(midi_path, extractor, synthesizer, {}).features["cqt"].frames
        pooled = {rate: resample_frames(frames, rate / matcher.coarse) for rate in matcher.rates}
        for entry_id in index.ids():
            entry = index.get_array("features:cqt", entry_id)
            fits = matcher._coarse_fits(pooled, resample_frames(entry, 1.0 / matcher.coarse))
            rate = matcher._rates_for(fits)[0]
            scaled = resample_frames(frames, rate)
            first, last = matcher._window(fits[rate][1], len(pooled[rate]), len(scaled), len(entry))
            shares.append((last - first + 1) / len(scaled))
            full = fast_median(cosine_distance(scaled, entry))
            errors.append(abs(fast_median(cosine_distance(scaled[::matcher.median_stride], entry)) - full) / full)
    return shares, errors


def cold_start(index_path: Path, midi_path: Path) -> float:
    """Wall seconds of ``seqretrieve query MIDI --index PATH --json`` in a new process."""
    from seqretrieve.testing import run_cli

    started = time.perf_counter()
    run_cli("query", midi_path, "--index", index_path, "--json", check=True)
    return time.perf_counter() - started


def run(quick: bool = False) -> str:
    from seqretrieve.dtw.align import score_features
    from seqretrieve.evaluation.pop909 import build_benchmark
    from seqretrieve.index.build import build_index
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import DEFAULT_QUERY_SYNTH, build_matchers, counts_for

    registry = get_registry()
    synthesizer = registry.create("synthesizer", "tinysoundfont")
    query_synth = registry.create("synthesizer", DEFAULT_QUERY_SYNTH)
    extractor = registry.create("feature_extractor", "cqt")
    bench = build_benchmark(POP909, CACHE, N_REAL, N_QUERIES, synthesizer, preset="easy")
    queries = bench.queries[: 2 if quick else N_QUERIES]
    sizes = SIZES[:2] if quick else SIZES
    shipped = registry.get("pipeline", "cascade")
    rng = np.random.default_rng(0)
    lines, tempo_lines = [], []
    load = os.getloadavg()[1]
    with tempfile.TemporaryDirectory(dir=ROOT / "data") as tmp:
        tmp = Path(tmp)
        build_index([str(p) for p in bench.recordings], str(tmp / "real"), workers=1)
        cold = [cold_start(tmp / "real", queries[0][0]) for _ in range(2 if quick else 3)]
        with Index.open(tmp / "real") as real:
            query = prepare(queries[0][0], extractor, synthesizer, {})
            frames = query.features["cqt"].frames
            entry = real.get_array("features:cqt", queries[0][1])
            one_dtw = min(_seconds(lambda: score_features(frames, entry)) for _ in range(3))
            shares, errors = window_share(shipped, real, queries, extractor, query_synth)
            prep = prep_parts(queries, extractor, query_synth, build_matchers(shipped, registry))
            draw = EmbeddingDraws(synthesizer, tmp / "statistics")
            for n in sizes:
                index = SyntheticIndex(real, n, tmp / f"synthetic-{n}", rng, draw)
                now_spec, today_spec = counts_for(shipped, n), counts_for(full_final_dtw(shipped), n)
                now, now_right = per_query(index, now_spec, build_matchers(now_spec, registry), queries,
                                           extractor, query_synth)
                with todays_cascade():
                    today, today_right = per_query(index, today_spec, build_matchers(today_spec, registry),
                                                   queries, extractor, synthesizer)
                plain_spec = counts_for(as_written(shipped), n)
                plain, _ = per_query(index, plain_spec, build_matchers(plain_spec, registry), queries,
                                     extractor, query_synth)
                tempo_lines.append(f"| {n:,} | " + " | ".join(
                    f"{_ms(p)} / {_ms(r)} ({r / p:.1f}x)" for p, r in zip(plain[1:], now[1:])) + " |")
                brute = n * one_dtw
                lines.append(
                    f"| {n:,} | " + " | ".join(f"{_ms(t)} / {_ms(s)}" for t, s in zip(today[:4], now[:4]))
                    + f" | {_ms(today[4])} | **{_ms(now[4])}** | {today[4] / now[4]:.1f}x | {brute:,.0f} s | "
                    f"{brute / now[4]:,.0f}x | {today_right:.0%} / {now_right:.0%} |")
                first_keep = now_spec.stages[0].keep
                synthetic_share = (n, first_keep, exact_share(index, queries, extractor, query_synth, first_keep))
                del index
            real_share = scale_index_share(extractor, query_synth, quick)
    fidelity_sets = {"POP909 test songs": [p for p, _ in build_benchmark(POP909, CACHE, N_FIDELITY, N_FIDELITY, synthesizer).queries],
                     "Bach scores (120-bpm violin)": [p for p, _ in bench_models.bach_violin_pairs(ROOT / "data" / "bench")[1]]}
    if quick:
        fidelity_sets = {title: paths[:2] for title, paths in fidelity_sets.items()}
    fidelity = template_fidelity(fidelity_sets, extractor, synthesizer, query_synth)
    stages = " | ".join(f"{s.matcher} (keep {s.keep})" if s.keep else s.matcher for s in shipped.stages)
    return "\n".join([
        "## Query speed at scale (one process, one core)", "",
        f"Per query, medians over {len(queries)} complete POP909 test-song MIDI files, measured end to "
        "end in one warm process (reading the MIDI to the ranked hits; not per-pair cost times a count). "
        f"Entries: {N_REAL} real 30-s excerpts, then synthetic rows up to the size (embeddings: {draw.description}; "
        f"codes and CQT features copied from the {N_REAL} real rows, so the DTW stages work on real data). "
        "Each cell: today (MIDI read through mido, rendered by TinySoundFont + CQT; one-entry-at-a-time Hamming "
        f"kernel) / now (MIDI read by `seqretrieve.audio.smf`; `{DEFAULT_QUERY_SYNTH}` frames; lane-interleaved "
        "Hamming kernel), same run; both with the shipped "
        "cascade's stages and tempo rates (today's column shares now's handling of the rates: frames "
        "resampled on first use, the hash-dtw stage's rates scored as columns; that stage took 40 ms at 1M "
        "before, on this machine), today's with full final DTW. Query prep = reading the MIDI, its CQT frames and "
        "the encodings the stages use, made as they make them (the cascade: the DHS codes once, the code "
        "profile from them; today's column also so, its synthesizer aside). Brute force = entries x one full CQT DTW of a real pair "
        f"(extrapolated). Load average (5 min) when the run started: {load:.1f} on {os.cpu_count()} cores "
        "(other jobs share this machine: compare the columns of one row, not absolute times).", "",
        f"| entries | query prep | {stages} | end to end, today | end to end, now | speed-up | "
        "brute-force DTW | now vs brute force | right song first (today / now) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *lines, "",
        "What tempo robustness costs (issue 9): the same queries with every stage at rate 1 only (the "
        "query as written) / with the shipped global time-scalings, same run, now's kernels (at rate 1 "
        "only the final stage has no pooled pass to choose a rate, hence no window: it fills every cell):", "",
        f"| entries | {stages} | end to end |", "|---|---|---|---|---|",
        *tempo_lines, "",
        "The final stage's window (`window` and `median_stride` of the dtw matcher, docs/models.md): over "
        f"every (query, entry) pair of the real entries ({len(shares)}) it fills a median {np.median(shares):.1%} "
        f"of the full matrix's cells at full resolution ({1 / np.median(shares):.1f}x fewer; widest "
        f"{np.max(shares):.1%}), and its penalty, the median distance of every "
        f"{shipped.stages[-1].options.get('median_stride', 1)}-th query frame, is within {np.median(errors):.2%} "
        f"of the median of every cell (median; at most {np.max(errors):.2%}). Today's column fills every cell.", "",
        "The first stage (the code profile's nearest window, keep "
        f"{synthetic_share[1]:,}) computes the exact distance only for rows whose distance on the index's "
        f"{BOUND_DIMS} leading principal axes (a lower bound, `seqretrieve.index.prefix_bound`) is "
        "within the best exact distances found among the rows that bound best; today's column computes "
        f"every row's (and so does now's where the bound leaves over half of them). Rows scored exactly: at "
        f"{synthetic_share[0]:,} rows a median {np.median(synthetic_share[2]):.1%} (at most "
        f"{np.max(synthetic_share[2]):.1%}); {real_share}.", "",
        "Query preparation, part by part (median ms over the same queries, 3 runs each; the profile is "
        "made from the DHS codes, so its part includes them when it comes first):", "",
        *prep, "",
        f"Cold start: `seqretrieve query SONG.mid --index INDEX --json` in a new process ({N_REAL}-entry "
        f"index, one 4-minute MIDI): median {np.median(cold):.2f} s wall (imports, registry, models, numba "
        "cache loads, matrices), against the warm per-query time above.", "",
        f"MIDI -> CQT frames without a waveform (`{DEFAULT_QUERY_SYNTH}`, TimGM6mb note templates) against "
        "rendering with TinySoundFont + CQT, the frames it stands in for: cosine of each frame pair, and "
        "seconds per file (reading the MIDI excluded).", "",
        *fidelity, "",
    ])


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
