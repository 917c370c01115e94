"""Where the index lives when no ``--index`` is given."""

from __future__ import annotations

import os


def default_index_path() -> str:
    """``$SEQRETRIEVE_INDEX`` if set, else ``<user data dir>/seqretrieve/index``."""
    explicit = os.environ.get("SEQRETRIEVE_INDEX")
    if explicit:
        return explicit
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("seqretrieve"), "index")
