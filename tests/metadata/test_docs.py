"""The rule example in docs/metadata.md runs and does what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "metadata.md"


def test_rule_example_runs():
    example = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, str(DOC), "exec"), {"__name__": "docs_example"})
    assert "title='Bohemian Rhapsody'" in printed.getvalue() and "strip-karaoke" in printed.getvalue()
