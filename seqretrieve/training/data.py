"""Training pairs aligned by construction: each song rendered as "MIDI" and as a "recording".

MIDI side: the song as is, default synthesizer, the extractor's MIDI rate (as queries are made).
Recording side: a ``make_variant`` copy (preset "hard" or "easy" by coin flip, tempo x 0.8-1.25,
warp, crop, other programs, dropped instrument) rendered at the extractor's audio rate, then
augmented (random EQ tilt, reverb half the time, noise at 10-40 dB SNR). The variant's time map
gives the audio frame aligned with every MIDI frame; MIDI frames that fall in a cropped region
are dropped. No TensorFlow needed here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .pairs import Pair, save_pair
from .split import pop909_songs


def augment(samples: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) float32 audio -> (n,) float32 with EQ tilt, maybe reverb, and noise.

    EQ and reverb are one impulse response applied by overlap-add convolution.
    """
    from scipy.signal import fftconvolve, oaconvolve

    freqs = np.fft.rfftfreq(1024, 1.0 / sample_rate)
    octaves = np.log2(np.maximum(freqs, 20.0) / 1000.0)
    tilt_db = rng.uniform(-4, 4) * octaves + rng.uniform(-6, 6) * np.exp(-((octaves - rng.uniform(-3, 3)) ** 2))
    response = np.roll(np.fft.irfft(10 ** (tilt_db / 20)), 512) * np.hanning(1024)  # linear-phase FIR
    if rng.random() < 0.5:
        decay = rng.uniform(0.2, 1.0)  # seconds to -60 dB
        t = np.arange(int(decay * sample_rate)) / sample_rate
        room = rng.standard_normal(len(t)) * 10 ** (-3 * t / decay) * rng.uniform(0.02, 0.1)
        room[0] = 1.0  # the direct sound
        response = fftconvolve(response, room)
    out = oaconvolve(samples, response)[512 : 512 + len(samples)]
    snr_db = rng.uniform(10, 40)
    power = np.mean(out**2) + 1e-12
    out = out + rng.standard_normal(len(out)) * np.sqrt(power / 10 ** (snr_db / 10))
    return (out / (np.abs(out).max() + 1e-9)).astype(np.float32)


def make_pair(midi, song: str, extractor, synthesizer, rng: np.random.Generator) -> Pair:
    """The aligned (recording, MIDI) features of one loaded song."""
    from ..features.extract import features_from_midi
    from ..synth.variants import make_variant

    midi_frames = features_from_midi(midi, extractor, synthesizer).frames
    preset = "hard" if rng.random() < 0.5 else "easy"
    variant, time_map = make_variant(
        midi, int(rng.integers(2**31)), preset=preset, tempo_scale=float(np.exp(rng.uniform(-0.22, 0.22)))
    )
    audio = augment(synthesizer.render(variant, extractor.sample_rate), extractor.sample_rate, rng)
    audio_frames = extractor.from_samples(audio, extractor.sample_rate).frames
    fps = extractor.frame_rate
    position = np.round(time_map(np.arange(len(midi_frames)) / fps) * fps).astype(np.int64)
    valid = (position >= 0) & (position < len(audio_frames))
    return Pair(song, midi_frames[valid], audio_frames, position[valid].astype(np.int32))


def generate(root: str | Path, out: str | Path, splits: Iterable[str] = ("train", "validation"),
             limit: int | None = None, seed: int = 0, synthesizer: str = "tinysoundfont",
             on_song: Callable[[str, str | None], None] = lambda song, error: None) -> dict:
    """Write ``out/<split>/<song>.npz`` for the pop909 songs of ``splits`` (first ``limit`` of
    each) and ``out/meta.json``; existing pairs are kept (the job resumes). A song that fails is
    reported through ``on_song(song, message)`` and skipped. Returns the meta record."""
    from ..audio.midi import load_midi
    from ..errors import SeqretrieveError
    from ..registry import get_registry

    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    synth = registry.create("synthesizer", synthesizer)
    out = Path(out)
    meta = {
        "source": str(root), "extractor": extractor.name, "extractor_params": extractor.params(),
        "synthesizer": synthesizer, "seed": seed, "splits": {},
        "recording_side": "make_variant preset hard|easy, tempo x exp(U(-0.22, 0.22)), EQ tilt, reverb p=0.5, noise 10-40 dB SNR",
    }
    for split in splits:
        songs = pop909_songs(root, split)[:limit]
        meta["splits"][split] = len(songs)
        for path in songs:
            target = out / split / f"{path.stem}.npz"
            if target.exists():
                on_song(path.stem, None)
                continue
            rng = np.random.default_rng([seed, int(path.stem)])
            try:
                save_pair(target, make_pair(load_midi(path), path.stem, extractor, synth, rng))
                on_song(path.stem, None)
            except SeqretrieveError as exc:
                on_song(path.stem, str(exc))
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta
