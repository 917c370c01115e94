"""Chroma features: (T, 12) float32, one L2-normalised pitch-class profile per frame."""

from __future__ import annotations

import numpy as np

from seqretrieve.types import FeatureSequence

from . import __version__


class ChromaExtractor:
    """``librosa.feature.chroma_cqt`` at the built-in CQT's frame rate (hop 1,024 at 22,050 Hz)."""

    name = "chroma"

    def __init__(self, sample_rate: int = 22050, hop_length: int = 1024, n_octaves: int = 4):
        self.sample_rate = sample_rate
        self.hop_length = hop_length
        self.n_octaves = n_octaves
        self.frame_rate = sample_rate / hop_length

    def params(self) -> dict:
        """Everything that changes the output (stored in the index's meta record)."""
        return {"version": __version__, "sample_rate": self.sample_rate,
                "hop_length": self.hop_length, "n_octaves": self.n_octaves}

    def from_samples(self, samples: np.ndarray, sample_rate: int) -> FeatureSequence:
        """``samples``: (n,) float32 mono -> FeatureSequence with frames (T, 12)."""
        import librosa

        if sample_rate != self.sample_rate:
            samples = librosa.resample(samples, orig_sr=sample_rate, target_sr=self.sample_rate, res_type="soxr_hq")
        chroma = librosa.feature.chroma_cqt(
            y=samples, sr=self.sample_rate, hop_length=self.hop_length,
            fmin=librosa.midi_to_hz(36), n_octaves=self.n_octaves, norm=None,
        ).T.astype(np.float32)
        chroma = np.log1p(100.0 * chroma)
        chroma += 1e-6  # silent frames stay finite under cosine distance
        chroma /= np.linalg.norm(chroma, axis=1, keepdims=True)
        return FeatureSequence(chroma, self.frame_rate, self.name, self.params())
