"""Scale: does the cascade keep the right answer as the index grows from 1k to 20k+ entries?

Data: ``python benchmarks/scale_data.py`` (see seqretrieve/evaluation/scale.py). Queries: every
held-out POP909 test song (the complete original MIDI) with two right entries, its "easy" and
"hard" 30-s excerpts, each scored as its own query with the other one left out of the ranking,
and the three Bach violin scores (120-bpm MIDI) against John Garner's recordings. For each index
size: per stage, the right entry's rank as a share of N (p50/p95/p99/max) and survival at the
stage's keep; the cascade's top-1/top-5/MRR; seconds per stage. Brute-force DTW at the smallest
size (the Bach scores and the first ``SCALE_BRUTE_SONGS`` songs, 60 by default: 1,000 full DTWs
per query) is the accuracy reference and says, per query, whether any other entry outscores the
right one under full DTW. Per-query results are cached under data/scale/results (a rerun resumes).
One thread (set before NumPy loads).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SCALE = ROOT / "data" / "scale"
SIZES = ("1000", "5000", "all")
VALIDATION_SIZES = ("1000", "all")
BRUTE_SONGS = int(os.environ.get("SCALE_BRUTE_SONGS", "60"))  # songs with the brute-force reference (13 s each)
FULL_SCORES_UP_TO = 2000  # indexes this small keep every entry's score per query (for fusion studies)
ALONE = {"embedding": "embedding alone (pse)", "profile": "code profile alone (dhs codes)",
         "hash-dtw": "Hamming DTW alone (dhs)"}


def alone_in(results: list[dict]) -> dict[str, str]:
    """The entries of ALONE measured in ``results``."""
    return {name: title for name, title in ALONE.items() if all(name in res["seconds"] for res in results)}


def log(message: str) -> None:
    print(f"[bench scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def queries(tmp: Path, limit: int | None, split: str = "test") -> list[tuple[str, Path, dict[str, str]]]:
    """(query id, MIDI path, {label: right entry id}) for the songs of ``split`` and, for the
    test split, the Bach scores."""
    from seqretrieve.evaluation.bach_violin import pieces, score_to_midi
    from seqretrieve.training.split import pop909_songs

    found = [(f"pop909-{song.stem}", song, {p: f"pop909-{song.stem}-{p}" for p in ("easy", "hard")})
             for song in pop909_songs(SHARED / "pop909", split)][:limit]
    for piece in pieces(SHARED / "bach-violin") if split == "test" else ():
        midi = tmp / f"{piece.name}-score.mid"
        score_to_midi(piece.notes, 120.0).write(str(midi))
        found.append((piece.name, midi, {"bach": piece.audio.stem}))
    return found


def brute_queries(query_list: list) -> list:
    """The queries with the brute-force reference: the Bach scores and the first BRUTE_SONGS songs."""
    songs = [q for q in query_list if q[0].startswith("pop909-")]
    return [q for q in query_list if q not in songs] + songs[:BRUTE_SONGS]


def rank_of(ranked: list[str], target: str, others: set[str]) -> int | None:
    """1-based rank of ``target`` in ``ranked`` with the ids in ``others`` left out."""
    rank = 0
    for entry_id in ranked:
        if entry_id in others:
            continue
        rank += 1
        if entry_id == target:
            return rank
    return None


class Runner:
    """Ranks one query against one index with each first stage alone over every entry and the
    cascade, or (``brute``) with brute-force DTW alone. Each part is cached with its own setup,
    so a change of the cascade does not re-run the stages alone (the costly part at 20k)."""

    def __init__(self, index, brute: bool, synthesizer: str):
        from seqretrieve.pipelines.search import build_matchers, counts_for
        from seqretrieve.registry import get_registry

        registry = get_registry()
        self.index = index
        spec = registry.get("pipeline", "brute-force" if brute else "cascade")
        self.cascade = None if brute else counts_for(spec, len(index))
        self.cascade_matchers = {} if brute else build_matchers(self.cascade, registry)
        self.alone, self.setups = {}, {}
        for name, (matcher, options) in ({"dtw": ("dtw", {})} if brute else alone_matchers(registry)).items():
            self.alone[name] = registry.create("matcher", matcher, **options,
                                               **({"max_hits": None} if matcher == "embedding" else {}))
            component = registry.get("matcher", matcher)
            used = [options.get("representation", component.parameters.get("representation"))]
            self.setups[name] = f"{synthesizer} / {component.name} v{component.version} {options}" + models(index, used)
        # the stages as run, not the pipeline's version: the final carry is applied afterwards
        # from the recorded scores, so a change of it needs no new measurement (brute force: it
        # is the one stage, its part named "dtw")
        self.setups["dtw" if brute else "cascade"] = (
            f"{synthesizer} / {spec.name}: {describe(spec)} ("
            + ", ".join(f"{st.matcher} v{registry.get('matcher', st.matcher).version}" for st in spec.stages) + ")"
            + models(index, spec.needs))

    def stale(self, cached: dict) -> bool:
        return any(cached.get("parts", {}).get(name, {}).get("setup") != setup for name, setup in self.setups.items())

    def run(self, query, targets: dict[str, str], cached: dict) -> dict:
        """``cached`` with every stale part measured again: ``{"targets_ids", "parts": {name:
        {"setup", "ranks": {label: rank}, "seconds", "scores" (small indexes)}, "cascade": {...,
        "stages", "survived", "stage_seconds", "final", "description"}}}``."""
        from seqretrieve.pipelines.run import run_pipeline

        parts = dict(cached.get("parts", {}))
        for name, matcher in self.alone.items():
            if parts.get(name, {}).get("setup") == self.setups[name]:
                continue
            started = time.perf_counter()
            hits = matcher.rank(query, self.index, None)
            part = {"setup": self.setups[name], "seconds": time.perf_counter() - started,
                    "ranks": ranks_of([hit.id for hit in hits], targets)}
            if len(self.index) <= FULL_SCORES_UP_TO:
                part["scores"] = {hit.id: hit.score for hit in hits}
            parts[name] = part
        if self.cascade is not None and parts.get("cascade", {}).get("setup") != self.setups["cascade"]:
            result = run_pipeline(self.cascade, self.cascade_matchers, query, self.index, top=10 ** 6)
            # the final stage's candidates (and the right entries) with the last two stages' scores,
            # for studying how the final score could fuse the stages' evidence
            final, before = result.stages[-1].scores, result.stages[-2].scores
            parts["cascade"] = {
                "setup": self.setups["cascade"], "description": describe(self.cascade),
                "ranks": ranks_of([hit.id for hit in result.hits], targets),
                "stages": {label: [rank_of(list(stage.ranks), target, set(targets.values()) - {target})
                                   for stage in result.stages] for label, target in targets.items()},
                "survived": {label: [target in stage.ranks for stage in result.stages[1:]] for label, target in targets.items()},
                "stage_seconds": [stage.seconds for stage in result.stages],
                "final": {entry_id: [final.get(entry_id), before.get(entry_id)] for entry_id in [*final, *targets.values()]},
            }
        return {"targets_ids": targets, "parts": parts}


def models(index, names) -> str:
    """`` [name checksum12, ...]`` of the index's representations ``names`` (a part measured with
    other models is measured again)."""
    stored = index.representations()
    tags = [f"{name} {stored[name]['checksum'][:12]}" for name in sorted(set(names) & set(stored))]
    return f" [{', '.join(tags)}]" if tags else ""


def alone_matchers(registry) -> dict[str, tuple[str, dict]]:
    """Each first stage measured alone over every entry: name -> (matcher, options)."""
    found = {"embedding": ("embedding", {}), "hash-dtw": ("hash-dtw", {})}
    if "profile" in registry.components("representation"):
        found["profile"] = ("embedding", {"representation": "profile"})
    return found


def ranks_of(ranked: list[str], targets: dict[str, str]) -> dict[str, int | None]:
    """Label -> rank of its target in ``ranked``, the other targets left out."""
    return {label: rank_of(ranked, target, set(targets.values()) - {target}) for label, target in targets.items()}


def flattened(record: dict) -> dict:
    """A cached record in the shape the tables read: ``targets[label][method]`` ranks (and the
    cascade's ``stages``/``survived``), ``seconds[method]``, ``stage_seconds``, ``final``,
    ``all_scores[method]``, ``cascade`` (its description) and ``setup``."""
    parts = record["parts"]
    out = {"targets_ids": record["targets_ids"], "targets": {label: {} for label in record["targets_ids"]},
           "seconds": {}, "all_scores": {}, "setup": "; ".join(sorted({part["setup"] for part in parts.values()}))}
    for name, part in parts.items():
        for label, rank in part["ranks"].items():
            out["targets"][label][name] = rank
        if name == "cascade":
            for label in out["targets"]:
                out["targets"][label].update(stages=part["stages"][label], survived=part["survived"][label])
            out.update(stage_seconds=part["stage_seconds"], final=part["final"], cascade=part["description"])
        else:
            out["seconds"][name] = part["seconds"]
            if "scores" in part:
                out["all_scores"][name] = part["scores"]
    return out


def query_features(qid: str, midi, extractor, synthesizer):
    """The query's synthesized CQT, made once and kept under data/scale/queries/<synthesizer>
    (every index size and the brute-force run use the same frames)."""
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.types import FeatureSequence

    path = SCALE / "queries" / synthesizer.name / f"{qid}.npy"
    if path.exists():
        return FeatureSequence(np.load(path), extractor.frame_rate, extractor.name, extractor.params())
    features = features_from_midi(midi, extractor, synthesizer)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path.with_name(path.stem + ".tmp.npy"), features.frames)
    path.with_name(path.stem + ".tmp.npy").replace(path)
    return features


def collect(size: str, query_list, brute: bool, log) -> tuple[int, list[dict]]:
    """Results of every query against ``index-<size>`` (cached ones read back)."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import query_synthesizer
    from seqretrieve.registry import get_registry
    from seqretrieve.types import QueryData

    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = query_synthesizer(extractor, registry)
    cache = SCALE / "results" / (size + ("-brute" if brute else ""))
    cache.mkdir(parents=True, exist_ok=True)
    results = []
    with Index.open(SCALE / f"index-{size}") as index:
        runner = Runner(index, brute, synthesizer.name)
        for k, (qid, midi_path, targets) in enumerate(query_list):
            path = cache / f"{qid}.json"
            cached = json.loads(path.read_text()) if path.exists() else {}
            if runner.stale(cached):  # missing, or parts measured with other defaults
                midi = load_midi(str(midi_path))
                query = QueryData(str(midi_path), midi, {extractor.name: query_features(qid, midi, extractor, synthesizer)})
                cached = runner.run(query, targets, cached)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(cached))
                tmp.replace(path)
                log(f"{size}: query {k + 1}/{len(query_list)}")
            results.append({"query": qid, **flattened(cached)})
        return len(index), results


