"""``seqretrieve align SONG.mid RECORDING``: align a MIDI file to a recording."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..dtw.defaults import GULLY
from .options import JSON_OPTION, MAX_DURATION_OPTION, MIDI_MAX_DURATION_OPTION, MIDI_MAX_NOTES_OPTION


def register(app: typer.Typer) -> None:
    """Add the ``align`` command."""
    app.command("align", no_args_is_help=True)(align)


def align(
    midi_file: Path = typer.Argument(..., help="The MIDI file.", show_default=False),
    recording: Path = typer.Argument(..., help="The audio recording (wav, flac, ogg, mp3, ...).", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the MIDI warped onto the recording here."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write a PNG of the distance matrix and path here."),
    extractor: str = typer.Option("cqt", "--extractor", help="Feature extractor (see `seqretrieve plugins`)."),
    synth: str = typer.Option("tinysoundfont", "--synth", help="Synthesizer that renders the MIDI."),
    penalty: Optional[float] = typer.Option(None, help="Non-diagonal step penalty (default: the median distance)."),
    gully: float = typer.Option(GULLY, min=0.0, max=1.0, help="Fraction of the shorter sequence the path must cover."),
    band: Optional[float] = typer.Option(None, min=0.0, max=1.0, help="Restrict the path to a diagonal band (fraction)."),
    fit_tempo: bool = typer.Option(
        False, "--fit-tempo", help="Only align the MIDI scaled to the recording's length (same complete piece). "
        "Without it the global tempo is searched when the path as written covers too little of either side."
    ),
    max_duration: float = MAX_DURATION_OPTION,
    midi_max_duration: float = MIDI_MAX_DURATION_OPTION,
    midi_max_notes: int = MIDI_MAX_NOTES_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Align MIDI_FILE to RECORDING; print the confidence (a match when >= 0.5)."""
    from ..alignment.midi_to_audio import align_midi_to_audio
    from ..audio.midi import load_midi
    from ..registry import get_registry
    from .output import emit_json, plain, stdout

    registry = get_registry()
    alignment = align_midi_to_audio(
        load_midi(str(midi_file)),
        str(recording),
        registry.create("feature_extractor", extractor),
        registry.create("synthesizer", synth),
        penalty=penalty,
        gully=gully,
        band=band,
        fit_tempo=fit_tempo,
        max_duration=max_duration * 60,
    )
    if out is not None:
        alignment.aligned_midi.write(str(out))
    if plot is not None:
        from ..alignment.plot import plot_alignment

        plot_alignment(alignment, str(plot))
    summary = {"midi": str(midi_file), "recording": str(recording), **alignment.as_dict(),
               "out": str(out) if out else None, "plot": str(plot) if plot else None}
    if json_output:
        emit_json(summary)
        return
    verdict = "[green]match[/]" if summary["match"] else "[yellow]no match[/]"
    stdout.print(f"confidence [bold]{alignment.confidence:.3f}[/] ({verdict}), score {alignment.score:.4f}, "
                 f"path {summary['path_length']} frames; MIDI {summary['midi_span'][0]:.2f}-{summary['midi_span'][1]:.2f} s "
                 f"-> recording {summary['audio_span'][0]:.2f}-{summary['audio_span'][1]:.2f} s; "
                 f"rate {alignment.rate:.3f} (recording s per MIDI s); {alignment.notes} notes, "
                 f"{alignment.notes_extrapolated} outside the path placed by extrapolation")
    for label, path in (("aligned MIDI", out), ("plot", plot)):
        if path is not None:
            stdout.print(f"{label}: {plain(path)}", highlight=False)
