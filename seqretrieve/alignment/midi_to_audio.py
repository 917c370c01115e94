"""Align one MIDI file to one recording and warp the MIDI's timing onto it.

MIDI -> synthesizer -> features (T_m, D); audio -> features (T_a, D), both at the extractor's
frame rate; DTW (djitw semantics) gives the path (p, q); the MIDI is warped with
``pretty_midi.PrettyMIDI.adjust_times(midi_times[p], audio_times[q])``, extended linearly at the
path's mean slope so that notes before or after the path are kept (and counted).

Global tempo: the MIDI is first aligned as written. When the path spans less than
:data:`MIN_COVERAGE` of either side, the MIDI's tempo is probably off: the rate (recording
seconds per MIDI second) is searched among ``rates`` and the length ratio of the two sides on
resampled frames, refined by the best path's slope, the MIDI re-rendered at that rate and
aligned again; the better-scoring alignment of the two is kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..audio.decode import DEFAULT_MAX_DURATION
from ..dtw.defaults import GULLY
from ..dtw.rates import DEFAULT_RATES, resample_frames
from ..types import FeatureSequence

#: share of each side the path must span before the tempo as written is trusted
MIN_COVERAGE = 0.95


@dataclass(frozen=True)
class MidiAlignment:
    """The DTW result plus the matched times (seconds) and the warped MIDI.

    ``midi_times``/``audio_times``: (K,) seconds along the path, MIDI times as written;
    ``midi_features``: the MIDI rendered at ``rate`` (recording seconds per MIDI second, 1 = as
    written); ``score``: normalised path cost; ``confidence`` in [0, 1], a match when >= 0.5;
    ``notes``/``notes_extrapolated``: notes in the MIDI / of those outside the path, placed by
    extending it at its mean slope.
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
    rate: float = 1.0
    notes: int = 0
    notes_extrapolated: int = 0

    def as_dict(self) -> dict:
        """JSON-ready summary (no arrays)."""
        from ..dtw.align import MATCH_THRESHOLD

        return {
            "score": self.score,
            "confidence": self.confidence,
            "match": self.confidence >= MATCH_THRESHOLD,
            "path_length": int(len(self.path_midi)),
            "rate": round(self.rate, 4),
            "notes": self.notes,
            "notes_extrapolated": self.notes_extrapolated,
            "midi_seconds": round(self.midi_features.duration / self.rate, 3),
            "audio_seconds": round(self.audio_features.duration, 3),
            "midi_span": [float(self.midi_times[0]), float(self.midi_times[-1])],
            "audio_span": [float(self.audio_times[0]), float(self.audio_times[-1])],
        }


def note_onsets(midi) -> np.ndarray:
    """Onsets (n,) seconds of every note of every instrument."""
    return np.array([note.start for inst in midi.instruments for note in inst.notes], np.float64)


def warp_midi(midi, midi_times: np.ndarray, audio_times: np.ndarray):
    """A copy of ``midi`` whose events at ``midi_times`` move to ``audio_times`` (both (K,));
    events before or after the path move at its mean slope (times below 0 become 0)."""
    unique_midi, first = np.unique(midi_times, return_index=True)
    audio = audio_times[first]
    slope = (audio[-1] - audio[0]) / (unique_midi[-1] - unique_midi[0]) if len(unique_midi) > 1 else 1.0
    end = max(midi.get_end_time(), unique_midi[-1]) + 1.0
    original = np.concatenate([[0.0] if unique_midi[0] > 0 else [], unique_midi, [end]])
    new = np.concatenate([[max(audio[0] - unique_midi[0] * slope, 0.0)] if unique_midi[0] > 0 else [],
                          audio, [audio[-1] + (end - unique_midi[-1]) * slope]])
    warped = copy.deepcopy(midi)
    warped.adjust_times(original, new)
    return warped


def scaled_by(midi, rate: float):
    """A copy of ``midi`` played ``rate`` times as long (every time multiplied by ``rate``)."""
    if rate == 1.0:
        return midi
    end = max(midi.get_end_time(), 1e-3)
    scaled = copy.deepcopy(midi)
    scaled.adjust_times(np.array([0.0, end]), np.array([0.0, end * rate]))
    return scaled


