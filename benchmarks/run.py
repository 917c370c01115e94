"""Run every benchmark section and write BENCHMARKS.md (one command: ``make bench``).

Each ``bench_<area>.py`` exposes ``run(quick: bool = False) -> str`` returning a Markdown section;
timings inside a section are ratios against a reference measured in the same run.

    python benchmarks/run.py [--quick] [--only dtw,retrieval] [--out BENCHMARKS.md]

With ``--only``, the other sections already in the output file are kept as they were.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import time
import traceback
from pathlib import Path

SECTIONS = ["dtw", "features", "index", "retrieval", "align", "models", "speed", "scale", "tempo", "metadata", "match"]
HERE = Path(__file__).resolve().parent
MARK = "<!-- section: {} -->"


def machine() -> str:
    """One line describing where the numbers were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def existing_sections(path: Path) -> dict[str, str]:
    """Sections of an earlier BENCHMARKS.md, by name, to keep those not rerun."""
    if not path.exists():
        return {}
    parts = re.split(r"<!-- section: (\w+) -->\n", path.read_text())
    return {parts[i]: parts[i + 1].rstrip() + "\n" for i in range(1, len(parts) - 1, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (a smoke run)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--out", type=Path, default=HERE.parent / "BENCHMARKS.md")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    chosen = [name for name in args.only.split(",") if name]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        parser.error(f"no section {', '.join(unknown)}; the sections are {', '.join(SECTIONS)}")
    measured = {}
    failed = 0
    for name in chosen:
        started = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            body = importlib.import_module(f"bench_{name}").run(quick=args.quick)
        except Exception:  # one broken section must not lose the others
            failed += 1
            body = f"## {name}\n\nFAILED:\n\n```\n{traceback.format_exc()}```\n"
        stamp = time.strftime("%Y-%m-%d")
        measured[name] = f"{body.rstrip()}\n\n_Measured {stamp}{' (quick mode)' if args.quick else ''} in {time.perf_counter() - started:.0f} s._\n"
        print(f"[bench] {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    header = (
        "# Benchmarks\n\nWritten by `make bench` (`python benchmarks/run.py`). Machine: "
        f"{machine()}. Timings are medians of repeats and are compared with a reference measured "
        "in the same run, because these machines are shared and noisy.\n"
    )
    sections = {**existing_sections(args.out), **measured}  # read now: another run may have written meanwhile
    ordered = [name for name in SECTIONS if name in sections] + [n for n in sections if n not in SECTIONS]
    text = header + "".join(f"\n{MARK.format(name)}\n{sections[name]}" for name in ordered)
    args.out.write_text(text)
    print(f"[bench] wrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
