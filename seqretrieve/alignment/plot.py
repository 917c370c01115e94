"""A picture of an alignment: the distance matrix with the DTW path, and the warped notes.

Top: the cosine distance matrix of the aligned features (MIDI rendered at the alignment's rate)
drawn in the MIDI's seconds as written (rows) against the recording's seconds (columns), the
same axes as the path, with a colour bar. Bottom, on the same recording-time axis: the warped
notes as a piano roll, their onsets marked; notes placed by extrapolation beyond the path in
another colour.
"""

from __future__ import annotations

import numpy as np


def plot_alignment(alignment, path: str) -> None:
    """Write a PNG of ``alignment`` (a MidiAlignment) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..dtw.distance import cosine_distance

    distance = cosine_distance(alignment.midi_features.frames, alignment.audio_features.frames)
    audio_end = alignment.audio_features.duration
    midi_end = alignment.midi_features.duration / alignment.rate  # MIDI seconds as written
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 8), dpi=100, sharex=True, gridspec_kw={"height_ratios": [3, 1.2]}
    )
    image = top.imshow(distance, aspect="auto", cmap="magma_r", extent=[0, audio_end, midi_end, 0],
                       interpolation="nearest", vmin=float(np.percentile(distance, 1)),
                       vmax=float(np.percentile(distance, 99)))  # contrast: the extremes are rare
    top.plot(alignment.audio_times, alignment.midi_times, color="cyan", linewidth=1.2, label="DTW path")
    top.set_ylabel("MIDI as written (s)")
    top.set_xlim(0, audio_end)
    top.legend(loc="lower left", fontsize=8)
    fig.colorbar(image, ax=[top, bottom], label="cosine distance", fraction=0.04, pad=0.02)
    top.set_title(f"confidence {alignment.confidence:.2f}, score {alignment.score:.3f}, "
                  f"rate {alignment.rate:.3f} (recording s per MIDI s), "
                  f"{alignment.notes_extrapolated} of {alignment.notes} notes extrapolated", fontsize=10)
    _piano_roll(bottom, alignment)
    bottom.set_xlabel("recording (s)")
    fig.savefig(path)
    plt.close(fig)


def _piano_roll(ax, alignment) -> None:
    """Warped notes (pitch vs recording seconds): a bar per note, a tick at each onset; notes
    beyond the path's ends (extrapolated) in orange."""
    first, last = alignment.audio_times[0], alignment.audio_times[-1]
    pitches = []
    for note in (n for inst in alignment.aligned_midi.instruments if not inst.is_drum for n in inst.notes):
        outside = note.start < first or note.start > last  # the warp is monotone: outside the path
        color = "tab:orange" if outside else "tab:blue"
        ax.hlines(note.pitch, note.start, note.end, color=color, linewidth=3.5)
        ax.plot(note.start, note.pitch, marker="|", color="black" if not outside else "tab:red", markersize=7)
        pitches.append(note.pitch)
    if pitches:
        ax.set_ylim(min(pitches) - 2, max(pitches) + 2)
    ax.set_ylabel("pitch (warped notes)")
    ax.grid(axis="x", alpha=0.3)