def percentiles(ranks: list[int | None], n: int) -> list[str]:
    filled = np.array([n if r is None else r for r in ranks], dtype=float) / n
    return [f"{np.percentile(filled, q, method='higher'):.2%}" for q in (50, 95, 99)] + [f"{filled.max():.2%}"]


def size_table(size: str, n: int, results: list[dict], keeps: list, labels: tuple[str, ...]) -> list[str]:
    """Markdown rows for one index size over the targets whose label is in ``labels``."""
    from seqretrieve.evaluation.metrics import summarize

    records = [rec for res in results for label, rec in res["targets"].items() if label in labels]
    final = [cascade_rank(res, label) for res in results for label in res["targets"] if label in labels]
    lines = []
    for name, title in alone_in(results).items():
        ranks = [rec[name] for rec in records]
        lines.append(f"| {n:,} | {title} | " + " | ".join(percentiles(ranks, n)) + " | |")
    for k, keep in enumerate(keeps):
        last = k == len(keeps) - 1
        ranks = final if last else [rec["stages"][k] for rec in records]  # final: with the shipped carry
        survived = "" if last else f"{np.mean([rec['survived'][k] for rec in records]):.1%}"
        lines.append(f"| {n:,} | cascade stage {k + 1} ({'final ranking' if last else f'keeps {keep}'}) | "
                     + " | ".join(percentiles(ranks, n)) + f" | {survived} |")
    stats = summarize(final, n)
    lines.append(f"| {n:,} | **cascade** top-1 {stats['top1']:.1%}, top-5 {stats['top5']:.1%}, "
                 f"MRR {stats['mrr']:.3f} | | | | | |")
    return lines


