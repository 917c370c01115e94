"""The real ``seqretrieve`` CLI with a cheap extractor registered as ``fake`` (index_fakes).

Run as ``python cli_runner.py index build ... --extractor fake``: spawned extraction workers
re-import this file as their main module, so the name resolves there too. ``FAKE_DELAY``
(seconds of sleep per file) widens the window in which a test can signal a build.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from seqretrieve.index import worker  # noqa: E402
from tests.index.index_fakes import FakeExtractor  # noqa: E402

worker._EXTRACTORS["fake"] = FakeExtractor(delay=float(os.environ.get("FAKE_DELAY", "0")))

if __name__ == "__main__":
    from seqretrieve.cli.app import main

    main()
