"""Compare DHS models on validation songs (never test songs): where the Hamming-DTW stage ranks the
right entry, run as the cascade runs it (the shipped tempo rates and rate penalty), per model.

    python benchmarks/tune_dhs.py seqretrieve/models/dhs/1 data/models/dhs/2 [--bach] [--json]

Sets: the hard and easy 30-s excerpts of ``build_benchmark(split="validation")`` (227 entries;
the first 80 / 40 songs queried with their complete MIDI files, as in tune_dtw_rate_penalty.py).
``--bach`` adds a regression gate on the three real Bach recordings (TEST material: read it as a
gate a model must pass, never to choose between models) among the 227 easy validation entries.
Each model's codes go into its own copy of the feature-only indexes under data/tune/dhs.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from tune_dtw_rate_penalty import SETS, validation_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "tune" / "dhs"
KEEPS = (1, 10, 30, 100)


def bach_index() -> tuple[Path, list[tuple[str, str]]]:
    """The easy validation entries plus the three real Bach recordings (built once) and the
    (score MIDI, recording id) queries."""
    from bench_models import bach_violin_pairs
    from seqretrieve.index.build import build_index
    from seqretrieve.index.store import Index

    easy, _ = validation_index("easy", SETS["easy"])
    path = OUT / "index-bach"
    recordings, pairs = bach_violin_pairs(ROOT / "data" / "bench")
    if not (path / "complete").exists():
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(easy, path, ignore=shutil.ignore_patterns("lock.mdb", "*.lock"))
        build_index(recordings, str(path), workers=1, representations=False)
        (path / "complete").write_text("ok\n")
    with Index.open(path) as index:
        ids = set(index.ids())
    return path, [(str(midi), next(i for i in ids if expected in i)) for midi, expected in pairs]


def ranks(model, index_path: Path, queries) -> list[int]:
    """The right entry's Hamming-DTW rank (1 = first) for each (MIDI path, id) query, with
    ``model``'s codes written into a copy of ``index_path``."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.index.representations import add_representation
    from seqretrieve.index.store import Index
    from seqretrieve.matchers.hash_dtw import HashDTWMatcher
    from seqretrieve.matchers.tempo import with_rates
    from seqretrieve.models.plugin import HASH_RATE_PENALTY, HASH_RATES
    from seqretrieve.pipelines.search import query_synthesizer
    from seqretrieve.registry import get_registry
    from seqretrieve.types import QueryData

    copy = OUT / model.checksum[:12] / index_path.name
    if not (copy / "complete").exists():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(index_path, copy, ignore=shutil.ignore_patterns("lock.mdb", "*.lock", "complete"))
        with Index.open(copy, readonly=False) as index:
            add_representation(index, model)
        (copy / "complete").write_text("ok\n")
    inner = HashDTWMatcher(max_hits=None)
    inner._model = model
    matcher = with_rates(inner, HASH_RATES, rate_penalty=HASH_RATE_PENALTY)
    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = query_synthesizer(extractor, registry)
    found = []
    with Index.open(copy) as index:
        for midi_path, expected in queries:
            midi = load_midi(midi_path)
            query = QueryData(midi_path, midi, {extractor.name: features_from_midi(midi, extractor, synthesizer)})
            ids = [hit.id for hit in matcher.rank(query, index, None)]
            found.append(ids.index(expected) + 1)
    return found


def summary(found: list[int]) -> dict:
    return {"queries": len(found), "median_rank": float(np.median(found)), "worst": int(max(found)),
            **{f"top{keep}": int(sum(r <= keep for r in found)) for keep in KEEPS}}


def main() -> None:
    from seqretrieve.models.encoders import HashSequenceModel

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", type=Path, help="DHS model folders (card.json + TFLite files)")
    parser.add_argument("--bach", action="store_true", help="also the real Bach recordings (a test-set gate)")
    parser.add_argument("--json", action="store_true", help="one JSON line per model and set")
    args = parser.parse_args()
    sets = {}
    for preset in ("hard", "easy"):
        path, queries = validation_index(preset, SETS[preset])
        sets[preset] = (path, [(midi, expected) for midi, expected, _ in queries])
    if args.bach:
        sets["bach (test gate)"] = bach_index()
    rows = []
    for folder in args.models:
        card = json.loads((folder / "card.json").read_text())
        model = HashSequenceModel("dhs", card["version"], model_dir=str(folder))
        for name, (path, queries) in sets.items():
            row = {"model": str(folder), "checksum": model.checksum[:12], "set": name,
                   **summary(ranks(model, path, queries))}
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
    if not args.json:
        print("| model | set | queries | " + " | ".join(f"top {k}" for k in KEEPS) + " | median rank | worst |")
        print("|---|---|---|" + "---|" * len(KEEPS) + "---|---|")
        for row in rows:
            print(f"| {row['model']} | {row['set']} | {row['queries']} | "
                  + " | ".join(str(row[f"top{k}"]) for k in KEEPS) + f" | {row['median_rank']:g} | {row['worst']} |")


if __name__ == "__main__":
    main()