def run(quick: bool = False) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from seqretrieve.registry import get_registry

    sizes = [s for s in SIZES if (SCALE / f"index-{s}").exists()]
    if not sizes:
        raise RuntimeError("no scale indexes: run `python benchmarks/scale_data.py` first")
    cascade = get_registry().get("pipeline", "cascade")
    with tempfile.TemporaryDirectory() as tmp:
        query_list = queries(Path(tmp), 10 if quick else None)
        validation = {size: collect(f"validation-{size}", queries(Path(tmp), 10 if quick else None, "validation"), False, log)
                      for size in VALIDATION_SIZES if (SCALE / f"index-validation-{size}").exists()}
        measured = {size: collect(size, query_list, False, log) for size in sizes}
        brute_n, brute = collect(sizes[0], brute_queries(query_list), True, log)
    lines = [
        "Held-out POP909 test songs (227 complete MIDI files as queries; each has an easy and a hard "
        "30-s excerpt as right entries, scored separately with the other one left out) and the three "
        "Bach scores, among distractors that never come from a test song: windows of POP909 "
        "train/validation songs and their versions and of music21 works, rendered with five training "
        "SoundFonts, other programs and tempo x0.5-2 (`python benchmarks/scale_data.py`). Smaller "
        "indexes are subsets of larger ones; the queries are the same. Settings are chosen on the "
        "validation indexes (the validation songs as right entries; distractors from no validation "
        "song, hence " + (f"{max(n for n, _ in validation.values()):,}" if validation else "fewer")
        + " entries at most), never on these.", "",
        "Rank of the right entry as a share of N (p50 / p95 / p99 / max; a right entry pruned before a "
        "stage counts as rank N there) and survival at each cascade stage's keep (" + " -> ".join(f"{s.matcher} {s.keep or ''}".strip() + (f" carry {s.carry:g}" if s.carry else "")
                                               for s in cascade.stages) + "):", "",
    ]
    for title, labels in (("POP909 easy + hard pooled", ("easy", "hard")), ("POP909 easy", ("easy",)),
                          ("POP909 hard", ("hard",)), ("Bach violin (real recordings)", ("bach",))):
        lines += [f"**{title}**", "", "| N | stage | p50 | p95 | p99 | max | survival |", "|---|---|---|---|---|---|---|"]
        for size, (n, results) in measured.items():
            keeps = [stage.kept_count(n) for stage in cascade.stages]
            lines += size_table(size, n, results, keeps, labels)
        lines.append("")
    lines += target_lines(measured, brute)
    lines += plot_lines(measured)
    lines += brute_force_lines(brute_n, brute, measured[sizes[0]][1])
    lines += carry_lines("POP909 test songs, easy + hard", measured, ("easy", "hard"))
    if validation:
        lines += carry_lines("Validation songs (where the carry is chosen)", validation, ("easy", "hard"))
        lines += keep_lines("Validation songs (where the keeps are chosen)", validation, ("easy", "hard"))
    configurations = sorted({res.get("cascade", "(not recorded)") for _, results in [*measured.values(), *validation.values()]
                             for res in results})
    setups = sorted({res["setup"] for _, results in [*measured.values(), *validation.values(), (0, brute)] for res in results})
    lines += ["Measured with (query synthesizer / what was run, with versions; results are cached per query "
              "part and measured again when either changes; the final carry is replayed from the recorded scores): "
              + "; ".join(f"`{c}`" for c in setups) + ". Cascade stages as run: "
              + "; ".join(f"`{c}`" for c in configurations), ""]
    lines += timing_lines(measured)
    lines += extrapolation_lines(measured)
    return "## Scale (rank of the right entry as the index grows)\n\n" + "\n".join(lines)


