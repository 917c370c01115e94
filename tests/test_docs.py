"""Every hook is documented with a runnable example, and every example runs."""

from __future__ import annotations

import inspect
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


def _signature(hook: str) -> str:
    return ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)


def test_every_hook_has_a_heading_with_its_exact_signature():
    headings = dict(re.findall(r"^## `(seqretrieve_\w+)\((.*?)\)`$", (DOCS / "plugins.md").read_text(), re.M))
    assert sorted(headings) == HOOKS, "docs/plugins.md headings and hookspecs.py differ"
    for hook in HOOKS:
        assert headings[hook] == _signature(hook), f"{hook}: documented ({headings[hook]}), spec ({_signature(hook)})"


def test_every_hook_has_an_example_that_runs():
    """Each hook is implemented, with the spec's arguments, by an example that
    test_documented_plugin_examples_register_and_build below runs."""
    implemented = {}
    for _, source in _example_plugins():
        implemented.update(re.findall(r"^def (seqretrieve_\w+)\((.*?)\):", source, re.M))
    assert sorted(implemented) == HOOKS
    for hook, arguments in implemented.items():
        assert arguments == _signature(hook), hook


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
    assert registry.register(module, name=name)
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


def _docs_registry():
    """A registry with every plugin example of docs/plugins.md registered."""
    registry = build_registry(load_entry_points=False)
    for name, source in _example_plugins():
        module = types.ModuleType(name)
        exec(compile(source, f"docs/plugins.md:{name}", "exec"), module.__dict__)
        assert registry.register(module, name=name)
    return registry


def test_documented_examples_run_on_an_index_of_another_extractor(tmp_path):
    """The docs' extractor ("rms") builds an index; the docs' matcher and pipeline then rank it
    (nothing in an example may assume the CQT extractor)."""
    import numpy as np
    import pretty_midi
    import soundfile

    from seqretrieve.index.build import build_index
    from seqretrieve.index.store import Index
    from seqretrieve.pipelines.search import Searcher

    registry = _docs_registry()
    rate = 22050
    for seconds in (2, 4, 6):
        t = np.arange(seconds * rate) / rate
        soundfile.write(tmp_path / f"tone-{seconds}.wav", 0.3 * np.sin(2 * np.pi * 440 * t), rate)
    build_index([tmp_path], tmp_path / "index", extractor=registry.create("feature_extractor", "rms"))
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes = [pretty_midi.Note(90, 69, start, start + 0.5) for start in np.arange(0, 4, 0.5)]
    midi.instruments.append(piano)
    midi.write(str(tmp_path / "query.mid"))
    with Index.open(tmp_path / "index") as index:
        assert index.extractor["name"] == "rms"
        result = Searcher(index, pipeline="length-then-dtw", registry=registry).search(str(tmp_path / "query.mid"))
        assert [stage.matcher for stage in result.stages] == ["duration", "dtw"]
        assert {hit.id for hit in result.hits} == {"tone-2", "tone-4", "tone-6"}
        assert result.stages[0].ranks["tone-2"] == 3  # the shortest is furthest from the ~5 s query
