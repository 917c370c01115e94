"""``seqretrieve plugins``: the registered plugins, their hooks and their components."""

from __future__ import annotations

import typer

from .options import JSON_OPTION


def register(app: typer.Typer) -> None:
    """Add the ``plugins`` command."""
    app.command("plugins")(plugins)


def plugins(json_output: bool = JSON_OPTION) -> None:
    """List plugins (name, source, version, hooks; blocked ones too) and every component they register."""
    from rich.table import Table

    from ..registry import COMPONENT_HOOKS, get_registry
    from .output import cell, emit_json, stdout

    registry = get_registry()
    infos = registry.plugins()
    components = {kind: registry.components(kind) for kind in COMPONENT_HOOKS}
    if json_output:
        for info in infos:
            emit_json({"type": "plugin", "name": info.name, "source": info.source,
                       "version": info.version, "hooks": list(info.hooks)})
        for kind, records in components.items():
            for record in records.values():
                emit_json({"type": kind, "name": record.name, "version": record.version,
                           "description": record.description, "plugin": registry.owner(kind, record.name)})
        return
    table = Table(title="plugins", title_justify="left")
    # names never shrink (a pipe is 80 columns wide); other columns fold, never cut with "..."
    table.add_column("name", no_wrap=True, min_width=max(len(info.name) for info in infos))
    for column in ("source", "version", "hooks"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(*map(cell, (info.name, info.source, info.version, ", ".join(info.hooks))))
    stdout.print(table)
    table = Table(title="components", title_justify="left")
    table.add_column("kind", no_wrap=True)
    table.add_column("name", no_wrap=True, min_width=max(len(name) for records in components.values() for name in records))
    for column in ("version", "description"):
        table.add_column(column, overflow="fold")
    for kind, records in components.items():
        for record in records.values():
            table.add_row(*map(cell, (kind.replace("_", " "), record.name, record.version, record.description)))
    stdout.print(table)
