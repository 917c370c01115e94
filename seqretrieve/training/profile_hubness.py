"""Fit the code profile's hubness correction (:mod:`seqretrieve.models.hubness`): reference query
windows from training songs' MIDI files, made as queries are (the product's query synthesizer,
DHS codes, the profile's windows), written with the profile's projection as a new version.

``k`` and ``weight`` were chosen on the scale benchmark's validation index (14,087 entries, 456
right entries; docs/models.md, "The code profile"): within 0.1% of N 73.9% -> 78.5%, within 1%
87.7% -> 89.5%, with k = 20 and weight 0.5 (k 5-100 and weights 0.25-1 tried).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..models.code_profile import projection_checksum
from ..models.hubness import neighbourhood
from ..models.runtime import read_card, sha256_bytes

K, WEIGHT = 20, 0.5
#: the ceiling is this many times the largest reference window's own ``weight * r`` (leave-one-out)
CEILING_FACTOR = 4


def reference_windows(profile, songs: Iterable[Path], extractor, synthesizer,
                      log: Callable[[str], None] = lambda line: None) -> np.ndarray:
    """(R, dims) float32: every query window of each MIDI file of ``songs`` under ``profile`` (a
    model without a hubness correction); a file that cannot be read is logged and skipped."""
    from ..audio.midi import load_midi
    from ..errors import SeqretrieveError
    from ..features.extract import features_from_midi

    if profile.hubness is not None:
        raise ValueError(f"{profile.name} {profile.version} already has a hubness correction: fit from one without")
    windows = []
    for song in songs:
        try:
            frames = features_from_midi(load_midi(song), extractor, synthesizer).frames
        except SeqretrieveError as exc:
            log(f"skipped {song}: {exc}")
            continue
        windows.append(profile.encode(frames, "midi"))
    if not windows:
        raise ValueError("no reference windows: none of the songs could be read")
    return np.concatenate(windows).astype(np.float32)


def write_model(source, out_root: str | Path, version: str, reference: np.ndarray, training: dict,
                k: int = K, weight: float = WEIGHT) -> dict:
    """Write ``out_root/<name>/<version>/``: the ``source`` profile folder's projection and card
    plus ``hubness.npz`` (the reference) and its card record; returns the card."""
    source, card = read_card(source)
    folder = Path(out_root) / card["name"] / version
    folder.mkdir(parents=True, exist_ok=True)
    projection = card["files"]["projection"]
    shutil.copyfile(Path(source) / projection["path"], folder / projection["path"])
    buffer = io.BytesIO()
    np.savez(buffer, reference=reference)
    (folder / "hubness.npz").write_bytes(buffer.getvalue())
    if len(reference) <= k:
        raise ValueError(f"{len(reference)} reference windows cannot give each one {k} other neighbours")
    ceiling = CEILING_FACTOR * weight * float(neighbourhood(reference, reference, k, skip_self=True).max())
    if not ceiling > 0:
        raise ValueError("the reference windows are all alike (or the weight is 0): no correction to fit")
    record = {"sha256": sha256_bytes(buffer.getvalue()), "k": k, "weight": weight, "ceiling": round(ceiling, 3)}
    card = {**card, "version": version, "dims": card["dims"] + 1,
            "hubness": {"path": "hubness.npz", **record},
            "hubness_note": f"entries [e, sqrt(ceiling - {weight} r(e))], query windows [q, 0]: squared "
                            f"distance d(q, e) - {weight} r(e) + ceiling, r(e) the mean squared distance to "
                            f"the {k} nearest of {len(reference)} reference windows (seqretrieve.models.hubness)",
            "training": {**card["training"], "hubness": training},
            "checksum": projection_checksum(card["derived_from"]["checksum"], projection["sha256"], card["window"],
                                            card["hop"], record)}
    (folder / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    return card
