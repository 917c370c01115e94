"""The root ``typer`` app; every command group arrives through the ``seqretrieve_register_commands``
hook (built-ins in ``seqretrieve/cli/builtin.py``, third parties through entry points).

Exit codes: 0 success (also "no match above threshold"), 1 runtime failure, 2 usage error.
Known errors (:class:`seqretrieve.errors.SeqretrieveError`) print one line on stderr and exit
with their ``exit_code`` (2 for a :class:`~seqretrieve.errors.UsageError`); set
``SEQRETRIEVE_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import warnings

import typer

from ..errors import Interrupted, SeqretrieveError


def build_app() -> typer.Typer:
    """The full CLI with every registered plugin's commands."""
    from ..registry import get_registry

    app = typer.Typer(
        name="seqretrieve",
        help="Find, align and match the audio recording for a MIDI file.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    get_registry().call_each("seqretrieve_register_commands", app=app)
    return app


def _show_version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"seqretrieve {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Find, align and match the audio recording for a MIDI file."""


def _one_line_plugin_warnings() -> None:
    """Show a skipped plugin as one ``warning: ...`` line on stderr (not Python's two-line form)."""
    from ..errors import PluginLoadWarning
    from .output import stderr

    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PluginLoadWarning):
            from rich.markup import escape

            text = " ".join(str(message).split())
            stderr.print(f"[yellow]warning:[/] {escape(text)}", highlight=False, soft_wrap=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def main() -> None:
    """Console-script entry point."""
    from .output import print_error, print_interrupted

    debug = bool(os.environ.get("SEQRETRIEVE_DEBUG"))
    _one_line_plugin_warnings()
    if not debug:
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="librosa")
    signal.signal(signal.SIGINT, _interrupt)  # typer would turn Ctrl-C into a silent exit 130
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        build_app()()
    except (SeqretrieveError, OSError) as exc:  # OSError: unwritable output path, disk full, ...
        if debug:
            raise
        print_error(str(exc))
        sys.exit(getattr(exc, "exit_code", 1))
    except Interrupted as exc:
        print_interrupted(str(exc))
        sys.exit(128 + exc.signum)


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM stop a command alike: it commits what it can and says so."""
    signal.signal(signum, signal.SIG_DFL)  # a second one stops at once
    raise Interrupted(signum=signum)


if __name__ == "__main__":
    main()
