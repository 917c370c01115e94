"""Fixtures for the batch-matching tests: short query files (and a bad one) against the small
index, and index shards with learned representations made from the small index's entries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

#: seconds of each example query kept (shorter queries keep the tests fast)
QUERY_SECONDS = 12.0


@pytest.fixture(scope="session")
def query_dir(tmp_path_factory, example_queries) -> Path:
    """A folder of the first 4 example queries cut to QUERY_SECONDS, plus ``bad.mid`` (random bytes)."""
    import pretty_midi

    folder = tmp_path_factory.mktemp("queries")
    for path in example_queries[:4]:
        midi = pretty_midi.PrettyMIDI(str(path))
        for instrument in midi.instruments:
            instrument.notes = [note for note in instrument.notes if note.start < QUERY_SECONDS]
            for note in instrument.notes:
                note.end = min(note.end, QUERY_SECONDS)
        midi.write(str(folder / path.name))
    (folder / "bad.mid").write_bytes(np.random.default_rng(0).bytes(200))
    return folder


def copy_index(source: Path, target: Path, keep=lambda entry_id: True, distractors: int = 0) -> Path:
    """An index at ``target`` holding ``source``'s entries for which ``keep(id)`` (plus, per entry,
    ``distractors`` copies with rolled, noisy frames), encoded with the learned representations."""
    from seqretrieve.index.representations import add_all_representations
    from seqretrieve.index.store import Entry, Index

    rng = np.random.default_rng(1)
    entries = []
    with Index.open(source) as index:
        db = index.features_db()
        extractor = index.extractor
        for entry_id in index.ids():
            meta = index.metadata(entry_id)
            frames = index.get_array(db, entry_id)
            fields = {k: v for k, v in meta.items() if k not in ("row", "content_hash")}
            entries.append(Entry(entry_id, fields, {db: frames}, meta["content_hash"]))
            for copy in range(distractors):
                noisy = np.roll(frames, 50 * (copy + 1), axis=0) + rng.random(frames.shape, np.float32) * 0.3
                noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                name = f"{entry_id}-d{copy}"
                entries.append(Entry(name, {**fields, "artist": "", "title": name, "source": ""},
                                     {db: noisy.astype(np.float32)}, f"{meta['content_hash']}-d{copy}"))
    with Index.create(target) as index:
        index.set_meta("extractor", extractor)
        index.put_entries([entry for entry in entries if keep(entry.id)])
        add_all_representations(index)
    return target


@pytest.fixture(scope="session")
def shard_set(tmp_path_factory, small_index) -> tuple[Path, list[Path]]:
    """(one index of 12 entries, the same entries in 2 shards split by ``shard_of``)."""
    from seqretrieve.index.shards import shard_of

    folder = tmp_path_factory.mktemp("shards")
    whole = copy_index(small_index, folder / "whole", distractors=2)
    shards = [copy_index(small_index, folder / f"shard{i}", lambda entry_id, i=i: shard_of(entry_id, 2) == i,
                         distractors=2) for i in range(2)]
    return whole, shards
