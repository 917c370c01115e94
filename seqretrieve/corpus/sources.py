"""MIDI sources by piece: POP909 songs of a split with their earlier arrangements, and the
music21 corpus exported to MIDI files once (resumable).

A *piece* is one song or work; every file of a piece (its versions, every window rendered from
it) stays on one side of any split. POP909 pieces keep the project's split by song number
(:mod:`seqretrieve.training.split`); music21 works get a stable split from a hash of their name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..training.split import SPLITS, pop909_songs

log = logging.getLogger("seqretrieve.corpus")

#: most tunes taken from one music21 file holding many (an Essen or O'Neill's collection)
MAX_TUNES_PER_FILE = 10


@dataclass(frozen=True)
class Piece:
    """One MIDI file of a piece: ``piece`` names the song/work, ``path`` one of its files."""

    piece: str
    path: Path
    source: str  # "pop909", "pop909-version" or "music21"


def pop909_pieces(root: str | Path, split: str, versions: bool = True) -> list[Piece]:
    """The songs of ``split`` (``root/NNN/NNN.mid``) and, with ``versions``, their earlier
    arrangements ``root/NNN/versions/*.mid``, in song order."""
    found = []
    for song in pop909_songs(root, split):
        found.append(Piece(f"pop909-{song.stem}", song, "pop909"))
        if versions:
            found += [Piece(f"pop909-{song.stem}", path, "pop909-version")
                      for path in sorted((song.parent / "versions").glob("*.mid"))]
    return found


def music21_split(name: str) -> str:
    """``test`` / ``validation`` / ``train`` for a music21 work, from a hash of its name
    (1 in 4 each for test and validation, as for POP909)."""
    value = int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) % 4
    return "test" if value == 0 else "validation" if value == 1 else "train"


def music21_pieces(out_dir: str | Path, split: str | None = None) -> list[Piece]:
    """The exported music21 MIDI files in ``out_dir`` (all, or one split's), in name order."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return [Piece(f"music21-{path.stem}", path, "music21") for path in sorted(Path(out_dir).glob("*.mid"))
            if split is None or music21_split(path.stem) == split]


def export_music21(out_dir: str | Path, limit: int | None = None,
                   on_file: Callable[[str, int, str | None], None] = lambda name, tunes, error: None,
                   workers: int = 1, first: int | None = None) -> int:
    """Write every work of music21's core corpus as ``out_dir/<name>.mid`` (``<name>-<k>.mid`` for
    the first :data:`MAX_TUNES_PER_FILE` tunes of a collection); returns the files written now.

    Resumable: each finished corpus file is appended to ``out_dir/done.jsonl`` (with its error,
    if music21 could not read or write it) and skipped next time. ``limit``: corpus files this call;
    ``first``: only the first that many corpus files (in path order) are ever exported;
    ``workers``: processes parsing corpus files (music21's parser takes seconds per work).
    """
    from concurrent.futures import ProcessPoolExecutor

    from music21 import corpus

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / "done.jsonl"
    done = set()
    if log_path.exists():
        done = {json.loads(line)["file"] for line in log_path.read_text().splitlines() if line.strip()}
    todo = [path for path in sorted(corpus.getCorePaths(), key=str)[:first] if _work_name(path) not in done][:limit]
    written = 0
    with ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        results = pool.map(_export_safely, todo, [out_dir] * len(todo)) if pool else map(
            _export_safely, todo, [out_dir] * len(todo))
        for name, tunes, error in results:
            written += tunes
            with open(log_path, "a") as handle:
                handle.write(json.dumps({"file": name, "tunes": tunes, "error": error}) + "\n")
            on_file(name, tunes, error)
    return written


def _export_safely(path: Path, out_dir: Path) -> tuple[str, int, str | None]:
    """(work name, files written, first error) of one corpus file; never raises."""
    name = _work_name(path)
    try:
        tunes, error = _export_file(path, name, out_dir)
    except Exception as exc:  # music21 raises many kinds on odd files; one bad file is recorded
        tunes, error = 0, _message(exc)
    return name, tunes, error


def _work_name(path: Path) -> str:
    """A file-name-safe unique name for a corpus file: its path under ``corpus/``, joined by '_'."""
    parts = Path(str(path).split("/corpus/", 1)[-1]).with_suffix("").parts
    return "_".join(parts).replace(" ", "-")


def _message(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _export_file(path: Path, name: str, out_dir: Path) -> tuple[int, str | None]:
    """Parse one corpus file and write its score(s) as MIDI: (files written, first error)."""
    from music21 import converter, stream

    parsed = converter.parse(path)
    scores = list(parsed.scores)[:MAX_TUNES_PER_FILE] if isinstance(parsed, stream.Opus) else [parsed]
    written, error = 0, None
    for k, score in enumerate(scores):
        target = out_dir / (f"{name}-{k}.mid" if len(scores) > 1 else f"{name}.mid")
        tmp = target.with_name(target.name + ".tmp")
        try:
            score.write("midi", fp=str(tmp))
        except Exception as exc:  # one tune of a collection with bad repeats; the others go on
            error = error or _message(exc)
            continue
        tmp.replace(target)
        written += 1
    return written, error


def load_cached(path: str | Path, cache_dir: str | Path):
    """``load_midi(path)``, parsed once: later calls read a pickle under ``cache_dir`` (a private
    cache of the data builders, keyed by path, size and mtime; never shipped or shared)."""
    import pickle

    from ..audio.midi import load_midi

    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return load_midi(path)  # raises the loader's own clear error
    key = hashlib.sha1(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
    cached = Path(cache_dir) / f"{key}.pickle"
    if cached.exists():
        with open(cached, "rb") as handle:
            return pickle.load(handle)
    midi = load_midi(path)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(cached.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(midi, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cached)
    return midi
