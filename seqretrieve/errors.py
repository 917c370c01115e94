"""Every error and warning class of seqretrieve, in one module (librosa's ``util/exceptions``).

The CLI turns a :class:`SeqretrieveError` into one clear line on stderr and exits with its
``exit_code``: 2 for a :class:`UsageError` (a name or value on the command line that names
nothing or is out of range), 1 for every other failure a user can cause (bad file, missing
index, model mismatch). Anything else is a bug and shows its traceback.

Hierarchy::

    SeqretrieveError
      UsageError (exit 2)
        UnknownComponentError     no component of that kind has that name
        ParameterError            a component setting is invalid (also a ValueError)
      InputFileError              an input file is missing, unreadable, corrupt
      SynthesisError              a synthesizer, its SoundFont or a rendering failed
      DTWInputError               empty, misshapen or NaN input to DTW (also a ValueError)
      ModelFileError              a shipped model file is missing or altered
      ModelMismatchError          a model does not fit the features or index it is used with
      IndexStoreError             the index is missing, corrupt, of another schema, ...
        IndexWriteError           writing to the index failed (disk full, I/O error)
        DuplicateEntryError       an entry id or content hash is already there
        CorruptValueError         a stored array value is damaged
        IndexBusyError            another process is writing to the index

    Interrupted (a BaseException, like KeyboardInterrupt): Ctrl-C or SIGTERM, exit 128 + signum
"""


class SeqretrieveError(Exception):
    """A failure the user can understand and fix; its message is shown as one line."""

    #: the CLI's exit status for this error
    exit_code = 1


class UsageError(SeqretrieveError):
    """A command-line name or value that names nothing or is out of range (exit code 2)."""

    exit_code = 2


class UnknownComponentError(UsageError):
    """A plugin component was asked for by a name nobody registered."""


class ParameterError(UsageError, ValueError):
    """A component was given a setting it cannot take (wrong value, unknown option)."""


class InputFileError(SeqretrieveError):
    """An input file is missing, unreadable, empty, corrupt or of the wrong kind."""


class SynthesisError(SeqretrieveError):
    """A synthesizer or its SoundFont is missing, or rendering produced nothing."""


class DTWInputError(SeqretrieveError, ValueError):
    """A sequence or distance matrix given to DTW is empty, misshapen or holds NaN."""


class ModelFileError(SeqretrieveError):
    """A shipped model file is missing, or its sha256 differs from its card."""


class ModelMismatchError(SeqretrieveError):
    """A model does not fit what it is used with: the index holds another model's arrays (name,
    version or checksum), or the features are not the ones the model was trained on."""


class IndexStoreError(SeqretrieveError):
    """The index is missing, corrupt, written by another schema, or does not hold what is asked."""


#: The old name, kept only while branches written before the rename are merged; remove then.
IndexError_ = IndexStoreError


class IndexWriteError(IndexStoreError):
    """Writing to the index failed (disk full, file size limit, I/O error); commits are kept."""


class DuplicateEntryError(IndexStoreError):
    """An entry id or a content hash is already in the index."""


class CorruptValueError(IndexStoreError):
    """A stored array value has a bad header or a length that does not match its shape."""


class IndexBusyError(IndexStoreError):
    """Another process is writing to the index."""


class PluginLoadWarning(UserWarning):
    """A third-party plugin could not be loaded or failed; seqretrieve goes on without it."""


class CatalogDecodeWarning(UserWarning):
    """Some catalogue lines had undecodable bytes or were malformed; they were repaired or skipped."""


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM stopped a command; the message says what was kept.

    Raised by the CLI's signal handlers (like KeyboardInterrupt, not an ``Exception``: nothing
    may swallow it); code that commits on the way out catches it with KeyboardInterrupt.
    ``signum`` gives the exit status, 128 + signum (130 for Ctrl-C, 143 for SIGTERM).
    """

    def __init__(self, message: str | None = None, signum: int = 2):
        super().__init__(message or ("interrupted" if signum == 2 else "terminated"))
        self.signum = signum
        #: False for the signal handler's bare one: nothing on the way out said what was kept yet
        self.explained = message is not None
