"""Render a window of a MIDI file as a "recording": changed programs, a tempo factor and a smooth
warp (:func:`seqretrieve.synth.variants.make_variant`), one of the training SoundFonts, then EQ,
reverb and noise (:func:`seqretrieve.training.data.augment`) and optionally lossy MP3 coding.

Only the window (plus a lead-in, so notes sounding at its start have their attack and body) is
synthesized, which makes a 30-s excerpt of a 4-minute song ~8x cheaper than rendering it whole.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

#: seconds rendered before a window so notes already sounding at its start are heard
LEAD_IN = 2.0


@dataclass(frozen=True)
class Excerpt:
    """Mono audio ``samples`` (n,) float32 at ``sample_rate`` and how it was made."""

    samples: np.ndarray
    sample_rate: int
    info: dict


def crop(midi, start: float, stop: float):
    """A new PrettyMIDI holding the notes of ``midi`` sounding in [start, stop), times shifted
    by -start (a note that began earlier starts at 0), with the controls and bends that apply
    there. Builds new objects instead of deep-copying the whole piece."""
    import pretty_midi

    out = pretty_midi.PrettyMIDI(resolution=midi.resolution)
    for inst in midi.instruments:
        notes = [pretty_midi.Note(n.velocity, n.pitch, max(n.start, start) - start, min(n.end, stop) - start)
                 for n in inst.notes if n.end > start and n.start < stop]
        if not notes:
            continue
        copy = pretty_midi.Instrument(inst.program, inst.is_drum, inst.name)
        copy.notes = notes
        copy.control_changes = _from_window(inst.control_changes, start, stop,
                                            lambda e, t: pretty_midi.ControlChange(e.number, e.value, t))
        copy.pitch_bends = _from_window(inst.pitch_bends, start, stop, lambda e, t: pretty_midi.PitchBend(e.pitch, t))
        out.instruments.append(copy)
    return out


def _from_window(events: list, start: float, stop: float, make) -> list:
    """New events for those inside the window, shifted, plus the last one before it (at 0) per
    kind; ``make(event, time)`` builds one."""
    before: dict = {}
    inside = []
    for event in sorted(events, key=lambda e: e.time):
        if event.time < start:
            before[getattr(event, "number", None)] = event
        elif event.time < stop:
            inside.append(make(event, event.time - start))
    return [make(event, 0.0) for event in before.values()] + inside


@dataclass(frozen=True)
class ExcerptVariant:
    """What :func:`render_excerpt` renders: the changed window ``variant`` of the original from
    ``start - lead`` on, its ``time_map`` (window seconds -> variant seconds) and the excerpt's
    ``start`` in the original (the recording begins at ``time_map(lead)`` of the variant)."""

    variant: object
    time_map: object
    start: float
    lead: float

    @property
    def recording_start(self) -> float:
        """The variant's second at which the recording begins."""
        return max(float(self.time_map(self.lead)), 0.0)

    def recording_seconds(self, original) -> np.ndarray:
        """Seconds into the recording at which the original's seconds ``original`` (array) sound."""
        return self.time_map(np.asarray(original) - (self.start - self.lead)) - self.recording_start


def excerpt_variant(midi, rng: np.random.Generator, seconds: float = 30.0, preset: str = "hard",
                    tempo: float = 1.0) -> ExcerptVariant:
    """The random window of ``midi`` and its variant that :func:`render_excerpt` renders, drawing
    the same numbers from ``rng`` (so an excerpt's exact timing can be rebuilt from its seed
    without rendering it)."""
    from ..audio.midi import check_midi_content
    from ..synth.variants import make_variant

    span = seconds * tempo * 1.3  # original seconds that surely cover the excerpt after the warp
    end = max((note.end for inst in midi.instruments for note in inst.notes), default=0.0)
    start = float(rng.uniform(0.0, max(end - span, 0.0)))
    lead = min(LEAD_IN * tempo, start)
    window = crop(midi, start - lead, start + span)
    check_midi_content(window, "window")
    variant, time_map = make_variant(window, int(rng.integers(2**31)), preset=preset, programs="shift",
                                     tempo_scale=tempo, crop=0.0)
    return ExcerptVariant(variant, time_map, start, lead)


def render_excerpt(midi, synthesizer, rng: np.random.Generator, seconds: float = 30.0,
                   sample_rate: int = 22050, preset: str = "hard", tempo: float = 1.0,
                   lossy_probability: float = 0.0) -> Excerpt:
    """A ``seconds``-long "recording" of a random window of ``midi`` (shorter if the piece is).

    The window is cut from the original first (with a lead-in and room for the warp), then
    changed with ``make_variant`` (``preset``'s programs, warp, dropped instrument, velocities;
    no end crops) at ``tempo`` (> 1 plays faster; :func:`excerpt_variant`), rendered, augmented
    and, with probability ``lossy_probability``, MP3-coded at 64-128 kbps (as Million Song
    Dataset previews). Raises SeqretrieveError subclasses when the window cannot be rendered (no
    notes, silence).
    """
    from ..training.data import augment

    made = excerpt_variant(midi, rng, seconds, preset, tempo)
    skip = int(made.recording_start * sample_rate)
    audio = synthesizer.render(made.variant, sample_rate)[skip : skip + int(seconds * sample_rate)]
    audio = augment(audio, sample_rate, rng)
    lossy = bool(rng.random() < lossy_probability)
    if lossy:
        audio = mp3_round_trip(audio, sample_rate, float(rng.uniform(0.3, 0.6)))
    info = {"start": round(made.start, 3), "seconds": round(len(audio) / sample_rate, 3), "tempo": round(tempo, 4),
            "preset": preset, "lossy": lossy}
    return Excerpt(audio, sample_rate, info)


def mp3_round_trip(samples: np.ndarray, sample_rate: int, compression: float) -> np.ndarray:
    """(n,) float32 audio encoded as MP3 (libsndfile; ``compression`` 0 = best quality) and
    decoded back (libsndfile removes the coder's delay), cut or zero-padded to n samples."""
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, samples, sample_rate, format="MP3", compression_level=compression, bitrate_mode="CONSTANT")
    buffer.seek(0)
    decoded, _ = soundfile.read(buffer, dtype="float32")
    out = np.zeros(len(samples), dtype=np.float32)
    out[: min(len(decoded), len(samples))] = decoded[: len(samples)]
    return out
