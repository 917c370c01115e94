"""``match --aligned DIR``: the MIDI file warped onto a matched recording's timing.

Written as ``DIR/<entry id>/<md5 of the MIDI file>.mid`` (the layout of the published
LMD-aligned set), so every file traces back to its recording and its source MIDI file; the
query's synthesized features are reused and the recording's come from the index (no audio
is decoded).
"""

from __future__ import annotations

import os
import re

from ..types import QueryData


def aligned_name(directory: str, entry_id: str, md5: str) -> str:
    """``directory/<entry id>/<md5>.mid``, with characters unsafe in a file name replaced by ``_``."""
    safe = re.sub(r"[^\w.+-]", "_", entry_id).lstrip(".") or "_"
    return os.path.join(directory, safe, f"{md5}.mid")


def write_aligned(query: QueryData, shards, entry_id: str, md5: str, directory: str) -> str:
    """Align the prepared ``query`` to entry ``entry_id``'s stored features and write the warped
    MIDI (atomically: a temporary file renamed); returns its path."""
    from ..alignment.midi_to_audio import warp_midi
    from ..dtw.align import align_features

    index = shards.shard_holding(entry_id)
    features = next(iter(query.features.values()))
    entry_frames = index.get_array(index.features_db(), entry_id)
    rate = index.extractor["frame_rate"]
    result = align_features(features.frames, entry_frames)
    warped = warp_midi(query.midi, result.path_query / features.frame_rate, result.path_entry / rate)
    path = aligned_name(directory, entry_id, md5)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    warped.write(temporary)
    os.replace(temporary, path)
    return path
