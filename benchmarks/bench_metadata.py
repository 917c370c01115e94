"""Metadata cleaning and text matching: accuracy on the labelled set, time and memory at scale.

Accuracy: 1,000 messy paths generated from the 5,000 real MSD lines (``seqretrieve.metadata.
synthetic.messy_names``), 20% of their tracks removed from the catalogue so that precision also
counts wrong answers for absent songs. Scale: N generated names against an M-line synthetic
catalogue made from the sample's vocabulary (full: 100,000 x 1,000,000; quick: 10,000 x
100,000), run in a child process so that its peak memory (ru_maxrss) is its own. Timings are
also given as a ratio to the exact-key baseline matcher measured in the same run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

MSD_SAMPLE = "/work/shared/data/msd/unique_tracks_sample.txt"
THRESHOLDS = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def _accuracy() -> str:
    from seqretrieve.metadata.clean import Cleaner
    from seqretrieve.metadata.evaluate import cleaning_pr, held_out_catalog, matching_pr
    from seqretrieve.metadata.match import BlockedFuzzyMatcher, ExactMatcher
    from seqretrieve.metadata.pipeline import canonical
    from seqretrieve.metadata.readers import read_catalog

    records = list(read_catalog(MSD_SAMPLE))
    from seqretrieve.metadata.synthetic import messy_names

    labelled = messy_names(records, 1000, seed=11)
    catalog, present = held_out_catalog(records, labelled, 0.2, seed=11)
    cleaned = [Cleaner(midi_text=False).clean(n.path) for n in labelled]
    queries = [(c.artist, c.title) for c in cleaned]
    fuzzy = BlockedFuzzyMatcher().match(catalog, queries, top=3)
    exact = ExactMatcher().match(catalog, queries)
    canon = [canonical(c, f, 0.8) for c, f in zip(cleaned, fuzzy)]
    on_present = [(n, c) for n, c, f in zip(labelled, canon, fuzzy) if n.id in present]
    lines = [
        f"Labelled set: {len(labelled)} generated paths, {len(present & {n.id for n in labelled})} of "
        f"their tracks in the {len(catalog)}-line catalogue.", "",
        "| what | threshold | precision | recall | answered |", "| --- | --- | --- | --- | --- |",
    ]
    for label, pr in [("cleaning alone (keys equal truth)", cleaning_pr(labelled, cleaned)),
                      ("cleaning + catalogue (present tracks)",
                       cleaning_pr([n for n, _ in on_present], [c for _, c in on_present]))]:
        lines.append(f"| {label} | conf >= {pr.threshold} | {pr.precision:.3f} | {pr.recall:.3f} | {pr.answered} |")
    for pr in matching_pr(labelled, exact, present, [1.0]):
        lines.append(f"| top-1 match, exact keys | {pr.threshold} | {pr.precision:.3f} | {pr.recall:.3f} | {pr.answered} |")
    for pr in matching_pr(labelled, fuzzy, present, THRESHOLDS):
        lines.append(f"| top-1 match, blocked-fuzzy | {pr.threshold} | {pr.precision:.3f} | {pr.recall:.3f} | {pr.answered} |")
    return "\n".join(lines)


def _scale_child(n_queries: int, n_catalog: int) -> dict:
    """Runs in a child process: build, clean, match; returns timings (s) and peak RSS (MiB)."""
    import resource

    from seqretrieve.metadata.catalog import Catalog
    from seqretrieve.metadata.clean import Cleaner
    from seqretrieve.metadata.match import BlockedFuzzyMatcher, ExactMatcher
    from seqretrieve.metadata.pipeline import clean_and_match
    from seqretrieve.metadata.readers import read_catalog
    from seqretrieve.metadata.synthetic import messy_names, synthetic_catalog

    vocabulary = list(read_catalog(MSD_SAMPLE))
    records = list(synthetic_catalog(vocabulary, n_catalog, seed=5))
    labelled = messy_names(records, n_queries, seed=5)
    t0 = time.perf_counter()
    catalog = Catalog(records)
    del records
    t1 = time.perf_counter()
    paths = ((n.path, None) for n in labelled)
    results = list(clean_and_match(paths, Cleaner(midi_text=False), catalog, BlockedFuzzyMatcher(), top=3))
    t2 = time.perf_counter()
    ExactMatcher().match(catalog, [(n.artist, n.title) for n, _ in results[:10000]])
    t3 = time.perf_counter()
    correct = sum(n.id in {c.id for c in cands if c.rank == 1} and cands[0].score >= 0.8
                  for n, (_, cands) in zip(labelled, results))
    answered = sum(bool(cands) and cands[0].score >= 0.8 for _, cands in results)
    return {"build": t1 - t0, "match": t2 - t1, "exact_10k": t3 - t2, "correct": correct,
            "answered": answered, "queries": len(labelled), "catalog": n_catalog,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _scale(n_queries: int, n_catalog: int, repeats: int) -> str:
    runs = []
    for _ in range(repeats):
        code = f"import json, benchmarks.bench_metadata as b; print(json.dumps(b._scale_child({n_queries}, {n_catalog})))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in runs) for k in ("build", "match", "exact_10k", "peak_mib")}
    r = runs[0]
    exact_per_query = med["exact_10k"] / min(10000, r["queries"])
    fuzzy_per_query = med["match"] / r["queries"]
    return "\n".join([
        f"Scale: {r['queries']:,} generated names vs a {r['catalog']:,}-line synthetic catalogue "
        f"(median of {repeats} run(s), 2 cores).", "",
        "| step | seconds | per query | vs exact-key matcher (matching only, same run) |", "| --- | --- | --- | --- |",
        f"| build catalogue | {med['build']:.1f} | | |",
        f"| clean + match (blocked-fuzzy, top 3) | {med['match']:.1f} | {1e3 * fuzzy_per_query:.2f} ms "
        f"| {fuzzy_per_query / exact_per_query:.1f}x |",
        f"| total | {med['build'] + med['match']:.1f} | | |", "",
        f"Peak memory (child process RSS): {med['peak_mib']:.0f} MiB. Top-1 at score >= 0.8: "
        f"{r['correct'] / max(r['answered'], 1):.3f} precision, {r['correct'] / r['queries']:.3f} recall.",
    ])


def run(quick: bool = False) -> str:
    """The Markdown section for BENCHMARKS.md."""
    n_queries, n_catalog = (10_000, 100_000) if quick else (100_000, 1_000_000)
    return "\n\n".join(["## Metadata cleaning and text matching", _accuracy(),
                        _scale(n_queries, n_catalog, repeats=1 if not quick else 3)])


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
