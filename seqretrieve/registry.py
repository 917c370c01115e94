"""The plugin manager: loads built-in and third-party plugins once, and looks components up.

Built-ins are the modules in ``BUILTIN_PLUGINS``, registered through the same hooks a third
party uses. Third-party plugins are entry points in the group ``seqretrieve``. Environment:

- ``SEQRETRIEVE_LOAD_PLUGINS``: comma-separated entry-point names to load (allow-list; empty
  string loads none).
- ``SEQRETRIEVE_DISABLE_PLUGINS``: comma-separated entry-point names to skip (deny-list).
- ``SEQRETRIEVE_TRACE_PLUGINS=1``: print every hook call to stderr.

A third-party plugin that fails to import is a warning, not a crash.
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
from .errors import ComponentClashError, PluginLoadWarning, UnknownComponentError
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
    """One registered plugin: its name, where it comes from, version and the hooks it implements."""

    name: str
    source: str
    version: str
    hooks: tuple[str, ...]


def _names_from_env(var: str) -> set[str] | None:
    value = os.environ.get(var)
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


class Registry:
    """Components by kind and name, merged from all plugins of one ``pluggy.PluginManager``."""

    def __init__(self, manager: pluggy.PluginManager, plugin_sources: dict[str, tuple[str, str]]):
        self.manager = manager
        self._sources = plugin_sources
        self._components: dict[str, dict[str, ComponentSpec | PipelineSpec]] = {}

    def components(self, kind: str) -> dict[str, Any]:
        """All records of one kind (a key of ``COMPONENT_HOOKS``) by name, clashes refused."""
        if kind not in self._components:
            hook = getattr(self.manager.hook, COMPONENT_HOOKS[kind])
            merged: dict[str, Any] = {}
            # Each implementation is called on its own so that a clash can name both plugins.
            owners: dict[str, str] = {}
            for impl in reversed(hook.get_hookimpls()):
                for record in impl.function() or []:
                    if record.name in merged:
                        raise ComponentClashError(
                            f"two plugins register the {kind.replace('_', ' ')} {record.name!r}: "
                            f"{owners[record.name]} and {impl.plugin_name}; disable one with "
                            f"SEQRETRIEVE_DISABLE_PLUGINS"
                        )
                    merged[record.name] = record
                    owners[record.name] = impl.plugin_name
            self._components[kind] = merged
        return self._components[kind]

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
        """Every registered plugin with its source, version and implemented hooks."""
        infos = []
        for name, plugin in self.manager.list_name_plugin():
            source, version = self._sources.get(name, ("builtin", _own_version()))
            hooks = tuple(
                sorted(h.name for h in self.manager.get_hookcallers(plugin) or [])
            )
            infos.append(PluginInfo(name, source, version, hooks))
        return infos


def _own_version() -> str:
    from . import __version__

    return __version__


def _trace(manager: pluggy.PluginManager) -> None:
    def before(hook_name, hook_impls, kwargs):
        print(f"[seqretrieve plugins] {hook_name} -> {[i.plugin_name for i in hook_impls]}", file=sys.stderr)

    def after(outcome, hook_name, hook_impls, kwargs):
        pass

    manager.add_hookcall_monitoring(before, after)


def build_registry(load_entry_points: bool = True) -> Registry:
    """A fresh registry: built-ins, then entry points filtered by the env allow/deny lists."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    sources: dict[str, tuple[str, str]] = {}
    for module_name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        allow = _names_from_env("SEQRETRIEVE_LOAD_PLUGINS")
        deny = _names_from_env("SEQRETRIEVE_DISABLE_PLUGINS") or set()
        for ep in entry_points(group=hookspecs.PROJECT_NAME):
            if (allow is not None and ep.name not in allow) or ep.name in deny:
                continue
            try:
                plugin = ep.load()
                manager.register(plugin, name=ep.name)
            except Exception as exc:  # a broken third-party plugin must not break the tool
                warnings.warn(
                    f"plugin {ep.name!r} ({ep.value}) failed to load and is skipped: {exc}",
                    PluginLoadWarning,
                    stacklevel=2,
                )
                continue
            dist = ep.dist
            sources[ep.name] = (
                f"entry point {ep.value}",
                dist.version if dist is not None else "unknown",
            )
    manager.check_pending()
    if os.environ.get("SEQRETRIEVE_TRACE_PLUGINS"):
        _trace(manager)
    return Registry(manager, sources)


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry, built on first use."""
    return build_registry()
