"""Built-in synthesizers: ``tinysoundfont`` (default, a wheel) and ``fluidsynth`` (needs libfluidsynth).

Cheap to import: the synthesizer modules load only when a factory runs.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..types import ComponentSpec


def _tinysoundfont(**parameters):
    from .tinysf import TinySoundFontSynth

    return TinySoundFontSynth(**parameters)


def _cqt_templates(**parameters):
    from .templates import CQTTemplateSynth

    return CQTTemplateSynth(**parameters)


def _fluidsynth(**parameters):
    from .fluid import FluidSynth

    return FluidSynth(**parameters)


@hookimpl
def seqretrieve_synthesizers():
    return [
        ComponentSpec(
            "tinysoundfont",
            _tinysoundfont,
            version="1",
            description="TinySoundFont offline renderer; pretty_midi's TimGM6mb.sf2 by default",
            parameters={"soundfont": None, "pitch_bends": True, "tail": 1.0},
        ),
        ComponentSpec(
            "cqt-templates",
            _cqt_templates,
            version="1",
            description="CQT frames without a waveform: TimGM6mb note templates summed (cqt extractor only)",
            parameters={"templates": None, "pitch_bends": True, "tail": 1.0},
        ),
        ComponentSpec(
            "fluidsynth",
            _fluidsynth,
            version="1",
            description="FluidSynth via pretty_midi (needs pyfluidsynth + libfluidsynth)",
            parameters={"soundfont": None},
        ),
    ]