def target_lines(measured: dict, brute: list[dict]) -> list[str]:
    """Issue 8's acceptance figures at the largest N (easy + hard pooled), beside their targets."""
    n, results = list(measured.values())[-1]
    n_small, small = list(measured.values())[0]
    pooled = [(res, label) for res in results for label in res["targets"] if label in ("easy", "hard")]
    first = cascade_spec().stages[0].options.get("representation", "embedding")
    first = "profile" if first == "profile" else "embedding"
    ranks = np.array([n if res["targets"][label][first] is None else res["targets"][label][first]
                      for res, label in pooled], dtype=float)
    hamming = np.array([res["targets"][label]["hash-dtw"] or n for res, label in pooled])

    def top1(records: list[dict], labels: tuple[str, ...]) -> float:
        return float(np.mean([cascade_rank(res, label) == 1 for res in records for label in res["targets"] if label in labels]))

    brute_top1 = np.mean([res["targets"][label]["dtw"] == 1 for res in brute for label in res["targets"] if label in ("easy", "hard")])
    bach = [cascade_rank(res, "bach") for res in results if "bach" in res["targets"]]
    brute_songs = {res["query"] for res in brute}
    same = [res for res in results if res["query"] in brute_songs and res["query"].startswith("pop909-")]
    return [f"Issue 8's targets at N = {n:,} (held-out POP909 songs, easy + hard pooled, {len(pooled)} targets):", "",
            "| figure | target | measured |", "|---|---|---|",
            f"| first stage ({ALONE[first]}): right entry within the top 1% of N | >= 99% | {np.mean(ranks <= 0.01 * n):.1%} |",
            f"| first stage: within the top 0.1% of N | >= 90% | {np.mean(ranks <= 0.001 * n):.1%} |",
            f"| Hamming DTW alone: within the top 30 | >= 99% | {np.mean(hamming <= 30):.1%} |",
            f"| cascade top-1 at N = {n:,} vs N = {n_small:,} | within 1 point | {top1(results, ('easy', 'hard')):.1%} vs "
            f"{top1(small, ('easy', 'hard')):.1%} |",
            f"| cascade top-1 at N = {n:,} vs brute force at N = {n_small:,} (on brute force's {len(same)} songs) | "
            f"within 1 point | {top1(same, ('easy', 'hard')):.1%} vs {brute_top1:.1%} |",
            f"| Bach recordings at rank 1 at N = {n:,} | 3 of 3 | {sum(r == 1 for r in bach)} of {len(bach)} |", "",
            *findable_lines(n, results, brute, first)]


