"""The real ``seqretrieve`` CLI with a cheap extractor registered as ``fake`` (index_fakes).

Run as ``python cli_runner.py index build ... --extractor fake``. The name resolves through the
registry (a plugin registered here) and the workers' extractor cache; spawned extraction workers
re-import this file as their main module, so it resolves there too. ``FAKE_DELAY`` (seconds of
sleep per file) widens the window in which a test can signal a build.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from seqretrieve.hookspecs import hookimpl  # noqa: E402
from seqretrieve.index import worker  # noqa: E402
from seqretrieve.registry import get_registry  # noqa: E402
from seqretrieve.types import ComponentSpec  # noqa: E402
from tests.index.index_fakes import FakeExtractor  # noqa: E402

EXTRACTOR = FakeExtractor(delay=float(os.environ.get("FAKE_DELAY", "0")))


class FakeExtractorPlugin:
    @hookimpl
    def seqretrieve_feature_extractors(self):
        return [ComponentSpec("fake", lambda: EXTRACTOR, version="1", description="test extractor")]


worker._EXTRACTORS["fake"] = EXTRACTOR
get_registry().manager.register(FakeExtractorPlugin(), name="fake-extractor")

if __name__ == "__main__":
    from seqretrieve.cli.app import main

    main()
