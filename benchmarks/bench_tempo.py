"""Tempo gaps: retrieval when the query MIDI is 0.4x-2.5x off the recording's tempo.

Entries: held-out POP909 songs rendered as "recordings" (the easy variant: light warp and
velocities, the songs' own programs, so that the tempo gap is what is measured; other benchmarks
change the timbre) cut to 30-s or 120-s excerpts or kept whole (song k gets kind k % 3), plus
John Garner's three Bach violin recordings. Queries: MIDI files whose global tempo factor f =
recording length / query length is drawn log-uniformly inside a bin, with the smooth rubato warp
of the variants (``make_variant``, warp 0.05); one bin per POP909 test song (two per validation
song), every bin for each Bach score (written as violin MIDI at the tempo giving f). Data: one
command builds it into ``data/bench/tempo`` (cached, resumable): ``python benchmarks/bench_tempo.py --build``.

Each stage is run alone over all entries, as written (rate 1, the published matchers) and with
its shipped rates (``seqretrieve.matchers.tempo``). The default pipeline's ranking is computed
from those stage rankings with the cascade's keeps: the final DTW re-ranks the cascade's hash-dtw
stage's best ``keep``, carrying its score as the cascade does (exact while the embedding stage
keeps every entry, as here, because each entry's DTW score does not depend on the other
candidates). Queries are made into frames by the product's query synthesizer (note templates). The machine is 2 shared cores, so
the sets are small (one full run ~20-30 min niced). Validation songs (``--split validation``)
are for choosing settings; test songs are reported.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from seqretrieve.evaluation.metrics import correct_rank  # noqa: E402
from seqretrieve.registry import get_registry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SEQRETRIEVE_SHARED_DATA", ROOT.parent / "shared" / "data"))  # a worktree elsewhere
CACHE = ROOT / "data" / "bench" / "tempo"
BINS = ((0.4, 0.6), (0.6, 0.8), (0.8, 1.25), (1.25, 1.6), (1.6, 2.5))
KINDS = (("30s", 30.0), ("120s", 120.0), ("whole", 1e6))
QUERY_WARP = 0.05
#: report only the queries already answered (a run cut short by the deadline; set by a caller)
ANSWERED_ONLY = False
SIZES = {"test": (15, 15), "validation": (12, 10), "quick": (6, 4)}  # entries (songs), songs queried


@dataclass(frozen=True)
class Query:
    midi: Path
    expected: str
    factor: float
    bin: int
    kind: str


def bin_of(factor: float) -> int:
    return next(k for k, (low, high) in enumerate(BINS) if low <= factor < high or k == len(BINS) - 1)


def draw_factor(rng: np.random.Generator, b: int) -> float:
    low, high = BINS[b]
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def build(split: str, n_songs: int, n_queried: int) -> tuple[list[Path], list[Query]]:
    """Recordings and queries of ``split`` (cached under CACHE/split; existing files are kept)."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.evaluation.bach_violin import TICKS_PER_QUARTER, pieces, score_to_midi
    from seqretrieve.evaluation.pop909 import entry_id, render_excerpt
    from seqretrieve.synth.variants import make_variant
    from seqretrieve.training.split import pop909_songs

    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    out = CACHE / f"{split}-{n_songs}"
    (out / "queries").mkdir(parents=True, exist_ok=True)
    recordings, queries = [], []
    for k, song in enumerate(pop909_songs(SHARED / "pop909", split)[:n_songs]):
        kind, seconds = KINDS[k % len(KINDS)]
        path = out / "recordings" / f"{entry_id(song)}.wav"
        if not path.exists():
            render_excerpt(song, path, synthesizer, seed=int(song.stem), seconds=seconds, preset="easy",
                           programs="keep")
        recordings.append(path)
        if k >= n_queried:
            continue
        for b in [k % len(BINS)] if split == "test" else (k % len(BINS), (k + 2) % len(BINS)):
            rng = np.random.default_rng([int(song.stem), b])
            factor = draw_factor(rng, b)
            midi_path = out / "queries" / f"{entry_id(song)}-bin{b}.mid"
            if not midi_path.exists():
                variant, _ = make_variant(load_midi(str(song)), int(rng.integers(2**31)), preset="easy",
                                          tempo_scale=factor, warp=QUERY_WARP)
                variant.write(str(midi_path))
            queries.append(Query(midi_path, entry_id(song), factor, b, kind))
    if split == "test":
        for piece in pieces(SHARED / "bach-violin"):
            recordings.append(piece.audio)
            written = (piece.notes[-1, 0] - piece.notes[0, 0]) / TICKS_PER_QUARTER  # quarters
            played = piece.starts[-1] - piece.starts[0]  # seconds
            for b in range(len(BINS)):
                factor = draw_factor(np.random.default_rng([len(piece.name), b, 7]), b)
                bpm = written * 60.0 * factor / played
                midi_path = out / "queries" / f"{piece.name}-bin{b}.mid"
                if not midi_path.exists():
                    score_to_midi(piece.notes, bpm).write(str(midi_path))
                queries.append(Query(midi_path, piece.audio.stem, factor, b, "bach"))
    pop, bach = [q for q in queries if q.kind != "bach"], [q for q in queries if q.kind == "bach"]
    mixed = [q for pair in zip(pop, bach) for q in pair] + pop[len(bach):] + bach[len(pop):]
    return recordings, mixed  # interleaved: a partial run covers every kind


