"""Learned representations: retrieval accuracy of each stage and of the cascade vs brute-force
DTW on held-out POP909 songs, time per query per stage from 1k to 1M entries, and Hamming DTW
vs CQT DTW speed on the same pair of songs. One thread (set before NumPy loads)."""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from seqretrieve.evaluation.metrics import correct_rank, summarize  # noqa: E402
from seqretrieve.evaluation.pop909 import build_benchmark  # noqa: E402
from seqretrieve.registry import get_registry  # noqa: E402
from timing import median_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POP909 = ROOT.parent / "shared" / "data" / "pop909"
CACHE = ROOT / "data" / "bench" / "pop909"
SIZES = (1_000, 10_000, 100_000, 1_000_000)


def _queries(pairs, extractor, synthesizer):
    """(QueryData with the synthesized CQT, correct id) for (MIDI path, id) pairs."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.types import QueryData

    for midi_path, expected in pairs:
        midi = load_midi(str(midi_path))
        query = QueryData(str(midi_path), midi, {extractor.name: features_from_midi(midi, extractor, synthesizer)})
        yield query, expected


METHODS = {"dtw": "brute-force CQT DTW", "hash-dtw": "Hamming DTW alone (dhs)", "embedding": "embedding alone (pse)"}


def evaluate_set(title: str, sources: list[str], pairs, tmp: Path) -> tuple[list[str], tuple]:
    """Index ``sources`` (with both representations), rank every query with each method alone and
    with the cascade; Markdown lines, and a sample (query codes, frames, entry codes, frames)."""
    from seqretrieve.index.build import build_index
    from seqretrieve.index.representations import add_all_representations
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.run import run_pipeline

    registry = get_registry()
    synthesizer = registry.create("synthesizer", "tinysoundfont")
    extractor = registry.create("feature_extractor", "cqt")
    cascade = registry.get("pipeline", "cascade")
    matchers = {name: registry.create("matcher", name) for name in METHODS}
    ranks = {name: [] for name in [*METHODS, "cascade"]}
    stage_ranks = [[] for _ in cascade.stages]
    stage_seconds = [[] for _ in cascade.stages]
    index_path = tmp / title.replace(" ", "-")
    build_index(sources, str(index_path), workers=1)
    with Index.open(index_path, readonly=False) as index:
        add_all_representations(index)
        n_entries = len(index)
        for query, expected in _queries(pairs, extractor, synthesizer):
            for name, matcher in matchers.items():
                ranks[name].append(correct_rank([h.id for h in matcher.rank(query, index, None)], expected))
            result = run_pipeline(cascade, matchers, query, index, top=10)
            ranks["cascade"].append(correct_rank([h.id for h in result.hits], expected))
            for k, stage in enumerate(result.stages):
                stage_ranks[k].append(stage.ranks.get(expected))
                stage_seconds[k].append(stage.seconds)
        sample = (query.encoded["dhs"], query.features["cqt"].frames,
                  index.get_array("repr:dhs", expected), index.get_array("features:cqt", expected))
    cascade_label = "cascade " + " -> ".join(s.matcher + (f" (keep {s.keep})" if s.keep else "") for s in cascade.stages)
    rows = []
    for name, label in [*METHODS.items(), ("cascade", cascade_label)]:
        stats = summarize(ranks[name], n_entries)
        rows.append(f"| {label} | {stats['top1']:.1%} | {stats['top5']:.1%} | {stats['mrr']:.3f} | {stats['rank95']} |")
    survived = [np.mean([r is not None and (stage.keep is None or r <= stage.keep) for r in stage_ranks[k]])
                for k, stage in enumerate(cascade.stages)]
    lines = [
        f"**{title}**: {n_entries} entries, {len(pairs)} queries.", "",
        "| method | top-1 | top-5 | MRR | 95% rank |", "|---|---|---|---|---|", *rows, "",
        "Cascade stages: " + "; ".join(
            f"{s.matcher} kept the right entry for {survived[k]:.0%} of queries, "
            f"median {np.median(stage_seconds[k]) * 1000:.1f} ms" for k, s in enumerate(cascade.stages)) + ".", "",
    ]
    return lines, sample


def bach_violin_pairs(tmp: Path) -> tuple[list[str], list[tuple[Path, str]]]:
    """The three real recordings as entries and their scores (as 120-bpm violin MIDI) as queries."""
    from seqretrieve.evaluation.bach_violin import pieces, score_to_midi

    found = pieces(POP909.parent / "bach-violin")
    pairs = []
    for piece in found:
        midi_path = tmp / f"{piece.name}-score.mid"
        score_to_midi(piece.notes, 120.0).write(str(midi_path))
        pairs.append((midi_path, piece.audio.stem))
    return [str(piece.audio) for piece in found], pairs


def accuracy(quick: bool) -> tuple[list[str], tuple]:
    """Accuracy tables on POP909 easy/hard and on the real Bach recordings with distractors."""
    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    n_entries, n_queries = (24, 8) if quick else (227, 50)
    lines = [
        "Held-out POP909 test songs (never trained on): entries = 30-s excerpts of variants (other "
        "programs, tempo warp; \"hard\" also drops an instrument and warps more); queries = the complete "
        "original MIDI files. Bach: John Garner's three real recordings among the easy POP909 excerpts as "
        "distractors; queries = the scores written as 120-bpm violin MIDI.", "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for preset in ("easy", "hard"):
            bench = build_benchmark(POP909, CACHE, n_entries, n_queries, synthesizer, preset=preset)
            table, sample = evaluate_set(f"POP909 {preset}", [str(p) for p in bench.recordings], bench.queries, tmp)
            lines += table
        bach_sources, bach_pairs = bach_violin_pairs(tmp)
        easy = build_benchmark(POP909, CACHE, n_entries, 0, synthesizer, preset="easy")
        lines += evaluate_set("Bach violin (real recordings)", [*bach_sources, *map(str, easy.recordings)],
                              bach_pairs, tmp)[0]
    return lines, sample


def scale(sample, quick: bool) -> list[str]:
    """Time per query per stage at growing index sizes (synthetic embeddings/codes)."""
    from seqretrieve.dtw.align import score_features
    from seqretrieve.matchers.embedding import squared_distances, squared_norms, top_rows
    from seqretrieve.matchers.hash_dtw import hash_dtw_score
    from seqretrieve.types import Hit

    registry = get_registry()
    cascade = registry.get("pipeline", "cascade")
    keep_embed, keep_hash = cascade.stages[0].keep, cascade.stages[1].keep
    dtw = registry.create("matcher", "dtw")
    hash_matcher = registry.create("matcher", "hash-dtw")
    query_codes, query_frames, entry_codes, entry_frames = sample
    rng = np.random.default_rng(0)
    repeats = 3 if quick else 5
    # per-entry costs, measured on the real sample pair
    hash_one = median_seconds(lambda: hash_dtw_score(query_codes, entry_codes, hash_matcher.penalty,
                                                      hash_matcher.gully), 20, warmup=False)
    dtw_one = median_seconds(lambda: score_features(query_frames, entry_frames, gully=dtw.gully), repeats, warmup=False)
    hash_stage = keep_embed * hash_one
    dtw_stage = keep_hash * dtw_one
    query = rng.standard_normal(128).astype(np.float32)
    lines = [f"| entries | embedding | hash-dtw ({keep_embed}) | dtw ({keep_hash}) | cascade | brute-force DTW (extrapolated) "
             "| speed-up | index memory (embeddings + codes) |", "|---|---|---|---|---|---|---|---|"]
    curve = []
    for n in (SIZES[:3] if quick else SIZES):
        matrix = np.tanh(rng.standard_normal((n, 128), dtype=np.float32))
        norms = squared_norms(matrix)  # once per index, at load

        def embed_stage():
            scores = squared_distances(matrix, query, norms=norms)
            order = top_rows(scores, keep_embed)
            return [Hit(str(i), float(scores[i])) for i in order.tolist()]

        embed = median_seconds(embed_stage, repeats, warmup=False)
        total = embed + hash_stage + dtw_stage
        brute = n * dtw_one
        memory = matrix.nbytes + norms.nbytes + n * (len(entry_codes) * 4 + 8)
        curve.append((n, embed, hash_stage, dtw_stage, brute))
        lines.append(f"| {n:,} | {embed * 1000:.1f} ms | {hash_stage * 1000:.0f} ms | {dtw_stage * 1000:.0f} ms | "
                     f"{total:.2f} s | {brute:,.0f} s | {brute / total:,.0f}x | {memory / 2**20:,.0f} MiB |")
    plot_scaling(curve, PLOT)
    return [
        f"![time per query vs index size]({PLOT.relative_to(ROOT).as_posix()})", "",
        f"Per query, one core. Embedding: squared distances to all N synthetic 128-d embeddings "
        f"(one float32 matrix, row norms cached) + selection of the {keep_embed} best + their hits. Hash-DTW and DTW stages rank a fixed "
        f"{keep_embed} and {keep_hash} candidates, so their time is the measured time of one real "
        f"pair ({len(query_codes)} x {len(entry_codes)} codes; {len(query_frames)} x {len(entry_frames)} "
        f"CQT frames) times that count. Brute force = N x one CQT DTW (extrapolated). Query "
        "synthesis + CQT (~0.2 s) and encoding are not included.", "", *lines, "",
        f"Hamming DTW vs CQT DTW on the same pair of songs: {hash_one * 1000:.2f} ms vs "
        f"{dtw_one * 1000:.1f} ms = **{dtw_one / hash_one:.0f}x faster** (8x fewer frames per side: "
        f"64x fewer cells; per cell {dtw_one / hash_one / 64:.1f}x).",
    ]


PLOT = ROOT / "benchmarks" / "cascade_scaling.png"


def plot_scaling(curve: list[tuple[int, float, float, float, float]], path: Path) -> None:
    """Seconds per query against index size, per cascade stage, the cascade and brute force (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes, embed, hashed, dtw, brute = (np.array(column) for column in zip(*curve))
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    for values, label in ((embed, "embedding stage"), (hashed, "hash-dtw stage"), (dtw, "dtw stage"),
                          (embed + hashed + dtw, "cascade"), (brute, "brute-force DTW (extrapolated)")):
        ax.loglog(sizes, values, marker="o", label=label)
    ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("index entries")
    ax.set_ylabel("seconds per query (one core)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(quick: bool = False) -> str:
    acc_lines, sample = accuracy(quick)
    return "\n".join(["## Learned representations (DHS hashes, PSE embeddings) and the cascade", "",
                      *acc_lines, "", *scale(sample, quick)]) + "\n"


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
