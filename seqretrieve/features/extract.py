"""The feature entry points the index build, query and align commands call."""

from __future__ import annotations

import os

from ..audio.decode import DEFAULT_MAX_DURATION, load_audio
from ..audio.midi import load_midi
from ..errors import SeqretrieveError, SynthesisError
from ..types import FeatureExtractor, FeatureSequence, Synthesizer


def features_from_audio_file(
    path: str | os.PathLike,
    extractor: FeatureExtractor,
    *,
    duration: float | None = None,
    max_duration: float = DEFAULT_MAX_DURATION,
) -> FeatureSequence:
    """Decode ``path`` at the extractor's rate and extract; bad files raise InputFileError.

    ``duration``: use only the first that many seconds; ``max_duration``: refuse longer files.
    """
    samples = load_audio(path, extractor.sample_rate, duration=duration, max_duration=max_duration)
    return extractor.from_samples(samples, extractor.sample_rate)


def features_from_midi(midi, extractor: FeatureExtractor, synthesizer: Synthesizer) -> FeatureSequence:
    """Synthesize ``midi`` (a PrettyMIDI or a path) and extract, at the same frame rate as audio.

    The rendering rate is the extractor's ``midi_sample_rate`` where it has one (CQT: 11,025 Hz
    with half the hop), else its ``sample_rate``. A synthesizer with a ``frames(midi, extractor)``
    method (``cqt-templates``) makes the frames itself, without a waveform.
    """
    label = None
    if isinstance(midi, (str, os.PathLike)):
        label = str(midi)
        midi = load_midi(midi)
    rate = getattr(extractor, "midi_sample_rate", extractor.sample_rate)
    try:
        if hasattr(synthesizer, "frames"):
            return synthesizer.frames(midi, extractor)
        audio = synthesizer.render(midi, rate)
    except SeqretrieveError as exc:
        if label is None:
            raise
        raise SynthesisError(f"{label}: {exc}") from exc
    return extractor.from_samples(audio, rate)
