"""The plugin manager: loads built-in and third-party plugins once, and looks components up.

Built-ins are the modules in ``BUILTIN_PLUGINS``, registered through the same hooks a third
party uses. Third-party plugins are entry points in the group ``seqretrieve``. Environment:

- ``SEQRETRIEVE_LOAD_PLUGINS``: comma-separated entry-point names to load (allow-list; empty
  string loads none).
- ``SEQRETRIEVE_DISABLE_PLUGINS``: comma-separated plugin names to block (deny-list), built-in
  module names (``seqretrieve plugins`` lists them) as well as entry-point names; blocked
  plugins are listed as such.
- ``SEQRETRIEVE_TRACE_PLUGINS=1``: print every hook call and its result to stderr (pluggy's own
  tracing).

A third-party plugin never takes the tool down: one that fails to import, implements a hook
that does not exist (a misspelled name) or with wrong arguments, raises from a hook, or
registers a name another plugin already has is reported with a :class:`PluginLoadWarning` and
skipped (for a clash: only the later record; built-ins always come first). A built-in that
raises is a bug and raises.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginLoadWarning, UnknownComponentError
from .types import ComponentSpec, PipelineSpec

BUILTIN_PLUGINS = (
    "seqretrieve.cli.builtin",
    "seqretrieve.features.plugin",
    "seqretrieve.synth.plugin",
    "seqretrieve.matchers.plugin",
    "seqretrieve.pipelines.plugin",
    "seqretrieve.models.plugin",
    "seqretrieve.metadata.plugin",
)

#: component kind -> hook name
COMPONENT_HOOKS = {
    "feature_extractor": "seqretrieve_feature_extractors",
    "synthesizer": "seqretrieve_synthesizers",
    "representation": "seqretrieve_representations",
    "matcher": "seqretrieve_matchers",
    "pipeline": "seqretrieve_pipelines",
    "metadata_reader": "seqretrieve_metadata_readers",
    "text_normalizer": "seqretrieve_text_normalizers",
    "text_matcher": "seqretrieve_text_matchers",
}


@dataclass(frozen=True)
class PluginInfo:
    """One plugin: its name, where it comes from, version and the hooks it implements
    (``source`` is ``"blocked"`` and ``hooks`` empty for a plugin the deny-list blocked)."""

    name: str
    source: str
    version: str
    hooks: tuple[str, ...]


def _names_from_env(var: str) -> set[str] | None:
    value = os.environ.get(var)
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _skip(message: str) -> None:
    warnings.warn(message, PluginLoadWarning, stacklevel=3)


class Registry:
    """Components by kind and name, merged from all plugins of one ``pluggy.PluginManager``."""

    def __init__(self, manager: pluggy.PluginManager, plugin_sources: dict[str, tuple[str, str]]):
        self.manager = manager
        self._sources = plugin_sources
        self._components: dict[str, dict[str, ComponentSpec | PipelineSpec]] = {}
        self._owners: dict[str, dict[str, str]] = {}

    def register(self, plugin: Any, name: str) -> bool:
        """Add a plugin (a module or object with ``@hookimpl`` functions); one that implements an
        unknown hook or takes wrong arguments is reported and left out. True when registered."""
        try:
            self.manager.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            _skip(f"plugin {name!r} is skipped: {exc}")
            return False
        unknown = [caller.name for caller in self.manager.get_hookcallers(plugin) or [] if not caller.has_spec()]
        if unknown:
            self.manager.unregister(plugin)
            _skip(f"plugin {name!r} is skipped: it implements {', '.join(sorted(unknown))}, which is not a "
                  f"seqretrieve hook (misspelled?); see `seqretrieve plugins` and docs/plugins.md")
            return False
        self._components.clear()
        self._owners.clear()
        return True

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on each plugin implementing it, built-ins first, through pluggy (so
        tracing sees every call); returns (plugin name, result) pairs. A third-party plugin that
        raises is reported and left out."""
        hook = getattr(self.manager.hook, hook_name)
        results = []
        for impl in hook.get_hookimpls():  # registration order: built-ins first
            try:
                # what HookCaller.__call__ runs, for one implementation: monitored and traced
                (result,) = self.manager._hookexec(hook_name, [impl], kwargs, False) or [None]
            except Exception as exc:
                if impl.plugin_name in BUILTIN_PLUGINS:
                    raise
                _skip(f"plugin {impl.plugin_name!r} failed in {hook_name} and is skipped: "
                      f"{type(exc).__name__}: {exc}")
                continue
            results.append((impl.plugin_name, result))
        return results

    def components(self, kind: str) -> dict[str, Any]:
        """All records of one kind (a key of ``COMPONENT_HOOKS``) by name; a name registered
        twice keeps the first plugin's record (built-ins come first) and warns."""
        if kind not in self._components:
            merged: dict[str, Any] = {}
            owners: dict[str, str] = {}
            for plugin_name, records in self.call_each(COMPONENT_HOOKS[kind]):
                for record in records or []:
                    if not isinstance(record, (ComponentSpec, PipelineSpec)):
                        _skip(f"plugin {plugin_name!r} returned {record!r} from {COMPONENT_HOOKS[kind]}, "
                              f"not a ComponentSpec or PipelineSpec; it is skipped")
                        continue
                    if record.name in merged:
                        _skip(f"plugin {plugin_name!r} registers the {kind.replace('_', ' ')} "
                              f"{record.name!r}, which {owners[record.name]!r} already registers; "
                              f"{plugin_name}'s is skipped (rename it, or block one with "
                              f"SEQRETRIEVE_DISABLE_PLUGINS)")
                        continue
                    merged[record.name] = record
                    owners[record.name] = plugin_name
            self._components[kind] = merged
            self._owners[kind] = owners
        return self._components[kind]

    def owner(self, kind: str, name: str) -> str:
        """The name of the plugin whose record ``name`` of ``kind`` is used."""
        self.components(kind)
        return self._owners[kind][name]

    def get(self, kind: str, name: str) -> Any:
        """The record of ``kind`` called ``name``; an unknown name lists the choices."""
        available = self.components(kind)
        if name not in available:
            choices = ", ".join(sorted(available)) or "(none registered)"
            raise UnknownComponentError(
                f"unknown {kind.replace('_', ' ')} {name!r}; choose one of: {choices}"
            )
        return available[name]

    def create(self, kind: str, name: str, **overrides: Any) -> Any:
        """Build the component ``name`` of ``kind`` with its default parameters plus ``overrides``."""
        return self.get(kind, name).create(**overrides)

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin with its source, version and implemented hooks, then the
        blocked ones."""
        infos = []
        for name, plugin in self.manager.list_name_plugin():
            if plugin is None:
                infos.append(PluginInfo(name, "blocked", "-", ()))
                continue
            source, version = self._sources.get(name, ("builtin", _own_version()))
            hooks = tuple(sorted(h.name for h in self.manager.get_hookcallers(plugin) or []))
            infos.append(PluginInfo(name, source, version, hooks))
        return sorted(infos, key=lambda info: info.source == "blocked")


def _own_version() -> str:
    from . import __version__

    return __version__


def _trace(manager: pluggy.PluginManager) -> None:
    """pluggy's tracing (each hook call, the plugins it runs, its result), on stderr."""
    manager.trace.root.setwriter(lambda message: sys.stderr.write(f"[seqretrieve plugins] {message}"))
    manager.enable_tracing()


def build_registry(load_entry_points: bool = True) -> Registry:
    """A fresh registry: built-ins, then entry points, filtered by the env allow/deny lists."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    if os.environ.get("SEQRETRIEVE_TRACE_PLUGINS"):
        _trace(manager)
    for name in _names_from_env("SEQRETRIEVE_DISABLE_PLUGINS") or ():
        manager.set_blocked(name)
    sources: dict[str, tuple[str, str]] = {}
    registry = Registry(manager, sources)
    for module_name in BUILTIN_PLUGINS:
        if not manager.is_blocked(module_name):
            manager.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        allow = _names_from_env("SEQRETRIEVE_LOAD_PLUGINS")
        for ep in entry_points(group=hookspecs.PROJECT_NAME):
            if (allow is not None and ep.name not in allow) or manager.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken third-party plugin must not break the tool
                _skip(f"plugin {ep.name!r} ({ep.value}) failed to load and is skipped: {exc}")
                continue
            if registry.register(plugin, ep.name):
                dist = ep.dist
                sources[ep.name] = (f"entry point {ep.value}", dist.version if dist is not None else "unknown")
    return registry


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry, built on first use."""
    return build_registry()
