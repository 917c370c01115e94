"""A broken third-party plugin is reported and skipped, never takes the tool down (issue 12 item 9):
a misspelled hook, wrong hook arguments, a hook that raises, a name clash with a built-in, a
register_commands hook that raises; SEQRETRIEVE_DISABLE_PLUGINS blocks built-ins too."""

from __future__ import annotations

import sys
import textwrap

import pytest

from seqretrieve import ComponentSpec
from seqretrieve.errors import PluginLoadWarning
from seqretrieve.registry import build_registry
from seqretrieve.testing import run_cli

from .test_registry import _plugin

BAD_PLUGINS = {
    "misspelled": """
        from seqretrieve import hookimpl

        @hookimpl
        def seqretrieve_matcher():
            return []
    """,
    "raises": """
        from seqretrieve import hookimpl

        @hookimpl
        def seqretrieve_matchers():
            raise RuntimeError("boom")

        @hookimpl
        def seqretrieve_register_commands(app):
            raise RuntimeError("no commands today")
    """,
    "clashes": """
        from seqretrieve import ComponentSpec, hookimpl

        @hookimpl
        def seqretrieve_matchers():
            return [ComponentSpec("dtw", object)]
    """,
    "wrongargs": """
        from seqretrieve import hookimpl

        @hookimpl
        def seqretrieve_register_commands(application):
            pass
    """,
}


def test_hook_that_raises_is_skipped_with_a_warning():
    registry = build_registry(load_entry_points=False)

    def boom():
        raise RuntimeError("boom")

    registry.register(_plugin(seqretrieve_matchers=boom), name="boomer")
    with pytest.warns(PluginLoadWarning, match="'boomer' failed in seqretrieve_matchers.*boom"):
        assert "dtw" in registry.components("matcher")


def test_misspelled_hook_skips_the_plugin():
    registry = build_registry(load_entry_points=False)
    with pytest.warns(PluginLoadWarning, match="seqretrieve_matcher, which is not a seqretrieve hook"):
        assert not registry.register(_plugin(seqretrieve_matcher=lambda: []), name="typo")
    assert "typo" not in {info.name for info in registry.plugins()}
    registry.manager.check_pending()


def test_clash_with_a_builtin_keeps_the_builtin():
    registry = build_registry(load_entry_points=False)
    registry.register(_plugin(seqretrieve_matchers=lambda: [ComponentSpec("dtw", object)]), name="clasher")
    with pytest.warns(PluginLoadWarning, match=r"'clasher' registers the matcher 'dtw'.*seqretrieve.matchers.plugin"):
        assert registry.get("matcher", "dtw").factory is not object
    assert registry.owner("matcher", "dtw") == "seqretrieve.matchers.plugin"


def test_disable_plugins_blocks_builtins_and_lists_them(monkeypatch):
    monkeypatch.setenv("SEQRETRIEVE_DISABLE_PLUGINS", "seqretrieve.models.plugin")
    registry = build_registry(load_entry_points=False)
    assert "hash-dtw" not in registry.components("matcher") and "dtw" in registry.components("matcher")
    infos = {info.name: info for info in registry.plugins()}
    assert infos["seqretrieve.models.plugin"].source == "blocked"


def test_tracing_traces_component_hooks(monkeypatch, capsys):
    monkeypatch.setenv("SEQRETRIEVE_TRACE_PLUGINS", "1")
    build_registry(load_entry_points=False).components("matcher")
    err = capsys.readouterr().err
    assert "[seqretrieve plugins]" in err and "seqretrieve_matchers" in err and "finish" in err


@pytest.fixture
def bad_plugins_on_path(tmp_path):
    """The bad plugin modules as installed entry points (a dist-info folder on PYTHONPATH)."""
    for name, source in BAD_PLUGINS.items():
        (tmp_path / f"bad_{name}.py").write_text(textwrap.dedent(source))
    dist = tmp_path / "bad_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: bad-plugins\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[seqretrieve]\n" + "".join(f"{name} = bad_{name}\n" for name in BAD_PLUGINS))
    return {"PYTHONPATH": f"{tmp_path}:{':'.join(p for p in sys.path if p)}"}


@pytest.mark.parametrize("command", [["plugins"], ["index", "info", "--index", "{tmp}/none"], ["query", "--help"]])
def test_bad_plugins_never_take_a_command_down(bad_plugins_on_path, tmp_path, command):
    result = run_cli(*[part.format(tmp=tmp_path) for part in command], env=bad_plugins_on_path)
    assert "Traceback" not in result.stderr
    for name in ("misspelled", "raises", "wrongargs"):
        assert f"warning: plugin '{name}'" in result.stderr, result.stderr
    assert all(line.startswith(("warning: ", "error: ")) for line in result.stderr.splitlines())
    if command == ["plugins"]:  # lists every component: the clash shows up too
        assert "warning: plugin 'clashes' registers the matcher 'dtw'" in result.stderr
        assert result.returncode == 0 and "seqretrieve.matchers.plugin" in result.stdout
        assert "clashes" in result.stdout  # loaded: only its clashing record is skipped
