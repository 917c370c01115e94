"""The real ``seqretrieve`` CLI with a cheap extractor registered as ``fake`` (index_fakes).

Run as ``python cli_runner.py index build ... --extractor fake``: spawned extraction workers
re-import this file as their main module, so they can unpickle the extractor object the
parent resolved the name to. ``FAKE_DELAY``
(seconds of sleep per file) widens the window in which a test can signal a build.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from seqretrieve import ComponentSpec, hookimpl  # noqa: E402
from seqretrieve.registry import get_registry  # noqa: E402
from tests.index.index_fakes import FakeExtractor  # noqa: E402


class _FakeExtractorPlugin:
    @hookimpl
    def seqretrieve_feature_extractors(self):
        return [ComponentSpec("fake", FakeExtractor, parameters={"delay": float(os.environ.get("FAKE_DELAY", "0"))})]


get_registry().register(_FakeExtractorPlugin(), name="fake-extractor")

if __name__ == "__main__":
    from seqretrieve.cli.app import main

    main()
