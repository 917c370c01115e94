"""Errors that the CLI turns into one clear line (exit code 1), never a traceback.

Raise a subclass of :class:`SeqretrieveError` for every failure a user can cause (bad file,
missing index, unknown plugin name); anything else is a bug and shows its traceback.
"""


class SeqretrieveError(Exception):
    """A failure the user can understand and fix; its message is shown as one line."""


class InputFileError(SeqretrieveError):
    """An input file is missing, unreadable, empty, corrupt or of the wrong kind."""


class UnknownComponentError(SeqretrieveError):
    """A plugin component was asked for by a name nobody registered."""


class ComponentClashError(SeqretrieveError):
    """Two plugins registered a component under the same name."""


class IndexError_(SeqretrieveError):
    """The index is missing, corrupt, written by another schema, or does not hold what is asked."""


class ModelMismatchError(IndexError_):
    """The index was built with another model (name, version or checksum) than the one asked for."""


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM stopped a command; the message says what was kept.

    Raised by the CLI's signal handlers (like KeyboardInterrupt, not an ``Exception``: nothing
    may swallow it); code that commits on the way out catches it with KeyboardInterrupt.
    ``signum`` gives the exit status, 128 + signum (130 for Ctrl-C, 143 for SIGTERM).
    """

    def __init__(self, message: str = "interrupted", signum: int = 2):
        super().__init__(message)
        self.signum = signum
