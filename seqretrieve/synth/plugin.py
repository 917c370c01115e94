"""Built-in synthesizers: ``tinysoundfont`` (renders audio; a wheel), ``cqt-templates`` (CQT frames from
note templates, no waveform: the query default) and ``fluidsynth`` (needs libfluidsynth).

Cheap to import: the synthesizer modules load only when a factory runs.
"""

from __future__ import annotations

from importlib import import_module

from ..hookspecs import hookimpl
from ..types import ComponentSpec


def _lazy(module: str, name: str):
    """A factory importing ``name`` from ``.module`` only when a synthesizer is built."""

    def factory(**parameters):
        return getattr(import_module(f".{module}", __package__), name)(**parameters)

    return factory


@hookimpl
def seqretrieve_synthesizers():
    return [
        ComponentSpec(
            "tinysoundfont",
            _lazy("tinysf", "TinySoundFontSynth"),
            version="1",
            description="TinySoundFont offline renderer; pretty_midi's TimGM6mb.sf2 by default",
            parameters={"soundfont": None, "pitch_bends": True, "tail": 1.0},
        ),
        ComponentSpec(
            "cqt-templates",
            _lazy("templates", "CQTTemplateSynth"),
            version="1",
            description="CQT frames without a waveform: TimGM6mb note templates summed (cqt extractor only)",
            parameters={"templates": None, "pitch_bends": True, "tail": 1.0},
        ),
        ComponentSpec(
            "fluidsynth",
            _lazy("fluid", "FluidSynth"),
            version="1",
            description="FluidSynth via pretty_midi (needs pyfluidsynth + libfluidsynth)",
            parameters={"soundfont": None},
        ),
    ]
