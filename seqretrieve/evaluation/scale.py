"""The scale benchmark's data: the held-out right answers among 20,000+ distractors.

Right entries (never trained on): every POP909 test song as an "easy" and a "hard" 30-s excerpt
(:func:`seqretrieve.evaluation.pop909.build_benchmark`, ids ``pop909-NNN-easy|hard``) and John
Garner's three Bach violin recordings. Distractors never come from a test song: windows of POP909
train/validation songs and their earlier versions and of music21 corpus works, each window
rendered with a random training SoundFont at the extractor's MIDI rate (11,025 Hz, as queries),
other programs, a tempo factor in 0.5-2 and audio
augmentation (:func:`seqretrieve.corpus.render.render_excerpt`).

Layout under ``root`` (an ignored folder; every step resumes where it stopped):

``plan.json``
    the distractors, in a fixed shuffled order: ``{id, path, font, seed}`` each; written once,
    from the sources present then (delete it to plan again).
``shards/shard-NNNN.npz``
    features of plan items ``[NNNN * SHARD_SIZE, ...)``: ``frames`` (sum T, 48) float16,
    ``lengths`` (n,), ``ids`` (n,), ``info`` (JSON per item), ``failed`` (JSON id -> error) and
    ``plan`` (:func:`plan_fingerprint` of its slice; a shard of another plan is made again);
    written atomically, so a killed build loses at most the shards in progress.
``index-<N>/``
    an LMDB index with the right entries first, then the first distractors of the plan up to N
    entries, and both learned representations; smaller indexes are subsets of larger ones.
``index-validation-<N>/``
    the same with the validation songs as right entries and no distractor rendered from a
    validation song: the set the cascade's settings are chosen on (test songs never are).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

log = logging.getLogger("seqretrieve.evaluation")

SHARD_SIZE = 250
PLAN_SEED = 20261201
TEMPO_RANGE = (0.5, 2.0)
EXCERPT_SECONDS = 30.0


def plan_distractors(pop909_root: str | Path, music21_dir: str | Path, pop_windows: int = 9,
                     music21_windows: int = 4, seed: int = PLAN_SEED) -> list[dict]:
    """Every distractor to render, shuffled: ``pop_windows`` windows of each POP909 train/validation
    song file (versions included), ``music21_windows`` of each exported music21 work, each with a
    training font drawn at random."""
    from ..corpus.fonts import available_fonts
    from ..corpus.sources import music21_pieces, pop909_pieces

    fonts = sorted(available_fonts())
    rng = np.random.default_rng(seed)
    pieces = [(piece, pop_windows, "pop909", pop909_root) for split in ("train", "validation")
              for piece in pop909_pieces(pop909_root, split)]
    pieces += [(piece, music21_windows, "music21", music21_dir) for piece in music21_pieces(music21_dir)]
    items = []
    for piece, windows, source, source_root in pieces:
        for k in range(windows):
            font = fonts[int(rng.integers(len(fonts)))]
            items.append({"id": f"{piece.path.stem}-w{k}-{font}", "font": font, "seed": int(rng.integers(2**31)),
                          "path": f"{source}/{Path(piece.path).relative_to(source_root).as_posix()}"})
    order = rng.permutation(len(items))
    return [items[i] for i in order]


def load_plan(root: str | Path, pop909_root: str | Path, music21_dir: str | Path) -> list[dict]:
    """The plan in ``root/plan.json``, made first if missing, its ``path``s resolved: the file
    holds them as ``pop909/...`` or ``music21/...`` (the data may move with its checkout)."""
    path = Path(root) / "plan.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(plan_distractors(pop909_root, music21_dir)))
        tmp.replace(path)
    plan = json.loads(path.read_text())
    for item in plan:
        item["path"] = str(source_path(item["path"], pop909_root, music21_dir))
    return plan


def source_path(stored: str, pop909_root: str | Path, music21_dir: str | Path) -> Path:
    """A plan item's MIDI file from its path as stored (``pop909/...`` or ``music21/...``)."""
    source, _, rest = stored.partition("/")
    roots = {"pop909": Path(pop909_root), "music21": Path(music21_dir)}
    if source not in roots:
        raise ValueError(f"plan path {stored!r} is neither under pop909/ nor music21/")
    return roots[source] / rest


