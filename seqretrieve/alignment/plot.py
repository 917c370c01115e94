"""A picture of an alignment: the cosine distance matrix with the DTW path on top."""

from __future__ import annotations


def plot_alignment(alignment, path: str) -> None:
    """Write a PNG of the (T_m, T_a) distance matrix with the path, axes in seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..dtw.distance import cosine_distance

    distance = cosine_distance(alignment.midi_features.frames, alignment.audio_features.frames)
    extent = [0, alignment.audio_features.duration, alignment.midi_features.duration, 0]
    fig, ax = plt.subplots(figsize=(8, 6), dpi=100)
    ax.imshow(distance, aspect="auto", cmap="magma_r", extent=extent, interpolation="nearest")
    ax.plot(alignment.audio_times, alignment.midi_times, color="cyan", linewidth=1.2)
    ax.set_xlabel("recording (s)")
    ax.set_ylabel("MIDI (s)")
    ax.set_title(f"confidence {alignment.confidence:.2f}, score {alignment.score:.3f}")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