def findable_lines(n: int, results: list[dict], brute: list[dict], first: str) -> list[str]:
    """The pruning figures over the targets that full DTW itself finds: those brute-force DTW
    ranks first at the smallest size (a stage cannot be asked to keep what the final score loses)."""
    found = {(res["query"], label) for res in brute for label in res["targets"]
             if label in ("easy", "hard") and res["targets"][label]["dtw"] == 1}
    records = [res["targets"][label] for res in results for label in res["targets"] if (res["query"], label) in found]
    if not records:
        return []
    ranks = np.array([rec[first] or n for rec in records], dtype=float)
    hamming = np.array([rec["hash-dtw"] or n for rec in records])
    return [f"The same pruning figures over the {len(records)} targets (of {sum(len(r['targets']) for r in brute if r['query'].startswith('pop909-'))}) "
            f"that brute-force DTW ranks first at the smallest N: first stage within the top 1% of N "
            f"{np.mean(ranks <= 0.01 * n):.1%}, within the top 0.1% {np.mean(ranks <= 0.001 * n):.1%}; Hamming DTW alone "
            f"within the top 30 {np.mean(hamming <= 30):.1%}.", ""]


def brute_force_lines(n: int, results: list[dict], cascade: list[dict]) -> list[str]:
    """Brute-force DTW at the smallest size: top-1, how often another entry outscores the right
    one, and the cascade's top-1 on the same queries (``cascade``: that size's results)."""
    from seqretrieve.evaluation.metrics import summarize

    by_query = {res["query"]: res for res in cascade}
    lines = [f"Brute-force DTW at N = {n:,} (the accuracy reference: every entry scored with full DTW), "
             "and the cascade on the same queries:", "",
             "| set | targets | brute-force top-1 | top-5 | MRR | another entry outscores the right one "
             "| cascade top-1 |", "|---|---|---|---|---|---|---|"]
    for title, labels in (("easy + hard", ("easy", "hard")), ("easy", ("easy",)), ("hard", ("hard",)), ("Bach", ("bach",))):
        pairs = [(rec["dtw"], cascade_rank(by_query[res["query"]], label))
                 for res in results for label, rec in res["targets"].items() if label in labels]
        if pairs:
            stats = summarize([brute for brute, _ in pairs], n)
            beaten = np.mean([brute is None or brute > 1 for brute, _ in pairs])
            lines.append(f"| {title} | {len(pairs)} | {stats['top1']:.1%} | {stats['top5']:.1%} | "
                         f"{stats['mrr']:.3f} | {beaten:.1%} | {np.mean([c == 1 for _, c in pairs]):.1%} |")
    return lines + [""]