def plan_fingerprint(items: list[dict]) -> str:
    """A hash of the ids of a plan slice: a shard made from another plan is not reused."""
    import hashlib

    return hashlib.sha1(json.dumps([item["id"] for item in items]).encode()).hexdigest()


def excerpt_settings(rng: np.random.Generator) -> tuple[float, str]:
    """The tempo factor and variant preset of an excerpt, the first draws of its seeded ``rng``
    (the render draws the rest: :func:`seqretrieve.corpus.render.render_excerpt`)."""
    tempo = float(np.exp(rng.uniform(*np.log(TEMPO_RANGE))))
    return tempo, "hard" if rng.random() < 0.5 else "easy"


def shard_path(root: str | Path, number: int) -> Path:
    return Path(root) / "shards" / f"shard-{number:04d}.npz"


def shard_done(root: str | Path, plan: list[dict], number: int) -> bool:
    """Whether shard ``number`` exists and was made from this plan's slice."""
    path = shard_path(root, number)
    if not path.exists():
        return False
    with np.load(path) as shard:
        if "plan" in shard and str(shard["plan"]) == plan_fingerprint(plan[number * SHARD_SIZE : (number + 1) * SHARD_SIZE]):
            return True
    log.warning("%s was made from another plan; it will be rendered again", path)
    return False


def render_shard(root: str | Path, plan: list[dict], number: int) -> Path:
    """Render shard ``number`` of ``plan`` (if not there yet) and return its path."""
    from ..errors import SeqretrieveError
    from ..registry import get_registry

    target = shard_path(root, number)
    if shard_done(root, plan, number):
        return target
    items = plan[number * SHARD_SIZE : (number + 1) * SHARD_SIZE]
    from ..corpus.fonts import available_fonts
    from ..corpus.render import render_excerpt
    from ..corpus.sources import load_cached

    registry = get_registry()
    extractor = registry.create("feature_extractor", "cqt")
    fonts = available_fonts()
    synths = {}
    frames, ids, infos, failed = [], [], [], {}
    for item in sorted(items, key=lambda item: item["font"]):  # one font loaded at a time
        rng = np.random.default_rng(item["seed"])
        try:
            if item["font"] not in synths:
                synths = {item["font"]: registry.create("synthesizer", "tinysoundfont", soundfont=str(fonts[item["font"]]))}
            tempo, preset = excerpt_settings(rng)
            excerpt = render_excerpt(load_cached(item["path"], Path(root) / "midi-cache"), synths[item["font"]], rng, EXCERPT_SECONDS,
                                     extractor.midi_sample_rate, preset=preset, tempo=tempo)
            features = extractor.from_samples(excerpt.samples, excerpt.sample_rate).frames
        except (SeqretrieveError, ValueError) as exc:
            failed[item["id"]] = str(exc)
            continue
        frames.append(features.astype(np.float16))
        ids.append(item["id"])
        infos.append(json.dumps({**excerpt.info, "font": item["font"], "source": item["path"]}))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.stem + ".tmp.npz")
    np.savez(tmp, frames=np.concatenate(frames) if frames else np.zeros((0, 48), np.float16),
             lengths=np.array([len(f) for f in frames], dtype=np.int64), ids=np.array(ids),
             info=np.array(infos), failed=np.array(json.dumps(failed)), plan=np.array(plan_fingerprint(items)))
    os.replace(tmp, target)
    return target


