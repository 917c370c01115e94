"""seqretrieve: find, align and match the audio recording for a MIDI file.

Public API (nothing heavy is imported here):

- ``hookimpl``: the marker for plugin hook implementations.
- ``get_registry()``: the plugin registry (components by kind and name).
- ``ComponentSpec``, ``PipelineSpec``, ``PipelineStage``: records that hooks return.
"""

__version__ = "0.1.0"

from .hookspecs import hookimpl  # noqa: E402
from .registry import get_registry  # noqa: E402
from .types import ComponentSpec, PipelineSpec, PipelineStage  # noqa: E402

__all__ = ["hookimpl", "get_registry", "ComponentSpec", "PipelineSpec", "PipelineStage", "__version__"]
