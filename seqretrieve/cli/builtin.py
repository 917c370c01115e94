"""Registers the built-in command groups through the same hook a third-party plugin uses."""

from __future__ import annotations

from ..hookspecs import hookimpl


@hookimpl
def seqretrieve_register_commands(app):
    from . import align, demo, evaluate, index, match, metadata, plugins, query, train

    for module in (index, query, match, align, metadata, train, evaluate, plugins, demo):
        module.register(app)
