"""Regenerate the golden files from the current code: ``python tests/golden/make.py``.

Run it only when a change of scores is intended, and say so in the commit message; the test
``tests/golden/test_golden.py`` then holds the new values.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.golden.compute import ARRAYS, CASCADE, cascade_values, song_values  # noqa: E402


def main() -> None:
    from seqretrieve.testing import EXAMPLES, build_small_index

    queries = sorted((EXAMPLES / "queries").glob("*.mid"))
    with tempfile.TemporaryDirectory() as tmp:
        index = build_small_index(Path(tmp), queries)
        values = song_values(index, queries)
        # frames as float16: ample for the 1e-3 tolerance, a quarter of the size
        values["query_frames"] = values["query_frames"].astype(np.float16)
        values["entry_frames"] = values["entry_frames"].astype(np.float16)
        np.savez_compressed(ARRAYS, **values)
        CASCADE.write_text(json.dumps(cascade_values(index, queries, Path(tmp)), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {ARRAYS} ({ARRAYS.stat().st_size} bytes) and {CASCADE} ({CASCADE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