PLOT = Path(__file__).resolve().parent / "scale_ranks.png"


def plot_lines(measured: dict) -> list[str]:
    """benchmarks/scale_ranks.png: the right entry's rank as a share of N (p50 and p95, easy and
    hard pooled) against N, for each stage alone and the cascade's fused hash-dtw stage."""
    import matplotlib.pyplot as plt

    sizes = [n for n, _ in measured.values()]
    curves = {title: name for name, title in alone_in([res for _, results in measured.values() for res in results]).items()}
    curves["cascade stage 2 (fused Hamming DTW)"] = 1
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for (label, key), color in zip(curves.items(), ("tab:blue", "tab:purple", "tab:orange", "tab:green")):
        for q, style in ((50, ":"), (95, "-")):
            shares = []
            for n, results in measured.values():
                ranks = [rec[key] if isinstance(key, str) else rec["stages"][key]
                         for res in results for lab, rec in res["targets"].items() if lab in ("easy", "hard")]
                filled = np.array([n if r is None else r for r in ranks], dtype=float) / n
                shares.append(np.percentile(filled, q, method="higher"))
            ax.plot(sizes, shares, style, marker="o", color=color, label=f"{label}, p{q}")
    ax.set(xscale="log", yscale="log", xlabel="index size N (entries)", ylabel="rank of the right entry / N",
           title="Where the right entry ranks as the index grows")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)
    return [f"![rank share vs index size]({PLOT.relative_to(ROOT).as_posix()})", ""]


CARRIES = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def final_rows(result: dict) -> dict[str, tuple[float, float]]:
    """Entry id -> (final DTW score, previous stage's score) for the final stage's candidates."""
    return {entry_id: (row[0], row[1]) for entry_id, row in result["final"].items() if row[0] is not None}


def final_rank(result: dict, target: str, others: set[str], carry: float) -> int | None:
    """The right entry's rank after the final stage ranks its candidates with ``carry`` (None:
    pruned before it)."""
    from seqretrieve.matchers.fusion import fused

    rows = {entry_id: row for entry_id, row in final_rows(result).items() if entry_id not in others}
    if target not in rows:
        return None
    ids = list(rows)
    scores = fused(np.array([rows[i][0] for i in ids]), (carry, np.array([rows[i][1] for i in ids])))
    return 1 + int(np.sum(scores < scores[ids.index(target)]))


