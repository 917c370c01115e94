"""The plugin host: built-ins through hooks, clashes, unknown names, env allow/deny lists, bad plugins."""

from __future__ import annotations

import types
import warnings
from importlib.metadata import EntryPoint

import pytest

from seqretrieve import ComponentSpec, hookimpl
from seqretrieve.errors import PluginLoadWarning, UnknownComponentError
from seqretrieve.registry import COMPONENT_HOOKS, build_registry


def _plugin(**hooks) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{name: hookimpl(function) for name, function in hooks.items()})


def test_builtins_register_every_core_component():
    registry = build_registry(load_entry_points=False)
    assert "cqt" in registry.components("feature_extractor")
    assert "tinysoundfont" in registry.components("synthesizer")
    assert "dtw" in registry.components("matcher")
    assert "brute-force" in registry.components("pipeline")
    assert {"msd", "csv"} <= set(registry.components("metadata_reader"))


def test_unknown_name_lists_the_choices():
    registry = build_registry(load_entry_points=False)
    with pytest.raises(UnknownComponentError, match=r"unknown matcher 'nope'; choose one of: .*dtw"):
        registry.get("matcher", "nope")


def test_name_clash_names_both_plugins_and_keeps_the_first():
    registry = build_registry(load_entry_points=False)
    clash = _plugin(seqretrieve_matchers=lambda: [ComponentSpec("dtw", object)])
    registry.register(clash, name="clashing-plugin")
    with pytest.warns(PluginLoadWarning, match=r"'clashing-plugin' registers the matcher 'dtw'.*seqretrieve.matchers.plugin"):
        assert registry.get("matcher", "dtw").factory is not object


def test_create_merges_default_parameters_with_overrides():
    registry = build_registry(load_entry_points=False)
    plugin = _plugin(
        seqretrieve_matchers=lambda: [ComponentSpec("echo", lambda **kw: kw, parameters={"a": 1, "b": 2})]
    )
    registry.manager.register(plugin, name="echo-plugin")
    assert registry.create("matcher", "echo", b=3) == {"a": 1, "b": 3}


def test_parameters_left_out_come_from_the_factory_signature():
    class Thing:
        def __init__(self, size, gully=0.5, *, band=None, **extra):
            self.size, self.gully, self.band = size, gully, band

    spec = ComponentSpec("thing", Thing)
    assert spec.parameters == {"gully": 0.5, "band": None}
    assert ComponentSpec("given", Thing, parameters={"size": 1}).parameters == {"size": 1}
    assert vars(spec.create(size=2, band=3)) == {"size": 2, "gully": 0.5, "band": 3}


def test_builtin_defaults_are_written_once():
    from seqretrieve.dtw.defaults import CODES_GULLY, CODES_PENALTY, GULLY
    from seqretrieve.features.cqt import CQTExtractor

    registry = build_registry(load_entry_points=False)
    assert registry.get("matcher", "dtw").parameters["gully"] == GULLY
    hash_dtw = registry.get("matcher", "hash-dtw").parameters
    assert (hash_dtw["penalty"], hash_dtw["gully"]) == (CODES_PENALTY, CODES_GULLY)
    assert registry.create("feature_extractor", "cqt").params() == CQTExtractor().params()


def test_every_component_hook_is_known_to_pluggy():
    registry = build_registry(load_entry_points=False)
    for hook in COMPONENT_HOOKS.values():
        assert hasattr(registry.manager.hook, hook)


def _fake_entry_points(monkeypatch, entries):
    monkeypatch.setattr("seqretrieve.registry.entry_points", lambda group: entries)


def test_broken_third_party_plugin_is_a_warning(monkeypatch):
    broken = EntryPoint(name="broken", value="no_such_module_anywhere.plugin", group="seqretrieve")
    _fake_entry_points(monkeypatch, [broken])
    with pytest.warns(PluginLoadWarning, match="broken"):
        registry = build_registry()
    assert "dtw" in registry.components("matcher")


def test_env_deny_and_allow_lists(monkeypatch):
    broken = EntryPoint(name="broken", value="no_such_module_anywhere.plugin", group="seqretrieve")
    _fake_entry_points(monkeypatch, [broken])
    monkeypatch.setenv("SEQRETRIEVE_DISABLE_PLUGINS", "broken")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_registry()
    monkeypatch.delenv("SEQRETRIEVE_DISABLE_PLUGINS")
    monkeypatch.setenv("SEQRETRIEVE_LOAD_PLUGINS", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_registry()


def test_plugin_listing_shows_hooks():
    registry = build_registry(load_entry_points=False)
    infos = {info.name: info for info in registry.plugins()}
    assert "seqretrieve_matchers" in infos["seqretrieve.matchers.plugin"].hooks


def test_cli_version_and_help():
    from seqretrieve import __version__
    from seqretrieve.testing import run_cli

    assert run_cli("--version", check=True).stdout.strip() == f"seqretrieve {__version__}"
    listing = run_cli("--help", check=True).stdout
    for command in ("index", "query", "align", "clean-metadata", "match-metadata", "train", "evaluate", "plugins", "demo"):
        assert command in listing
