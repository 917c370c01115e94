"""Every hook is documented with a runnable example, and every example runs."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from seqretrieve import hookspecs
from seqretrieve.registry import COMPONENT_HOOKS, build_registry

DOCS = Path(__file__).resolve().parent.parent / "docs"
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("seqretrieve_"))


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook):
    text = (DOCS / "plugins.md").read_text() + (DOCS / "metadata.md").read_text()
    assert f"`{hook}`" in text or hook in text, f"{hook} is not documented in docs/"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring_example(hook):
    assert "Example::" in getattr(hookspecs, hook).__doc__


def _example_plugins() -> list[tuple[str, str]]:
    blocks = _python_blocks((DOCS / "plugins.md").read_text())
    return [(f"block{number}", block) for number, block in enumerate(blocks) if "@hookimpl" in block]


@pytest.mark.parametrize("name,source", _example_plugins())
def test_documented_plugin_examples_register_and_build(name, source):
    module = types.ModuleType(name)
    exec(compile(source, f"docs/plugins.md:{name}", "exec"), module.__dict__)
    registry = build_registry(load_entry_points=False)
    registry.manager.register(module, name=name)
    registry.manager.check_pending()
    added = 0
    for kind, hook in COMPONENT_HOOKS.items():
        if hasattr(module, hook):
            for record in getattr(module, hook)():
                if kind == "pipeline":
                    assert registry.get("pipeline", record.name).stages
                else:
                    assert registry.create(kind, record.name) is not None
                added += 1
    assert added or hasattr(module, "seqretrieve_register_commands")