def describe(pipeline) -> str:
    """The stages as run (matcher, keep, options; the carry is applied afterwards from the scores)."""
    return " -> ".join(f"{s.matcher} keep {s.keep}" + (f" {dict(s.options)}" if s.options else "") for s in pipeline.stages)


def cascade_rank(result: dict, label: str) -> int | None:
    """The right entry's rank in the shipped cascade, its final stage re-ranked with the shipped
    carry from the recorded stage scores (so results cached under another carry stay usable)."""
    target = result["targets_ids"][label]
    return final_rank(result, target, set(result["targets_ids"].values()) - {target}, cascade_spec().stages[-1].carry)


def cascade_spec():
    from seqretrieve.registry import get_registry

    return get_registry().get("pipeline", "cascade")


def carry_lines(title: str, measured: dict, labels: tuple[str, ...]) -> list[str]:
    """Top-1 of the cascade for each final-stage carry, per index size."""
    lines = [f"**{title}**: top-1 of the cascade with each carry of the final stage (the Hamming-DTW stage's "
             "fused score carried into the final DTW ranking, `z(dtw) + carry * z(previous)`):", "",
             "| N | targets | " + " | ".join(f"carry {c:g}" for c in CARRIES) + " |",
             "|---|---|" + "---|" * len(CARRIES)]
    for n, results in measured.values():
        targets = [(res, target, set(res["targets_ids"].values()) - {target})
                   for res in results for label, target in res["targets_ids"].items() if label in labels]
        cells = [f"{np.mean([final_rank(res, t, o, carry) == 1 for res, t, o in targets]):.1%}" for carry in CARRIES]
        lines.append(f"| {n:,} | {len(targets)} | " + " | ".join(cells) + " |")
    return lines + [""]


FIRST_KEEPS = (250, 500, 1000)
SECOND_KEEPS = (10, 20, 30, 50, 100)


def keep_lines(title: str, measured: dict, labels: tuple[str, ...]) -> list[str]:
    """Survival and top-1 of the cascade for other keeps than the ones run, from the recorded
    stage ranks and final-stage scores (the final stage re-ranks the second stage's best K2 of
    its recorded candidates). A distractor among them is assumed to have passed a smaller first
    keep too, so top-1 is a lower bound there; past the Hamming-DTW stage's own keep only the
    survival is known (the final stage scored no more candidates)."""
    ran = cascade_spec().stages[1].keep
    lines = [f"**{title}**: the cascade's keeps (first stage K1, Hamming-DTW stage K2) replayed from the "
             f"recorded ranks: survival to the final stage / top-1 (top-1 only up to the K2 of {ran} that ran):", "",
             "| N | K1 | targets | " + " | ".join(f"K2 {k2}" for k2 in SECOND_KEEPS) + " |",
             "|---|---|---|" + "---|" * len(SECOND_KEEPS)]
    for n, results in measured.values():
        for k1 in FIRST_KEEPS:
            cells = []
            for k2 in SECOND_KEEPS:
                survived, first = [], []
                for res in results:
                    for label, target in res["targets_ids"].items():
                        if label not in labels:
                            continue
                        stages = res["targets"][label]["stages"]
                        kept = stages[0] is not None and stages[0] <= k1 and stages[1] is not None and stages[1] <= k2
                        survived.append(kept)
                        if k2 <= ran:
                            first.append(kept and replayed_top1(res, target, set(res["targets_ids"].values()) - {target}, k2))
                cells.append(f"{np.mean(survived):.1%} / " + (f"{np.mean(first):.1%}" if first else "-"))
            lines.append(f"| {n:,} | {k1:,} | {len(survived)} | " + " | ".join(cells) + " |")
    return lines + [""]