def index_for(recordings: list[Path]) -> Path:
    """The index of ``recordings`` (one set's, cached beside them) with the shipped
    representations (re-encoded, as `index update` does, when a model changed)."""
    from seqretrieve.index.build import build_index
    from seqretrieve.index.representations import add_all_representations
    from seqretrieve.index.store import Index

    path = recordings[0].parent.parent / "index"
    done = path / "complete"
    if not done.exists():
        build_index([str(p) for p in recordings], str(path), workers=1)
        done.write_text("ok\n")
    with Index.open(path, readonly=False) as index:
        add_all_representations(index)
    return path


STAGES = ("embedding", "hash-dtw", "fused", "dtw")
LABELS = {"embedding": "embedding alone (pse)", "hash-dtw": "Hamming DTW alone (dhs)",
          "fused": "hash-dtw fused with embedding", "dtw": "brute-force CQT DTW"}


def cascade_stage() -> str:
    """The measured stage that is the default cascade's hash-dtw stage: "fused" when it fuses
    the embedding distance, else "hash-dtw"."""
    options = get_registry().get("pipeline", "cascade").stages[1].options
    return "fused" if options.get("embedding_weight") else "hash-dtw"


def stage_matchers(rated: bool) -> dict:
    """Each stage alone over all entries, as written (``rated`` False) or with its shipped rates."""
    registry = get_registry()
    weight = registry.get("pipeline", "cascade-pse").stages[1].options["embedding_weight"]
    plain = {} if rated else {"rates": (1.0,)}
    return {"embedding": registry.create("matcher", "embedding", max_hits=None, **plain),
            "hash-dtw": registry.create("matcher", "hash-dtw", **plain),
            "fused": registry.create("matcher", "hash-dtw", embedding_weight=weight, **plain),
            "dtw": registry.create("matcher", "dtw", **plain)}


def cascade_rank(stage_hits, dtw_hits, expected: str, keep: int, carry: float) -> int | None:
    """Rank of ``expected`` after a dtw stage re-ranks the hash stage's best ``keep``, carrying
    that stage's score with weight ``carry`` as the cascade does (``seqretrieve.pipelines.run``)."""
    from seqretrieve.pipelines.run import carried

    kept = {hit.id: hit.score for hit in stage_hits[:keep]}
    final = [hit for hit in dtw_hits if hit.id in kept]
    if carry:
        final = carried(final, kept, carry)
    return correct_rank([hit.id for hit in final], expected)