def shard_count(plan: list[dict]) -> int:
    return -(-len(plan) // SHARD_SIZE)


def render_all(root: str | Path, plan: list[dict], workers: int = 1, shards: int | None = None,
               on_shard: Callable[[int, int], None] = lambda done, total: None) -> None:
    """Render the first ``shards`` shards (all by default) with ``workers`` spawn processes."""
    from concurrent.futures import as_completed

    from ..index.pool import worker_pool

    total = min(shard_count(plan), shards or shard_count(plan))
    todo = [k for k in range(total) if not shard_done(root, plan, k)]
    on_shard(total - len(todo), total)
    if workers <= 1:
        for k in todo:
            render_shard(root, plan, k)
            on_shard(total - len(todo) + todo.index(k) + 1, total)
        return
    with worker_pool(workers) as pool:  # the build's pool: its workers die with this process
        futures = [pool.submit(render_shard, str(root), plan, k) for k in todo]
        for done, future in enumerate(as_completed(futures), start=total - len(todo) + 1):
            future.result()
            on_shard(done, total)


def iter_distractors(root: str | Path, plan: list[dict]) -> Iterator[tuple[str, np.ndarray, dict]]:
    """(id, frames (T, 48) float32, info) of every rendered distractor, in plan order; stops at
    the first shard not rendered yet."""
    for k in range(shard_count(plan)):
        path = shard_path(root, k)
        if not path.exists():
            return
        with np.load(path) as shard:
            ends = np.cumsum(shard["lengths"])
            starts = ends - shard["lengths"]
            by_id = {str(i): (s, e, json.loads(str(info))) for i, s, e, info in
                     zip(shard["ids"], starts, ends, shard["info"])}
            frames = shard["frames"]
        for item in plan[k * SHARD_SIZE : (k + 1) * SHARD_SIZE]:
            if item["id"] in by_id:
                start, end, info = by_id[item["id"]]
                yield item["id"], frames[start:end].astype(np.float32), info


def right_entries(pop909_root: str | Path, cache: str | Path, bach_root: str | Path | None,
                  split: str = "test") -> list[tuple[str, Path]]:
    """(entry id, recording path) of every right answer: each ``split`` song's easy and hard
    excerpt (rendered into ``cache`` if missing) and, given ``bach_root``, the Bach recordings."""
    from ..registry import get_registry
    from .bach_violin import pieces
    from .pop909 import build_benchmark

    synthesizer = get_registry().create("synthesizer", "tinysoundfont")
    found = []
    for preset in ("easy", "hard"):
        bench = build_benchmark(Path(pop909_root), Path(cache), 10_000, 0, synthesizer, preset=preset, split=split)
        found += [(f"{path.stem}-{preset}", path) for path in bench.recordings]
    if bach_root is not None:
        found += [(piece.audio.stem, piece.audio) for piece in pieces(Path(bach_root))]
    return found


def not_from_split(distractors: Iterator[tuple[str, np.ndarray, dict]], split: str
                   ) -> Iterator[tuple[str, np.ndarray, dict]]:
    """The distractors not rendered from a POP909 song of ``split`` (nor its versions): for a
    validation index whose right answers are the validation songs."""
    from ..training.split import split_of

    for entry_id, frames, info in distractors:
        folder = Path(info["source"]).parent
        song = folder.parent.name if folder.name == "versions" else folder.name
        if not (song.isdigit() and split_of(song) == split):
            yield entry_id, frames, info


def assemble_index(path: str | Path, size: int, rights: list[tuple[str, Path]],
                   distractors: Iterator[tuple[str, np.ndarray, dict]],
                   on_entry: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Fill the index at ``path`` with the right entries, then distractors, up to ``size`` entries,
    and encode both learned representations. Resumes: ids already there are skipped. Returns the
    number of entries."""
    from ..features.extract import features_from_audio_file
    from ..index.build import extractor_record
    from ..index.representations import add_all_representations
    from ..index.store import Entry, Index
    from ..registry import get_registry

    extractor = get_registry().create("feature_extractor", "cqt")
    path = Path(path)
    index = Index.open(path, readonly=False) if path.exists() else Index.create(path)
    with index:
        if index.extractor is None:
            index.set_meta("extractor", extractor_record(extractor))
        have = set(index.ids())
        batch = []

        def flush():
            index.put_entries(batch)
            batch.clear()
            on_entry(len(index), size)

        for entry_id, recording in rights:
            if entry_id not in have:
                frames = features_from_audio_file(recording, extractor).frames
                batch.append(Entry(entry_id, {"source": str(recording), "title": entry_id}, {"features:cqt": frames},
                                   f"scale:{entry_id}"))
        count = len(have) + len(batch)
        for entry_id, frames, info in distractors:
            if count >= size:
                break
            if entry_id in have:
                continue
            batch.append(Entry(entry_id, {"source": info["source"], "title": entry_id, "extra": info},
                               {"features:cqt": frames}, f"scale:{entry_id}"))
            count += 1
            if len(batch) >= 256:
                flush()
        flush()
        add_all_representations(index)
        return len(index)
