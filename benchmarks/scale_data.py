"""Build the scale benchmark's data into data/scale (resumable: run it again to go on).

    python benchmarks/scale_data.py [--workers 2] [--shards K] [--sizes 1000,5000,20000]

Exports the plan's music21 works to MIDI (data/corpus/music21: the first MUSIC21_FILES corpus
files, 195 pieces), plans the distractors once, renders them in shards and assembles one LMDB
index per size (right entries first, then distractors), with both learned representations. See
seqretrieve/evaluation/scale.py for the layout. The training SoundFonts come from Debian
packages and the scores from music21: ``make scale-data`` installs both first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"
SCALE = DATA / "scale"
MUSIC21 = DATA / "corpus" / "music21"
RIGHT_CACHE = DATA / "bench" / "pop909"
#: corpus files (in path order) whose works the plan draws distractors from: the first plan's,
#: 195 pieces (music21 9.x), hence 20,346 distractors; BENCHMARKS.md's figures use this plan
MUSIC21_FILES = 142


def say(message: str) -> None:
    print(f"[scale-data {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _entries(size: str) -> int:
    return 10**9 if size == "all" else int(size)


def main() -> int:
    from seqretrieve.corpus.sources import export_music21
    from seqretrieve.evaluation import scale

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=None, help="render only the first K shards")
    parser.add_argument("--sizes", default="1000,5000,all", help="test index sizes to assemble ('all': every entry)")
    parser.add_argument("--validation-sizes", default="1000,all",
                        help="validation index sizes (settings, the keeps among them, are chosen there)")
    parser.add_argument("--skip-music21", action="store_true", help="plan with the music21 works exported so far")
    parser.add_argument("--music21-files", type=int, default=MUSIC21_FILES,
                        help="music21 corpus files (in path order) the plan draws works from")
    args = parser.parse_args()
    if not (SCALE / "plan.json").exists() and not args.skip_music21:
        say(f"exporting the first {args.music21_files} music21 corpus files to MIDI (once)")
        export_music21(MUSIC21, workers=args.workers, first=args.music21_files,
                       on_file=lambda name, tunes, error: error and say(f"music21 {name}: {error}"))
    plan = scale.load_plan(SCALE, SHARED / "pop909", MUSIC21)
    say(f"plan: {len(plan)} distractors in {scale.shard_count(plan)} shards of {scale.SHARD_SIZE}")
    scale.render_all(SCALE, plan, args.workers, args.shards, on_shard=lambda done, total: say(f"shards {done}/{total}"))
    rights = scale.right_entries(SHARED / "pop909", RIGHT_CACHE, SHARED / "bach-violin")
    for size in filter(None, args.sizes.split(",")):
        say(f"index of {size} entries")
        count = scale.assemble_index(SCALE / f"index-{size}", _entries(size), rights, scale.iter_distractors(SCALE, plan))
        say(f"index-{size}: {count} entries")
    validation = scale.right_entries(SHARED / "pop909", RIGHT_CACHE, None, split="validation")
    for size in filter(None, args.validation_sizes.split(",")):
        say(f"validation index of {size} entries")
        distractors = scale.not_from_split(scale.iter_distractors(SCALE, plan), "validation")
        count = scale.assemble_index(SCALE / f"index-validation-{size}", _entries(size), validation, distractors)
        say(f"index-validation-{size}: {count} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
