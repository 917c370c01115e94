"""Align one MIDI file to one recording and warp the MIDI's timing onto it.

MIDI -> synthesizer -> features (T_m, D); audio -> features (T_a, D), both at the extractor's
frame rate; DTW (djitw semantics) gives the path (p, q); the MIDI is warped with
``pretty_midi.PrettyMIDI.adjust_times(midi_times[p], audio_times[q])``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..audio.decode import DEFAULT_MAX_DURATION
from ..types import FeatureSequence


@dataclass(frozen=True)
class MidiAlignment:
    """The DTW result plus the matched times (seconds) and the warped MIDI.

    ``midi_times``/``audio_times``: (K,) seconds along the path; ``score``: normalised path
    cost; ``confidence`` in [0, 1], a match when >= 0.5.
    """

    midi_features: FeatureSequence
    audio_features: FeatureSequence
    path_midi: np.ndarray
    path_audio: np.ndarray
    score: float
    confidence: float
    midi_times: np.ndarray
    audio_times: np.ndarray
    aligned_midi: object

    def as_dict(self) -> dict:
        """JSON-ready summary (no arrays)."""
        from ..dtw.align import MATCH_THRESHOLD

        return {
            "score": self.score,
            "confidence": self.confidence,
            "match": self.confidence >= MATCH_THRESHOLD,
            "path_length": int(len(self.path_midi)),
            "midi_seconds": round(self.midi_features.duration, 3),
            "audio_seconds": round(self.audio_features.duration, 3),
            "midi_span": [float(self.midi_times[0]), float(self.midi_times[-1])],
            "audio_span": [float(self.audio_times[0]), float(self.audio_times[-1])],
        }


def warp_midi(midi, midi_times: np.ndarray, audio_times: np.ndarray):
    """A copy of ``midi`` whose events at ``midi_times`` move to ``audio_times`` (both (K,))."""
    unique_midi, first = np.unique(midi_times, return_index=True)
    warped = copy.deepcopy(midi)
    warped.adjust_times(unique_midi, audio_times[first])
    return warped


def scaled_to(midi, seconds: float):
    """A copy of ``midi`` uniformly sped up or slowed down so its last note ends at ``seconds``; and the factor."""
    from ..synth.common import last_note_end

    end = last_note_end(midi)
    scale = seconds / end
    scaled = copy.deepcopy(midi)
    scaled.adjust_times(np.array([0.0, end]), np.array([0.0, seconds]))
    return scaled, scale


def align_midi_to_audio(
    midi, audio_path: str, extractor, synthesizer, penalty=None, gully=0.96, band=None, fit_tempo: bool = False,
    max_duration: float = DEFAULT_MAX_DURATION,
) -> MidiAlignment:
    """Align a loaded PrettyMIDI to the recording at ``audio_path`` (refused when longer than
    ``max_duration`` seconds).

    ``fit_tempo``: first scale the MIDI to the recording's length (for a MIDI file and a recording
    of the same complete piece whose MIDI tempo is unknown or wrong); the warped MIDI is still
    derived from the original's timing.
    """
    from ..dtw.align import align_features
    from ..features.extract import features_from_audio_file, features_from_midi

    audio_features = features_from_audio_file(audio_path, extractor, max_duration=max_duration)
    scale = 1.0
    rendered = midi
    if fit_tempo:
        rendered, scale = scaled_to(midi, audio_features.duration)
    midi_features = features_from_midi(rendered, extractor, synthesizer)
    result = align_features(midi_features.frames, audio_features.frames, penalty=penalty, gully=gully, band=band)
    midi_times = result.path_query / midi_features.frame_rate / scale
    audio_times = result.path_entry / audio_features.frame_rate
    return MidiAlignment(
        midi_features=midi_features,
        audio_features=audio_features,
        path_midi=result.path_query,
        path_audio=result.path_entry,
        score=float(result.score),
        confidence=float(result.confidence),
        midi_times=midi_times,
        audio_times=audio_times,
        aligned_midi=warp_midi(midi, midi_times, audio_times),
    )
