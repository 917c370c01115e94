"""The root ``typer`` app; every command group arrives through the ``seqretrieve_register_commands``
hook (built-ins in ``seqretrieve/cli/builtin.py``, third parties through entry points).

Exit codes: 0 success (also "no match above threshold"), 1 runtime failure, 2 usage error.
Known errors (:class:`seqretrieve.errors.SeqretrieveError`) print one line on stderr; set
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
    get_registry().manager.hook.seqretrieve_register_commands(app=app)
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


def main() -> None:
    """Console-script entry point."""
    from .output import print_error, print_interrupted

    debug = bool(os.environ.get("SEQRETRIEVE_DEBUG"))
    if not debug:
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="librosa")
    signal.signal(signal.SIGTERM, _terminate)
    try:
        build_app()()
    except (SeqretrieveError, OSError) as exc:  # OSError: unwritable output path, disk full, ...
        if debug:
            raise
        print_error(str(exc))
        sys.exit(1)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM through _terminate
        signum = getattr(exc, "signum", signal.SIGINT)
        print_interrupted(str(exc) or "interrupted")
        sys.exit(128 + signum)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM stops a command the way Ctrl-C does (work in progress is committed or dropped)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills at once
    raise Interrupted("terminated", signum)


if __name__ == "__main__":
    main()
