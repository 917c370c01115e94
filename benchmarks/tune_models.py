"""Compare learned representations on validation songs (never test songs): where each cascade
stage, run alone over every entry as the cascade runs it, ranks the right entry, per model set.

    python benchmarks/tune_models.py [--dhs DIR] [--pse DIR] [--profile DIR] [--bach] [--json]

Each of ``--dhs``, ``--pse`` and ``--profile`` is a model folder (default: the shipped one; a
profile must be fitted on the DHS given). Stages: the code profile's nearest window (stage 1),
Hamming DTW alone, Hamming DTW fused with the PSE distance as in the cascade's stage 2, the PSE
alone; Hamming DTW with the shipped tempo rates and rate penalty.
Sets: the hard and easy 30-s excerpts of ``build_benchmark(split="validation")`` (227 entries;
the first 80 / 40 songs queried with their complete MIDI files, as in tune_dtw_rate_penalty.py),
the hard excerpts rendered with the Debian training SoundFonts instead of the default one (timbres
a model may train on; the shipped DHS v1 and PSE v2 never did), and bench_tempo's validation
queries (0.45-2.3x off the recording's tempo) among the easy entries.
``--bach`` adds a regression gate on the three real Bach recordings (TEST material: read it as a
gate a model must pass, never to choose between models) among the 227 easy validation entries.
The models' encodings go into a copy of the feature-only indexes per model set (data/tune/models).
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

import bench_models  # noqa: E402
import bench_tempo  # noqa: E402
from tune_dtw_rate_penalty import SETS, validation_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "tune" / "models"
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


def fonts_index(preset: str, n_queries: int) -> tuple[Path, list[tuple[str, str]]]:
    """The 227 validation songs' ``preset`` excerpts rendered with the Debian training SoundFonts
    (one drawn per song) instead of the default one (built once), and the first ``n_queries``
    songs' (MIDI, id) queries: the same songs in timbres a model may train on."""
    from seqretrieve.corpus.fonts import available_fonts
    from seqretrieve.evaluation.pop909 import entry_id, render_excerpt
    from seqretrieve.index.build import build_index
    from seqretrieve.registry import get_registry
    from seqretrieve.training.split import pop909_songs

    path = OUT / f"index-fonts-{preset}"
    songs = pop909_songs(bench_tempo.SHARED / "pop909", "validation")[:227]
    if not (path / "complete").exists():
        registry = get_registry()
        fonts = [registry.create("synthesizer", "tinysoundfont", soundfont=str(font))
                 for name, font in sorted(available_fonts().items()) if name != "timgm6mb"]
        rng = np.random.default_rng(20261202)
        recordings = []
        for song in songs:
            out = OUT / f"fonts-{preset}" / f"{entry_id(song)}.wav"
            synthesizer = fonts[int(rng.integers(len(fonts)))]
            if not out.exists():
                render_excerpt(song, out, synthesizer, seed=int(song.stem), seconds=30.0, preset=preset)
            recordings.append(str(out))
        shutil.rmtree(path, ignore_errors=True)
        build_index(recordings, str(path), workers=1, representations=False)
        (path / "complete").write_text("ok\n")
    return path, [(str(song), entry_id(song)) for song in songs[:n_queries]]


def load_models(dhs: Path | None, pse: Path | None, profile: Path | None) -> dict:
    """name -> model object: the folders given, else the shipped models."""
    from seqretrieve.matchers.embedding import shared_model
    from seqretrieve.models.code_profile import CodeProfileModel
    from seqretrieve.models.encoders import EmbeddingModel, HashSequenceModel

    hash_model = shared_model("dhs") if dhs is None else HashSequenceModel.from_folder(dhs)
    return {
        "dhs": hash_model,
        "pse": shared_model("pse") if pse is None else EmbeddingModel.from_folder(pse),
        "profile": (shared_model("profile") if profile is None and dhs is None else
                    CodeProfileModel(hash_model, model_dir=profile)),
    }