def scaled_to(midi, seconds: float):
    """A copy of ``midi`` uniformly sped up or slowed down so its last note ends at ``seconds``; and the factor."""
    from ..synth.common import last_note_end

    scale = seconds / last_note_end(midi)
    return scaled_by(midi, scale), scale


@dataclass(frozen=True)
class _Candidate:
    """One alignment of the MIDI rendered at ``rate`` (path indices in its frames)."""

    rate: float
    features: FeatureSequence
    result: object  # seqretrieve.dtw.align.AlignmentResult

    def coverage(self, audio_frames: int) -> float:
        """The smaller share of either side's frames that the path spans."""
        p, q = self.result.path_query, self.result.path_entry
        return min((p[-1] - p[0] + 1) / len(self.features.frames), (q[-1] - q[0] + 1) / audio_frames)


def _align_at(midi, rate, audio_features, extractor, synthesizer, options) -> _Candidate:
    from ..dtw.align import align_features
    from ..features.extract import features_from_midi

    features = features_from_midi(scaled_by(midi, rate), extractor, synthesizer)
    return _Candidate(rate, features, align_features(features.frames, audio_features.frames, **options))


def search_rate(midi_frames: np.ndarray, audio_frames: np.ndarray, rates, options) -> float:
    """The global rate (recording / MIDI seconds) that aligns best: the best-scoring of ``rates``
    and the length ratio on resampled frames, times the slope of that rate's path."""
    from ..dtw.align import align_features, score_features

    tried = sorted({*map(float, rates), len(audio_frames) / len(midi_frames)})
    scores = [score_features(resample_frames(midi_frames, r), audio_frames, **options)[0] for r in tried]
    best = tried[int(np.argmin(scores))]
    path = align_features(resample_frames(midi_frames, best), audio_frames, **options)
    p, q = path.path_query, path.path_entry
    slope = (q[-1] - q[0]) / (p[-1] - p[0]) if p[-1] > p[0] else 1.0
    return best * float(np.clip(slope, 0.5, 2.0))


def align_midi_to_audio(
    midi, audio_path: str, extractor, synthesizer, penalty=None, gully=GULLY, band=None,
    fit_tempo: bool = False, rates=DEFAULT_RATES, max_duration: float = DEFAULT_MAX_DURATION,
) -> MidiAlignment:
    """Align a loaded PrettyMIDI to the recording at ``audio_path`` (refused when longer than
    ``max_duration`` seconds).

    ``fit_tempo``: align only the MIDI scaled to the recording's length (a MIDI file and a
    recording of the same complete piece); otherwise the tempo is searched among ``rates`` when
    the path as written covers too little (empty ``rates``: never). The warped MIDI is derived
    from the original's timing.
    """
    from ..features.extract import features_from_audio_file
    from ..synth.common import last_note_end

    audio_features = features_from_audio_file(audio_path, extractor, max_duration=max_duration)
    options = {"penalty": penalty, "gully": gully, "band": band}
    first_rate = audio_features.duration / last_note_end(midi) if fit_tempo else 1.0
    best = _align_at(midi, first_rate, audio_features, extractor, synthesizer, options)
    if not fit_tempo and rates and best.coverage(len(audio_features.frames)) < MIN_COVERAGE:
        rate = search_rate(best.features.frames, audio_features.frames, rates, options)
        other = _align_at(midi, rate, audio_features, extractor, synthesizer, options)
        if other.result.score < best.result.score:
            best = other
    return _midi_alignment(midi, best, audio_features)


def _midi_alignment(midi, chosen: _Candidate, audio_features: FeatureSequence) -> MidiAlignment:
    result = chosen.result
    midi_times = result.path_query / chosen.features.frame_rate / chosen.rate
    audio_times = result.path_entry / audio_features.frame_rate
    onsets = note_onsets(midi)
    outside = int(np.sum((onsets < midi_times[0]) | (onsets > midi_times[-1])))
    return MidiAlignment(
        midi_features=chosen.features,
        audio_features=audio_features,
        path_midi=result.path_query,
        path_audio=result.path_entry,
        score=float(result.score),
        confidence=float(result.confidence),
        midi_times=midi_times,
        audio_times=audio_times,
        aligned_midi=warp_midi(midi, midi_times, audio_times),
        rate=float(chosen.rate),
        notes=len(onsets),
        notes_extrapolated=outside,
    )