def answer(query: Query, index, matchers: tuple[dict, dict], keep: int, carry: float, extractor, synthesizer) -> dict:
    """One query's ranks of the right entry (each stage alone, rate 1 and with rates, and the
    pipeline) and seconds per stage."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.types import QueryData

    midi = load_midi(str(query.midi))
    data = QueryData(str(query.midi), midi, {"cqt": features_from_midi(midi, extractor, synthesizer)})
    hits, ranks, seconds = {}, {}, {}
    for label, stages in zip(("before", "after"), matchers):
        for stage, matcher in stages.items():
            started = time.perf_counter()
            hits[label, stage] = matcher.rank(data, index, None)
            seconds[f"{stage} {label}"] = time.perf_counter() - started
            ranks[f"{stage} {label}"] = correct_rank([h.id for h in hits[label, stage]], query.expected)
    for when in ("before", "after"):
        ranks[f"cascade {when}"] = cascade_rank(hits[when, cascade_stage()], hits[when, "dtw"], query.expected, keep, carry)
    return {"query": query.midi.stem, "ranks": ranks, "seconds": seconds}


def evaluate(split: str, quick: bool = False) -> dict:
    """Ranks (per method, per query) and seconds per stage for ``split``; answers are appended
    to a results file beside the data (keyed by the matchers' settings), so a run resumes."""
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import query_synthesizer

    n_songs, n_queried = SIZES["quick" if quick else split]
    recordings, queries = build(split, n_songs, n_queried)
    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = query_synthesizer(extractor, registry)  # the product's (note templates)
    cascade = registry.get("pipeline", "cascade")
    keep, carry = cascade.stages[1].keep, cascade.stages[2].carry
    before, after = stage_matchers(False), stage_matchers(True)
    settings = {name: repr(sorted(registry.get("matcher", name).parameters.items()))
                for name in ("embedding", "hash-dtw", "dtw")}
    settings.update(synthesizer=synthesizer.name, keep=keep, carry=carry, cascade_stage=cascade_stage(),
                    models={name: registry.create("representation", name).checksum for name in ("dhs", "pse", "profile")})
    cache = recordings[0].parent.parent / f"results-{hashlib.sha1(repr(settings).encode()).hexdigest()[:10]}.jsonl"
    done = {}
    if cache.exists():  # resumable: queries already answered with the same matcher settings
        for line in cache.read_text().splitlines():
            row = json.loads(line)
            done[row["query"]] = row
    with Index.open(index_for(recordings)) as index, open(cache, "a") as log:
        n_entries = len(index)
        for number, query in enumerate(queries, start=1):
            if query.midi.stem not in done:
                if ANSWERED_ONLY:
                    continue
                done[query.midi.stem] = answer(query, index, (before, after), keep, carry, extractor, synthesizer)
                log.write(json.dumps(done[query.midi.stem]) + "\n")
                log.flush()
            print(f"[tempo] {split} {number}/{len(queries)} {query.midi.stem} f={query.factor:.2f}: "
                  + " ".join(f"{k}={v}" for k, v in done[query.midi.stem]["ranks"].items()), file=sys.stderr, flush=True)
    queries = [query for query in queries if query.midi.stem in done]
    rows = [done[query.midi.stem] for query in queries]
    ranks = {key: [row["ranks"][key] for row in rows] for key in rows[0]["ranks"]}
    seconds = {key: [row["seconds"][key] for row in rows] for key in rows[0]["seconds"]}
    return {"queries": queries, "ranks": ranks, "seconds": seconds, "entries": n_entries}


def table(result: dict) -> list[str]:
    """Top-1 per tempo bin, before/after, for each stage alone and the default pipeline."""
    queries = result["queries"]
    counts = [sum(q.bin == b for q in queries) for b in range(len(BINS))]
    head = "| method | " + " | ".join(f"{lo:g}-{hi:g} ({n})" for (lo, hi), n in zip(BINS, counts)) + " | all |"
    lines = [head, "|---|" + "---|" * (len(BINS) + 1)]
    for stage in [*STAGES, "cascade"]:
        label = LABELS.get(stage, "default pipeline (cascade)")
        for when in ("before", "after"):
            top1 = [r == 1 for r in result["ranks"][f"{stage} {when}"]]
            cells = [f"{np.mean([t for t, q in zip(top1, queries) if q.bin == b]):.0%}" if counts[b] else "-"
                     for b in range(len(BINS))]
            lines.append(f"| {label}, {'rate 1' if when == 'before' else 'tempo rates'} | "
                         + " | ".join(cells) + f" | {np.mean(top1):.1%} |")
    return lines


def kinds_table(result: dict) -> list[str]:
    """Top-1 of the default pipeline per kind of recording (after)."""
    queries = result["queries"]
    lines = ["| recording | queries | brute force | default pipeline |", "|---|---|---|---|"]
    for kind in dict.fromkeys(q.kind for q in queries):
        chosen = [k for k, q in enumerate(queries) if q.kind == kind]
        top1 = {name: np.mean([result["ranks"][name][k] == 1 for k in chosen]) for name in ("dtw after", "cascade after")}
        lines.append(f"| {kind} | {len(chosen)} | {top1['dtw after']:.0%} | {top1['cascade after']:.0%} |")
    return lines


def cost_table(result: dict) -> list[str]:
    """Median seconds per query of each stage alone, as written vs with rates."""
    s = result["seconds"]
    lines = ["| stage (all entries) | rate 1 (ms) | tempo rates (ms) | ratio |", "|---|---|---|---|"]
    for stage in STAGES:
        b, a = np.median(s[f"{stage} before"]) * 1000, np.median(s[f"{stage} after"]) * 1000
        lines.append(f"| {LABELS[stage]} | {b:.1f} | {a:.1f} | {a / b:.2f}x |")
    return lines


def run(quick: bool = False) -> str:
    result = evaluate("test", quick)
    registry = get_registry()
    cascade = registry.get("pipeline", "cascade")
    keep, carry = cascade.stages[1].keep, cascade.stages[2].carry
    rates = {name: registry.get("matcher", name).parameters.get("rates") for name in ("embedding", "hash-dtw", "dtw")}
    return "\n".join([
        "## Tempo gaps (query MIDI 0.4x-2.5x off the recording's tempo)", "",
        f"{result['entries']} entries (POP909 test songs as 30-s, 120-s and whole recordings of the easy variant with "
        "the songs' own programs, so that the tempo gap is what is measured; "
        "the 3 Bach violin recordings), "
        f"{len(result['queries'])} queries: each MIDI at a global tempo factor f = recording / query length drawn "
        f"log-uniformly in its bin, with a smooth rubato warp ({QUERY_WARP}). Top-1 per bin of f (queries in "
        "brackets), each stage alone over all entries and the default pipeline; 'rate 1' = the query as written "
        "(the published matchers), 'tempo rates' = the shipped matchers, which try the query at the global "
        f"time-scalings {', '.join(f'{n}: {r}' for n, r in rates.items())} and keep each entry's best score. "
        "The pipeline rows are computed from the stage rankings with the cascade's keeps (the DTW re-ranks the "
        f"{LABELS[cascade_stage()]} stage's best {keep}, carrying its score with weight {carry:g}; with this few entries that "
        "prunes nothing, so the hash stage's own rows are what tells whether it would keep the right entry in a "
        "large index). Queries: the MIDI made into CQT frames by the product's query synthesizer (note templates). "
        "Data: `python benchmarks/bench_tempo.py --build`."
        + (" **Partial run**: only the queries answered before the run was stopped." if ANSWERED_ONLY else ""), "",
        *table(result), "",
        "Top-1 with tempo rates by kind of recording:", "", *kinds_table(result), "",
        "Time per query of each stage alone against these entries (median over queries):", "",
        *cost_table(result), "",
    ]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="only build the data (both splits)")
    parser.add_argument("--split", default="test", choices=["test", "validation"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.build:
        for split in ("validation", "test"):
            index_for(build(split, *SIZES[split])[0])
        return
    result = evaluate(args.split, args.quick)
    print("\n".join([*table(result), "", *kinds_table(result), "", *cost_table(result)]))


if __name__ == "__main__":
    main()
