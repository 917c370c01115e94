"""DTW kernel speed: ours vs ``librosa.sequence.dtw`` on the same matrices, Hamming vs CQT DTW.

``run(quick)`` returns a Markdown section; every timing is the median of 5 repeats (1 in quick
mode) on one BLAS thread, and every comparison is a ratio measured in the same run.
"""

from __future__ import annotations

import numpy as np
from timing import median_seconds

SHAPES = [(2000, 2000), (650, 5000)]
DIMS = 48


def _unit_rows(rng, n):
    x = np.abs(rng.standard_normal((n, DIMS)))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _kernel_rows(rng, repeats):
    """Table rows: cells/s of ours vs librosa, with and without the distance matrix."""
    import librosa

    from seqretrieve.dtw.distance import cosine_distance
    from seqretrieve.dtw.kernel import dtw_path

    rows = []
    for n, m in SHAPES:
        X, Y = _unit_rows(rng, n), _unit_rows(rng, m)
        C = cosine_distance(X, Y)
        phi = float(np.median(C))
        cells = n * m
        ours_full = median_seconds(lambda: dtw_path(cosine_distance(X, Y), phi, 0.96), repeats)
        ours_dp = median_seconds(lambda: dtw_path(C, phi, 0.96), repeats)
        lib_full = median_seconds(
            lambda: librosa.sequence.dtw(X=X.T, Y=Y.T, metric="cosine", subseq=True), repeats
        )
        lib_dp = median_seconds(lambda: librosa.sequence.dtw(C=C, subseq=True), repeats)
        for label, ours, theirs in (
            ("distance + accumulation + path", ours_full, lib_full),
            ("accumulation + path (given C)", ours_dp, lib_dp),
        ):
            rows.append(
                f"| {n} x {m} | {label} | {cells / ours / 1e6:.0f} | {cells / theirs / 1e6:.0f} "
                f"| {theirs / ours:.1f}x |"
            )
    return rows


def _hamming_rows(rng, repeats):
    """Table rows: CQT DTW (align_features) vs Hamming DTW (align_codes) for one song pair."""
    from seqretrieve.dtw.align import align_codes, align_features, score_codes, score_features

    X, Y = _unit_rows(rng, 2000), _unit_rows(rng, 2000)
    cqt = median_seconds(lambda: align_features(X, Y), repeats)
    cqt_score = median_seconds(lambda: score_features(X, Y), repeats)
    rows = [f"| CQT 2000 x 2000 x 48, align_features (median penalty) | {cqt * 1e3:.2f} | 1x |"]
    rows.append(f"| CQT 2000 x 2000 x 48, score_features | {cqt_score * 1e3:.2f} | {cqt / cqt_score:.1f}x |")
    for n in (2000, 250):
        a = rng.integers(0, 2**32, n, dtype=np.uint32)
        b = rng.integers(0, 2**32, n, dtype=np.uint32)
        full = median_seconds(lambda: align_codes(a, b), repeats)
        only = median_seconds(lambda: score_codes(a, b), repeats)
        label = "same frame rate" if n == 2000 else "8x downsampled"
        rows.append(f"| codes {n} x {n} ({label}), align_codes | {full * 1e3:.3f} | {cqt / full:.0f}x |")
        rows.append(f"| codes {n} x {n} ({label}), score_codes | {only * 1e3:.3f} | {cqt / only:.0f}x |")
    return rows


def run(quick: bool = False) -> str:
    """Markdown section with the DTW kernel tables."""
    from threadpoolctl import threadpool_limits

    repeats = 1 if quick else 5
    rng = np.random.default_rng(0)
    with threadpool_limits(1):
        kernel_rows = _kernel_rows(rng, repeats)
        hamming_rows = _hamming_rows(rng, repeats)
    return "\n".join(
        [
            "## DTW kernels",
            "",
            f"One core, one BLAS thread, medians of {repeats} run(s). librosa is "
            "`librosa.sequence.dtw(..., subseq=True)` (with `X, Y, metric='cosine'` when it also "
            "computes the distance matrix); ours is `cosine_distance` + `dtw_path` (djitw "
            "semantics, gully 0.96, median penalty).",
            "",
            "| matrix | what is timed | ours (M cells/s) | librosa (M cells/s) | ours / librosa |",
            "|---|---|---|---|---|",
            *kernel_rows,
            "",
            "Hamming DTW on packed uint32 codes vs CQT DTW for one song pair (time per pair, "
            "speed-up relative to the first row).",
            "",
            "| pair | ms | speed-up vs CQT align |",
            "|---|---|---|",
            *hamming_rows,
            "",
        ]
    )


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
