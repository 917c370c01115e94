"""The SoundFonts training and tuning may use (and only these), by short name.

pretty_midi's TimGM6mb and the Debian packages ``fluid-soundfont-gm``, ``fluidr3mono-gm-soundfont``,
``csound-soundfont`` and ``opl3-soundfont`` (``apt-get install`` them; ``make scale-data`` does).
``fluid-soundfont-gs`` is allowed too but is left out: its ``FluidR3_GS.sf2`` holds only 33 GS
variation presets (sound effects, key clicks) and no General MIDI bank, so it cannot render a
song. Every other font (MuseScore_General, for one) stays out of training and tuning, so timbres
no model was trained on remain for testing.
"""

from __future__ import annotations

from pathlib import Path

from ..synth.common import default_soundfont

#: short name -> SoundFont path (None: pretty_midi's bundled TimGM6mb)
TRAINING_FONTS: dict[str, Path | None] = {
    "timgm6mb": None,
    "fluidr3-gm": Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    "fluidr3mono-gm": Path("/usr/share/sounds/sf3/FluidR3Mono_GM.sf3"),
    "csound-gm": Path("/usr/share/sounds/sf2/sf_GMbank.sf2"),
    "opl3-fm": Path("/usr/share/sounds/sf2/OPL-3_FM_128M.sf2"),
}

#: the Debian package holding each font above
DEBIAN_PACKAGES = {"fluidr3-gm": "fluid-soundfont-gm", "fluidr3mono-gm": "fluidr3mono-gm-soundfont",
                   "csound-gm": "csound-soundfont", "opl3-fm": "opl3-soundfont"}


def available_fonts() -> dict[str, Path]:
    """Short name -> path of every training font installed on this machine (TimGM6mb always)."""
    found = {}
    for name, path in TRAINING_FONTS.items():
        path = default_soundfont() if path is None else path
        if path.is_file():
            found[name] = path
    return found


def missing_packages() -> list[str]:
    """Debian packages to install for the training fonts not on this machine (``make fonts``)."""
    return sorted(DEBIAN_PACKAGES[name] for name in DEBIAN_PACKAGES if name not in available_fonts())
