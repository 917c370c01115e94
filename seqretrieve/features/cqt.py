"""Constant-Q spectrogram features as in Raffel & Ellis (GUIDE section 1.1).

``librosa.cqt`` magnitudes, fmin = MIDI 36 (C2), 48 bins at 12 per octave; audio at 22,050 Hz
with hop 1,024 (21.53 frames/s). MIDI renderings come at 11,025 Hz with hop 512: same frame
rate, half the work. Log amplitude exactly as the published ``librosa.logamplitude(|C|,
ref_power=max)``, today ``librosa.power_to_db(|C|, ref=np.max, amin=1e-10, top_db=80)``:
``10 log10(max(|C|, 1e-10) / max|C|)`` clipped at -80, then each frame L2-normalised so that
cosine distance is ``1 - X @ Y.T``.

Silence: a frame quieter than the clip floor is the constant vector -80 -> ``-1/sqrt(48)`` in
every bin, so silent frames match each other (distance 0) and stay finite. Only an all-zero
input gives all-equal (0 dB) bins; the norm has a floor of 1e-8, so those frames become zeros
(distance 1 to everything), never NaN.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..types import FeatureSequence

VERSION = "1"

AMIN = 1e-10  # magnitude floor of the log, as librosa.logamplitude
TOP_DB = 80.0  # dynamic range kept below each clip's maximum
NORM_FLOOR = 1e-8  # smallest frame norm divided by; keeps an all-equal frame finite


class CQTExtractor:
    """Log-amplitude, frame-normalised CQT: (n,) audio -> (T, n_bins) float32.

    ``from_samples`` accepts ``sample_rate`` itself or any rate whose hop
    ``hop_length * rate / sample_rate`` is a whole number (e.g. 11,025 Hz -> hop 512), keeping
    the frame rate; other rates are resampled to ``sample_rate`` first.
    """

    name = "cqt"

    def __init__(
        self,
        sample_rate: int = 22050,
        hop_length: int = 1024,
        fmin_midi: int = 36,
        n_bins: int = 48,
        bins_per_octave: int = 12,
        midi_sample_rate: int = 11025,
    ):
        self.sample_rate = int(sample_rate)
        self.hop_length = int(hop_length)
        self.fmin_midi = int(fmin_midi)
        self.n_bins = int(n_bins)
        self.bins_per_octave = int(bins_per_octave)
        self.midi_sample_rate = int(midi_sample_rate)
        self.frame_rate = self.sample_rate / self.hop_length

    def params(self) -> dict[str, Any]:
        """Every parameter that changes the frames (stored with each FeatureSequence)."""
        return {
            "name": self.name,
            "version": VERSION,
            "sample_rate": self.sample_rate,
            "hop_length": self.hop_length,
            "fmin_midi": self.fmin_midi,
            "n_bins": self.n_bins,
            "bins_per_octave": self.bins_per_octave,
            "midi_sample_rate": self.midi_sample_rate,
            "log": {"amin": AMIN, "top_db": TOP_DB, "ref": "max", "scale": "10log10(magnitude)"},
            "norm": "l2-per-frame",
        }

    def hop_for(self, rate: int) -> int | None:
        """The hop giving this extractor's frame rate at ``rate``, or None if not a whole number."""
        hop = self.hop_length * rate / self.sample_rate
        return int(hop) if hop == int(hop) and hop >= 1 else None

    def from_samples(self, samples: np.ndarray, sample_rate: int) -> FeatureSequence:
        """(n,) float32 mono at ``sample_rate`` -> FeatureSequence of (T, n_bins) float32."""
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"expected mono (n,) samples, got shape {samples.shape}")
        hop = self.hop_for(sample_rate)
        if hop is None:
            from ..audio.decode import resample

            samples, sample_rate, hop = resample(samples, sample_rate, self.sample_rate), self.sample_rate, self.hop_length
        magnitude = self.magnitude(samples, sample_rate, hop)
        frames = normalise_frames(log_amplitude(magnitude).T)
        return FeatureSequence(frames, self.frame_rate, self.name, self.params())

    def magnitude(self, samples: np.ndarray, sample_rate: int, hop: int) -> np.ndarray:
        """(n_bins, T) |CQT| of (n,) ``samples``."""
        import librosa

        with warnings.catch_warnings():
            # very short inputs make librosa warn that its filters are longer than the signal
            warnings.simplefilter("ignore", UserWarning)
            spectrum = librosa.cqt(
                samples,
                sr=sample_rate,
                hop_length=hop,
                fmin=librosa.midi_to_hz(self.fmin_midi),
                n_bins=self.n_bins,
                bins_per_octave=self.bins_per_octave,
            )
        return np.abs(spectrum)


def log_amplitude(magnitude: np.ndarray) -> np.ndarray:
    """(B, T) magnitudes -> (B, T) float32 ``10 log10(|C| / max)``, clipped at ``-TOP_DB``
    (librosa's ``power_to_db`` with the published reference, floor and range)."""
    import librosa

    return librosa.power_to_db(magnitude, ref=np.max, amin=AMIN, top_db=TOP_DB).astype(np.float32)


def normalise_frames(frames: np.ndarray) -> np.ndarray:
    """(T, D) -> (T, D) float32 C-contiguous, each row divided by max(its L2 norm, NORM_FLOOR)."""
    norms = np.linalg.norm(frames, axis=1, keepdims=True)
    return np.ascontiguousarray(frames / np.maximum(norms, NORM_FLOOR), dtype=np.float32)
