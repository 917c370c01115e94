"""Index build throughput on 30 s clips: 1 and 2 workers against the bare extraction loop.

Clips: 30 s windows of the Bach Violin recordings (real audio), written as 44.1 kHz stereo MP3
like MSD previews, each with its own small gain so every file has its own content hash. The
reference is the single-process loop ``features_from_audio_file`` over the same files with no
index, measured in the same run. Build rows write a fresh index each repeat (hashing, LMDB
commits included). "cold" pools include spawning the workers and their first CQT call;
"warm" pools were started and used once before the clock starts.
"""

from __future__ import annotations

import multiprocessing
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from seqretrieve.audio.decode import load_audio
from seqretrieve.features.extract import features_from_audio_file
from seqretrieve.index.build import build_index
from seqretrieve.index.worker import extract_files
from seqretrieve.registry import get_registry
from timing import median_seconds

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bach-violin" / "audio"
CLIP = 30.0


def make_clips(folder: Path, n: int) -> list[Path]:
    """``n`` distinct 30 s MP3 clips (44.1 kHz stereo) cut from the Bach Violin recordings."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    recordings = [load_audio(p, 44100) for p in sorted(DATA.glob("*.mp3"))]
    step = int(7.5 * 44100)
    windows = [(r, start) for r in recordings for start in range(0, len(r) - int(CLIP * 44100), step)]
    paths = []
    for i in range(n):
        audio, start = windows[i % len(windows)]
        clip = audio[start: start + int(CLIP * 44100)] * (0.9 - 0.002 * i)
        path = folder / f"clip{i:03d}.mp3"
        sf.write(path, np.stack([clip, clip], axis=1), 44100, format="MP3")
        paths.append(path)
    return paths


def _warm_pool(workers: int, clip: Path, extractor) -> ProcessPoolExecutor:
    """A spawn pool whose workers have each imported everything and extracted ``clip`` once."""
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    list(pool.map(extract_files, [[str(clip)]] * workers, [extractor] * workers))
    return pool


def run(quick: bool = False) -> str:
    n, repeats = (12, 1) if quick else (48, 3)
    extractor = get_registry().create("feature_extractor", "cqt")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clips = make_clips(tmp / "clips", n)
        features_from_audio_file(clips[0], extractor)  # librosa's first-call set-up, out of the clock
        counter = iter(range(10**6))

        def timed_build(workers: int, warm: bool = False) -> float:
            times = []
            for _ in range(repeats):
                pool = _warm_pool(workers, clips[0], extractor) if warm else None
                try:
                    started = time.perf_counter()
                    build_index([tmp / "clips"], tmp / f"ix{next(counter)}", workers=workers, executor=pool,
                                representations=False)
                    times.append(time.perf_counter() - started)
                finally:
                    if pool is not None:
                        pool.shutdown()
            return statistics.median(times)

        reference = median_seconds(lambda: [features_from_audio_file(p, extractor) for p in clips], repeats, warmup=False)
        rows = [
            ("extraction loop, 1 process, no index (reference)", reference),
            ("index build, 1 worker (in process)", timed_build(1)),
            ("index build, 2 workers, cold spawn pool", timed_build(2)),
            ("index build, 2 workers, warm spawn pool", timed_build(2, warm=True)),
        ]
        build_index([tmp / "clips"], tmp / "again", workers=1, representations=False)
        rerun = median_seconds(lambda: build_index([tmp / "clips"], tmp / "again", workers=1, representations=False),
                               repeats, warmup=False)
        rows.append(("re-run over an indexed folder (all skipped by content hash)", rerun))
    lines = [
        "## Index build (30 s MP3 clips, CQT features into LMDB)",
        "",
        f"{n} clips of 30 s (44.1 kHz stereo MP3 cut from the Bach Violin recordings); median of "
        f"{repeats} builds into a fresh index; ratio = time / the bare extraction loop measured in this "
        f"run ({reference:.2f} s, {n / reference:.1f} clips/s). Target: >= 20 clips/s with 2 workers.",
        "",
        "| run | seconds | clips/s | ratio to reference |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, seconds in rows:
        lines.append(f"| {label} | {seconds:.2f} | {n / seconds:.1f} | {seconds / reference:.2f} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick=True))
