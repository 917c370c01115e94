"""Training pairs aligned by construction: each song rendered as "MIDI" and as a "recording".

MIDI side: the song as is, made into frames the way queries are (the query synthesizer,
``cqt-templates`` for the built-in CQT).
Recording side: a ``make_variant`` copy (preset "hard" or "easy" by coin flip, a global tempo
factor, warp, crop, other programs, dropped instrument) rendered at the extractor's audio rate,
with the default or a random training SoundFont, then augmented (random EQ tilt, reverb half the
time, noise at 10-40 dB SNR) and maybe MP3-coded, as a :class:`Recipe` says. The variant's time map
gives the audio frame aligned with every MIDI frame; MIDI frames that fall in a cropped region
are dropped. No TensorFlow needed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .pairs import Pair, save_pair


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


@dataclass(frozen=True)
class Recipe:
    """How the "recording" side of a pair is made.

    ``fonts``: SoundFont paths drawn from at random (None: the default synthesizer's);
    ``tempo_range``: (low, high) global tempo factor, drawn log-uniformly; ``lossy_probability``:
    chance of MP3 coding at 64-128 kbps; ``renderings``: recordings made of each MIDI file.
    """

    fonts: tuple[str, ...] | None = None
    tempo_range: tuple[float, float] = (0.8, 1.25)
    lossy_probability: float = 0.0
    renderings: int = 1

    def describe(self) -> str:
        fonts = "default synthesizer" if not self.fonts else f"{len(self.fonts)} SoundFonts at random"
        return (f"make_variant preset hard|easy, {fonts}, tempo x{self.tempo_range[0]:g}-{self.tempo_range[1]:g} "
                f"(log-uniform), EQ tilt, reverb p=0.5, noise 10-40 dB SNR, MP3 p={self.lossy_probability:g}, "
                f"{self.renderings} rendering(s) per file")


def make_pair(midi, song: str, extractor, synthesizer, rng: np.random.Generator, recipe: Recipe = Recipe(),
              recording_synthesizer=None, midi_synthesizer=None) -> Pair:
    """The aligned (recording, MIDI) features of one loaded song; the MIDI side is made by
    ``midi_synthesizer`` and the recording rendered by ``recording_synthesizer`` (both default to
    ``synthesizer``) as ``recipe`` says."""
    from ..corpus.render import mp3_round_trip
    from ..features.extract import features_from_midi
    from ..synth.variants import make_variant

    midi_frames = features_from_midi(midi, extractor, midi_synthesizer or synthesizer).frames
    preset = "hard" if rng.random() < 0.5 else "easy"
    variant_seed = int(rng.integers(2**31))
    tempo = float(np.exp(rng.uniform(*np.log(recipe.tempo_range))))
    variant, time_map = make_variant(midi, variant_seed, preset=preset, tempo_scale=tempo)
    audio = (recording_synthesizer or synthesizer).render(variant, extractor.sample_rate)
    audio = augment(audio, extractor.sample_rate, rng)
    if rng.random() < recipe.lossy_probability:
        audio = mp3_round_trip(audio, extractor.sample_rate, float(rng.uniform(0.3, 0.6)))
    audio_frames = extractor.from_samples(audio, extractor.sample_rate).frames
    fps = extractor.frame_rate
    position = np.round(time_map(np.arange(len(midi_frames)) / fps) * fps).astype(np.int64)
    valid = (position >= 0) & (position < len(audio_frames))
    return Pair(song, midi_frames[valid], audio_frames, position[valid].astype(np.int32))


def _pair_seed(seed: int, stem: str, k: int) -> list[int]:
    """Seed of one pair: ``[seed, song number]`` for a POP909 song's first rendering (the shipped
    models' recipe), else ``[seed, k, *bytes of the file stem]``."""
    return [seed, int(stem)] if k == 0 and stem.isdigit() else [seed, k, *stem.encode()]


def training_pieces(root: str | Path, split: str, versions: bool = False, music21: str | Path | None = None) -> list:
    """The :class:`seqretrieve.corpus.sources.Piece` files of ``split``: POP909 songs (with their
    earlier versions when ``versions``) and the exported music21 works in ``music21``."""
    from ..corpus.sources import music21_pieces, pop909_pieces

    pieces = pop909_pieces(root, split, versions=versions)
    if music21 is not None:
        pieces += music21_pieces(music21, split)
    return pieces


@dataclass(frozen=True)
class _Job:
    """One pair to render: ``out/<split>/<name>.npz`` from ``path``'s ``k``-th rendering."""

    split: str
    path: Path
    k: int

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def name(self) -> str:
        return self.stem if self.k == 0 else f"{self.stem}-r{self.k}"


def _jobs(root, splits: Iterable[str], limit: int | None, recipe: Recipe, versions: bool,
          music21) -> tuple[list[_Job], dict[str, int]]:
    """Every pair of ``splits`` (first ``limit`` pieces of each) in a stable shuffled order, so
    that a stopped job has rendered a sample of every split and source; and the planned counts."""
    import zlib

    jobs, counts = [], {}
    for split in splits:
        pieces = training_pieces(root, split, versions, music21)[:limit]
        counts[split] = len(pieces) * recipe.renderings
        for piece in pieces:
            jobs += [_Job(split, piece.path, k) for k in range(recipe.renderings)]
    jobs.sort(key=lambda job: (zlib.crc32(f"{job.split}/{job.name}".encode()), job.split, job.name))
    return jobs, counts


class _Renderer:
    """The extractor and synthesizers one process renders pairs with."""

    def __init__(self, synthesizer: str, recipe: Recipe, seed: int):
        from ..pipelines.search import query_synthesizer
        from ..registry import get_registry

        registry = get_registry()
        self.extractor = registry.create("feature_extractor", "cqt")
        self.synth = registry.create("synthesizer", synthesizer)
        self.midi_synth = query_synthesizer(self.extractor, registry)
        self.recipe, self.seed, self._synthesizer = recipe, seed, synthesizer

    @cached_property
    def fonts(self) -> list:
        """One synthesizer per recipe font, loaded on the first pair (never in a parent that only
        hands pairs to worker processes)."""
        from ..registry import get_registry

        registry = get_registry()
        return [registry.create("synthesizer", self._synthesizer, soundfont=font) for font in self.recipe.fonts or ()]

    def __call__(self, job: _Job, target: Path) -> str | None:
        """Render and save one pair; the error message if the file could not be rendered."""
        from ..audio.midi import load_midi
        from ..errors import SeqretrieveError

        rng = np.random.default_rng(_pair_seed(self.seed, job.stem, job.k))
        recording = self.fonts[int(rng.integers(len(self.fonts)))] if self.fonts else None
        try:
            save_pair(target, make_pair(load_midi(job.path), job.name, self.extractor, self.synth, rng, self.recipe,
                                        recording, self.midi_synth))
        except SeqretrieveError as exc:
            return str(exc)
        return None


_WORKER: _Renderer | None = None


def _start_worker(synthesizer: str, recipe: Recipe, seed: int) -> None:
    global _WORKER
    _WORKER = _Renderer(synthesizer, recipe, seed)


def _render_in_worker(job: _Job, target: Path) -> tuple[str, str | None]:
    return job.name, _WORKER(job, target)


def generate(root: str | Path, out: str | Path, splits: Iterable[str] = ("train", "validation"),
             limit: int | None = None, seed: int = 0, synthesizer: str = "tinysoundfont",
             on_song: Callable[[str, str | None], None] = lambda song, error: None, *,
             recipe: Recipe = Recipe(), versions: bool = False, music21: str | Path | None = None,
             workers: int = 1) -> dict:
    """Write ``out/<split>/<file>.npz`` (``<file>-r<k>.npz`` for the k-th extra rendering) for the
    pieces of ``splits`` (first ``limit`` files of each) and ``out/meta.json``; existing pairs are
    kept (the job resumes; meta.json is written first, so a trainer can use a partial corpus).
    Pairs are rendered in a stable shuffled order by ``workers`` processes. A file that fails is
    reported through ``on_song(name, message)`` and skipped. The MIDI side is made by the query
    synthesizer of the CQT (as queries are); the recording side by ``synthesizer`` with the
    recipe's fonts. Returns the meta record."""
    from concurrent.futures import ProcessPoolExecutor

    out = Path(out)
    renderer = _Renderer(synthesizer, recipe, seed)
    jobs, counts = _jobs(root, splits, limit, recipe, versions, music21)
    meta = {
        "source": str(root), "music21": None if music21 is None else str(music21), "versions": versions,
        "extractor": renderer.extractor.name, "extractor_params": renderer.extractor.params(),
        "synthesizer": synthesizer, "midi_side": renderer.midi_synth.name, "seed": seed, "splits": counts,
        "recording_side": recipe.describe(), "fonts": [Path(font).name for font in recipe.fonts or ()],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    todo = []
    for job in jobs:
        target = out / job.split / f"{job.name}.npz"
        if target.exists():
            on_song(job.name, None)
        else:
            todo.append((job, target))
    if workers <= 1:
        for job, target in todo:
            on_song(job.name, renderer(job, target))
        return meta
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(synthesizer, recipe, seed)) as pool:
        for name, error in pool.map(_render_in_worker, *zip(*todo), chunksize=1) if todo else ():
            on_song(name, error)
    return meta
