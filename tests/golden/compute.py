"""What the golden files hold, computed from the current code for one example song.

Song ``pop909-004`` of ``examples/queries``: its synthesized MIDI's CQT frames (query side), its
recording's stored CQT frames (the ``small_index`` entry: other programs, tempo warp, noise), the
DTW path, cost, score and confidence between them, both sides' DHS hash codes and their Hamming
DTW score, both sides' PSE embeddings, and the ``cascade`` ranking of every example query
against that index (each stage's ranks, the final scores). ``make.py`` writes these values;
``test_golden.py`` recomputes and compares them within the tolerances it states.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ARRAYS = HERE / "pop909-004.npz"
CASCADE = HERE / "cascade.json"
SONG = "pop909-004"


def song_values(index_path: Path, queries: list[Path]) -> dict[str, np.ndarray]:
    """Frames, DTW, codes and embeddings of ``SONG`` (query MIDI vs its entry in the index)."""
    from seqretrieve.dtw.align import align_codes, align_features, score_codes, score_features
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.index.store import Index
    from seqretrieve.registry import get_registry

    registry = get_registry()
    midi = next(path for path in queries if path.stem == SONG)
    extractor = registry.create("feature_extractor", "cqt")
    query = features_from_midi(midi, extractor, registry.create("synthesizer", "tinysoundfont")).frames
    with Index.open(index_path) as index:
        entry = index.get_array(index.features_db(), SONG)
    aligned = align_features(query, entry)
    dhs = registry.create("representation", "dhs")
    pse = registry.create("representation", "pse")
    query_codes, entry_codes = dhs.encode(query, "midi"), dhs.encode(entry, "audio")
    return {
        "query_frames": query,
        "entry_frames": entry,
        "dtw_path": np.stack([aligned.path_query, aligned.path_entry]),
        "dtw_cost_score_confidence": np.array([aligned.cost, aligned.score, aligned.confidence]),
        "dtw_score_only": np.array(score_features(query, entry)),
        "query_codes": query_codes,
        "entry_codes": entry_codes,
        "codes_score": np.array([score_codes(query_codes, entry_codes),
                                 align_codes(query_codes, entry_codes).score]),
        "query_embedding": pse.encode(query, "midi"),
        "entry_embedding": pse.encode(entry, "audio"),
    }


def cascade_values(index_path: Path, queries: list[Path], workdir: Path) -> dict[str, dict]:
    """Query path stem -> per-stage ranks and the final (id, score, confidence) of ``cascade``,
    on a copy of the index given the learned representations it lacks."""
    from seqretrieve.index.representations import add_all_representations
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import Searcher

    copy = workdir / "golden-index"
    if not copy.exists():
        shutil.copytree(index_path, copy)
        with Index.create(copy) as index:
            add_all_representations(index)
    out = {}
    with Index.open(copy) as index:
        searcher = Searcher(index, pipeline="cascade")
        for midi in queries:
            result = searcher.search(str(midi), top=len(index))
            out[midi.stem] = {
                "stages": [{"matcher": stage.matcher, "ranks": stage.ranks} for stage in result.stages],
                "hits": [[hit.id, hit.score, hit.confidence] for hit in result.hits],
            }
    return out
