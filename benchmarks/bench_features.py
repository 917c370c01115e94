"""Feature extraction throughput: 30 s clips, one process, against ``librosa.cqt`` alone.

Audio rows: decode (mp3 from the Bach Violin recordings, or the same audio as a 44.1 kHz stereo
wav) + mono mix + resample to 22,050 Hz + CQT features. MIDI rows: TinySoundFont rendering of
30 s of a POP909 song at 11,025 Hz + CQT features. Each time is the median of several repeats,
after one warm-up call (librosa builds its filters on the first call, ~1 s).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import numpy as np

from seqretrieve.audio.decode import load_audio
from seqretrieve.audio.midi import load_midi
from seqretrieve.features.extract import features_from_audio_file, features_from_midi
from seqretrieve.registry import get_registry
from timing import median_seconds

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
MP3 = DATA / "bach-violin" / "audio" / "john-garner_bwv1002_mov7.mp3"
MIDI_SONGS = [DATA / "pop909" / f"{n:03d}" / f"{n:03d}.mid" for n in (1, 2, 3)]
CLIP = 30.0  # seconds, an MSD preview


def first_seconds(midi, seconds: float):
    """A copy of ``midi`` keeping only the notes that end within its first ``seconds``."""
    import copy

    clip = copy.deepcopy(midi)
    for inst in clip.instruments:
        inst.notes = [n for n in inst.notes if n.end <= seconds]
        inst.control_changes = [c for c in inst.control_changes if c.time <= seconds]
        inst.pitch_bends = [b for b in inst.pitch_bends if b.time <= seconds]
    return clip


def run(quick: bool = False) -> str:
    repeats = 3 if quick else 9
    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synthesizer = registry.create("synthesizer", "tinysoundfont")
    clip_audio = load_audio(MP3, extractor.sample_rate, duration=CLIP)
    songs = [first_seconds(load_midi(p), CLIP) for p in MIDI_SONGS[: 1 if quick else 3]]
    midi_rate = extractor.midi_sample_rate

    with tempfile.TemporaryDirectory() as tmp:
        import soundfile as sf

        wav = Path(tmp) / "clip.wav"
        native = load_audio(MP3, 44100, duration=CLIP)
        sf.write(wav, np.stack([native, native], axis=1), 44100)  # stereo 44.1 kHz like a CD rip

        rows = [
            ("librosa.cqt alone (reference, 22,050 Hz samples in memory)", CLIP,
             median_seconds(lambda: extractor.magnitude(clip_audio, extractor.sample_rate, extractor.hop_length), repeats)),
            ("CQT features from samples (cqt + log + L2)", CLIP,
             median_seconds(lambda: extractor.from_samples(clip_audio, extractor.sample_rate), repeats)),
            ("decode mp3 (44.1 kHz stereo) + resample, no features", CLIP,
             median_seconds(lambda: load_audio(MP3, extractor.sample_rate, duration=CLIP), repeats)),
            ("audio: mp3 file -> features", CLIP,
             median_seconds(lambda: features_from_audio_file(MP3, extractor, duration=CLIP), repeats)),
            ("audio: wav file (44.1 kHz stereo) -> features", CLIP,
             median_seconds(lambda: features_from_audio_file(wav, extractor), repeats)),
            ("MIDI: TinySoundFont render only (11,025 Hz)", CLIP,
             statistics.mean(median_seconds(lambda s=s: synthesizer.render(s, midi_rate), repeats) for s in songs)),
            ("MIDI: render + features (PrettyMIDI in memory)", CLIP,
             statistics.mean(median_seconds(lambda s=s: features_from_midi(s, extractor, synthesizer), repeats) for s in songs)),
        ]
    reference = rows[0][2]
    lines = [
        "## Feature extraction (CQT, 30 s clips, one process)",
        "",
        f"Median of {repeats} repeats after a warm-up; ratio = time / `librosa.cqt` alone on the same 30 s "
        f"(measured in this run: {reference * 1000:.1f} ms). MIDI rows: mean over {len(songs)} POP909 songs "
        "cut to their first 30 s. Clips/s is for one core; index build runs one such process per core.",
        "",
        "| step | ms per 30 s clip | ratio to librosa.cqt | s of audio per s | clips/s (1 core) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, seconds_of_audio, seconds in rows:
        lines.append(
            f"| {label} | {seconds * 1000:.1f} | {seconds / reference:.2f} | "
            f"{seconds_of_audio / seconds:.0f} | {1 / seconds:.1f} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick=True))