def stage_matchers(models: dict) -> dict:
    """Stage name -> matcher over every entry as the registry makes it (each stage as the cascade
    runs it), using ``models``."""
    from seqretrieve.models.plugin import CASCADE_EMBEDDING_WEIGHT
    from seqretrieve.registry import get_registry

    registry = get_registry()

    def given(matcher):
        inner = getattr(matcher, "inner", matcher)
        for part in (inner, getattr(inner, "embedding", None)):
            if part is not None:
                part._model = models[part.representation]
        return matcher

    return {
        "profile (stage 1)": given(registry.create("matcher", "embedding", representation="profile", max_hits=None)),
        "hamming dtw": given(registry.create("matcher", "hash-dtw")),
        "hamming dtw + pse (stage 2)": given(registry.create("matcher", "hash-dtw",
                                                            embedding_weight=CASCADE_EMBEDDING_WEIGHT)),
        "pse": given(registry.create("matcher", "embedding", max_hits=None)),
    }


def ranks(models: dict, index_path: Path, queries) -> dict[str, list[int]]:
    """Stage name -> the right entry's rank (1 = first) for each (MIDI path, id) query, with the
    models' encodings written into a copy of ``index_path``."""
    from seqretrieve.index.representations import add_representation
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import query_synthesizer
    from seqretrieve.registry import get_registry

    tag = "-".join(models[name].checksum[:8] for name in ("dhs", "pse", "profile"))
    copy = OUT / tag / index_path.name
    if not (copy / "complete").exists():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(index_path, copy, ignore=shutil.ignore_patterns("lock.mdb", "*.lock", "complete"))
        with Index.open(copy, readonly=False) as index:
            for name in ("dhs", "pse", "profile"):
                add_representation(index, models[name])
        (copy / "complete").write_text("ok\n")
    matchers = stage_matchers(models)
    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = query_synthesizer(extractor, registry)
    found = {stage: [] for stage in matchers}
    with Index.open(copy) as index:
        for query, expected in bench_models._queries(queries, extractor, synthesizer):
            for stage, matcher in matchers.items():
                ids = [hit.id for hit in matcher.rank(query, index, None)]
                found[stage].append(ids.index(expected) + 1)
    return found


def summary(found: list[int]) -> dict:
    return {"queries": len(found), "median_rank": float(np.median(found)), "worst": int(max(found)),
            **{f"top{keep}": int(sum(r <= keep for r in found)) for keep in KEEPS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("dhs", "pse", "profile"):
        parser.add_argument(f"--{name}", type=Path, help=f"{name} model folder (default: the shipped one)")
    parser.add_argument("--bach", action="store_true", help="also the real Bach recordings (a test-set gate)")
    parser.add_argument("--json", action="store_true", help="one JSON line per set and stage")
    args = parser.parse_args()
    if args.dhs is not None and args.profile is None:
        parser.error("a new --dhs needs a --profile fitted on it (seqretrieve train profile --dhs ...)")
    models = load_models(args.dhs, args.pse, args.profile)
    label = " ".join(f"{name} {models[name].checksum[:8]}" for name in ("dhs", "pse", "profile"))
    sets = {}
    for preset in ("hard", "easy"):
        path, queries = validation_index(preset, SETS[preset])
        sets[preset] = (path, [(midi, expected) for midi, expected, _ in queries])
    sets["hard, training fonts"] = fonts_index("hard", SETS["hard"])
    _, tempo_queries = bench_tempo.build("validation", *bench_tempo.SIZES["validation"])
    sets["tempo"] = (sets["easy"][0], [(str(query.midi), query.expected) for query in tempo_queries])
    if args.bach:
        sets["bach (test gate)"] = bach_index()
    rows = []
    for name, (path, queries) in sets.items():
        for stage, found in ranks(models, path, queries).items():
            rows.append({"models": label, "set": name, "stage": stage, **summary(found)})
            if args.json:
                print(json.dumps(rows[-1]), flush=True)
    if not args.json:
        print(f"models: {label}")
        print("| set | stage | queries | " + " | ".join(f"top {k}" for k in KEEPS) + " | median rank | worst |")
        print("|---|---|---|" + "---|" * len(KEEPS) + "---|---|")
        for row in rows:
            print(f"| {row['set']} | {row['stage']} | {row['queries']} | "
                  + " | ".join(str(row[f"top{k}"]) for k in KEEPS) + f" | {row['median_rank']:g} | {row['worst']} |")


if __name__ == "__main__":
    main()