def replayed_top1(result: dict, target: str, others: set[str], keep: int) -> bool:
    """Whether ``target`` has the best final score among the previous stage's best ``keep``
    recorded candidates (the shipped carry applied)."""
    from seqretrieve.matchers.fusion import fused

    rows = {entry_id: row for entry_id, row in final_rows(result).items() if entry_id not in others}
    kept = sorted(rows, key=lambda entry_id: rows[entry_id][1])[:keep]
    if target not in kept:
        return False
    scores = fused(np.array([rows[i][0] for i in kept]), (cascade_spec().stages[-1].carry, np.array([rows[i][1] for i in kept])))
    return int(np.argmin(scores)) == kept.index(target)


def extrapolation_lines(measured: dict) -> list[str]:
    """What the measured shares imply at 1,000,000 entries, if they stay as at the largest N."""
    n, results = list(measured.values())[-1]
    records = [rec for res in results for label, rec in res["targets"].items() if label in ("easy", "hard")]
    per_entry = np.median([res["seconds"]["hash-dtw"] for res in results]) / n
    lines = [f"At 1,000,000 entries, if the shares measured at N = {n:,} hold (the tables above say whether "
             "they stay flat from 1k up): the entries a first stage must keep so that the right entry survives, "
             f"and what Hamming DTW over them costs at this run's {per_entry * 1e6:.1f} us per entry (one core, "
             "loaded machine):", "", "| first stage | survival | share of N to keep | entries at 1M | Hamming DTW over them |",
             "|---|---|---|---|---|"]
    for name, title in alone_in(results).items():
        if name == "hash-dtw":
            continue  # the cost column is Hamming DTW's own
        filled = np.array([n if rec[name] is None else rec[name] for rec in records], dtype=float) / n
        for q in (95, 99):
            share = float(np.percentile(filled, q, method="higher"))
            lines.append(f"| {title} | {q}% | {share:.2%} | {share * 1e6:,.0f} | {share * 1e6 * per_entry:.1f} s |")
    return lines + [""]


def timing_lines(measured: dict) -> list[str]:
    titles = alone_in([res for _, results in measured.values() for res in results])
    lines = ["Median seconds per query (one core on a machine shared with other jobs, so only the proportions "
             "mean something: the `speed` section has clean timings; the cascade's stages as run, and each stage "
             "alone over the whole index):", "", "| N | cascade stages | " + " | ".join(titles.values()) + " |",
             "|---|---|" + "---|" * len(titles)]
    for n, results in measured.values():
        stages = np.median([res["stage_seconds"] for res in results], axis=0)
        alone = [np.median([res["seconds"][name] for res in results]) for name in titles]
        lines.append(f"| {n:,} | " + " + ".join(f"{s:.3f}" for s in stages) + f" = {stages.sum():.3f} | "
                     + " | ".join(f"{a:.4f}" for a in alone) + " |")
    return lines + [""]


def main() -> None:
    """Measure (and cache) the per-query results without writing the section: a long job that
    can be stopped and run again, e.g. ``python benchmarks/bench_scale.py --sizes all``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES), help="test index sizes to measure")
    parser.add_argument("--validation-sizes", default=",".join(VALIDATION_SIZES))
    parser.add_argument("--brute", action="store_true", help="also the brute-force reference at the smallest size")
    parser.add_argument("--part", default="0/1", help="I/N: only every N-th query from the I-th (run N processes at once)")
    args = parser.parse_args()
    part, parts = map(int, args.part.split("/"))

    with tempfile.TemporaryDirectory() as tmp:
        for size in filter(None, args.validation_sizes.split(",")):
            collect(f"validation-{size}", queries(Path(tmp), None, "validation")[part::parts], False, log)
        every_query = queries(Path(tmp), None)
        for size in filter(None, args.sizes.split(",")):
            collect(size, every_query[part::parts], False, log)
        if args.brute:
            collect(SIZES[0], brute_queries(every_query)[part::parts], True, log)


if __name__ == "__main__":
    main()
