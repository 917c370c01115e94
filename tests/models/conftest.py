"""A tiny real index for the models tests: variants of example songs with both representations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def rendered():
    """(extractor, synthesizer, [(song id, MIDI features (T, 48), recording features (T', 48))])
    for 6 example songs; the recording is a rendered ``make_variant`` copy."""
    from seqretrieve.audio.midi import load_midi
    from seqretrieve.features.extract import features_from_midi
    from seqretrieve.registry import get_registry
    from seqretrieve.synth.variants import make_variant

    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = registry.create("synthesizer", "tinysoundfont")
    songs = []
    paths = sorted((EXAMPLES / "queries").glob("*.mid"))[:3] + sorted((EXAMPLES / "distractors").glob("*.mid"))[:3]
    for seed, path in enumerate(paths):
        midi = load_midi(path)
        variant, _ = make_variant(midi, seed, preset="easy", programs="shift")
        recording = extractor.from_samples(synthesizer.render(variant, extractor.sample_rate), extractor.sample_rate)
        songs.append((path.stem, features_from_midi(midi, extractor, synthesizer), recording.frames))
    return extractor, synthesizer, songs


@pytest.fixture(scope="session")
def tiny_index(tmp_path_factory, rendered):
    """Path of an index of the 6 recordings' CQT features with "dhs", "pse" and "profile" added."""
    from seqretrieve.index.representations import add_representation
    from seqretrieve.index.store import Entry, Index
    from seqretrieve.registry import get_registry

    extractor, _, songs = rendered
    path = tmp_path_factory.mktemp("models-index") / "index"
    with Index.create(path) as index:
        index.set_meta("extractor", {"name": "cqt", "params": extractor.params(), "frame_rate": extractor.frame_rate})
        index.put_entries([Entry(song, {"artist": "", "title": song}, {"features:cqt": frames}, f"h{song}")
                           for song, _, frames in songs])
        for name in ("dhs", "pse", "profile"):
            add_representation(index, get_registry().create("representation", name))
    return path


def query_for(song_features) -> "QueryData":  # noqa: F821
    """A QueryData holding already computed MIDI features."""
    from seqretrieve.types import QueryData

    return QueryData(path="query.mid", midi=None, features={"cqt": song_features})


@pytest.fixture
def rng():
    return np.random.default_rng(0)
