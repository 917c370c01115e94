"""Public alignment API: DTW between a query (MIDI) and an entry (audio) with a confidence score.

Feature frames (CQT, L2-normalised rows) are compared by cosine distance; packed uint32 codes
(hash sequences) by Hamming distance. Path semantics: see :mod:`seqretrieve.dtw.kernel`.

Score (Raffel's thesis): ``cost / len(path)`` divided by the mean of the distance submatrix the
path spans; confidence ``clip(2 * (1 - score), 0, 1)``; a match when it is >= MATCH_THRESHOLD.
For codes, ``score`` is ``cost / len(path)`` in bits (what ranks entries, as published) and the
confidence is derived from the same path normalised the same way as for features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import DTWInputError, check_finite_frames, check_frames
from .defaults import CODES_GULLY, CODES_PENALTY, GULLY
from .distance import cosine_distance, hamming_distance
from .hamming import hamming_dtw_score
from .kernel import dtw_path, dtw_score, gully_start
from .median import fast_median

#: confidence at or above which an alignment counts as a match
MATCH_THRESHOLD = 0.5


@dataclass(frozen=True)
class AlignmentResult:
    """A DTW alignment: matched frame indices (K,) int64 of query and entry, start first.

    ``cost``: total path cost with penalties; ``score``: normalised cost (lower is better);
    ``confidence``: in [0, 1], a match when >= :data:`MATCH_THRESHOLD`.
    """

    path_query: np.ndarray
    path_entry: np.ndarray
    cost: float
    score: float
    confidence: float

    @property
    def is_match(self) -> bool:
        """True when the confidence reaches :data:`MATCH_THRESHOLD`."""
        return self.confidence >= MATCH_THRESHOLD


def confidence_from_score(score: float) -> float:
    """``clip(2 * (1 - score), 0, 1)``: 1 for a perfect path, 0 at chance level and beyond."""
    return float(np.clip(2.0 * (1.0 - score), 0.0, 1.0))


def normalized_score(
    C: np.ndarray, cost: float, length: int, p_min: int, p_max: int, q_min: int, q_max: int
) -> float:
    """``cost / length`` over the mean of ``C[p_min:p_max+1, q_min:q_max+1]`` (C: (N, M))."""
    spanned = float(C[p_min : p_max + 1, q_min : q_max + 1].mean(dtype=np.float64))
    per_step = cost / length
    if spanned > 0:
        return per_step / spanned
    return 0.0 if per_step == 0 else float("inf")


def _checked_frames(query_frames, entry_frames) -> tuple[np.ndarray, np.ndarray]:
    """Query (N, D) and entry (M, D) frames as arrays, or a DTWInputError if empty, misshapen
    or not finite."""
    query = check_frames(query_frames, "query frames", 2)
    entry = check_frames(entry_frames, "entry frames", 2)
    check_finite_frames(query, "query frames")
    check_finite_frames(entry, "entry frames")
    return query, entry


def _feature_costs(query_frames, entry_frames, penalty):
    """Cosine distance matrix (N, M) float32 and the penalty (its median when None)."""
    query, entry = _checked_frames(query_frames, entry_frames)
    C = cosine_distance(query, entry)
    return C, fast_median(C) if penalty is None else float(penalty)


def align_features(
    query_frames: np.ndarray,
    entry_frames: np.ndarray,
    penalty: float | None = None,
    gully: float = GULLY,
    band=None,
) -> AlignmentResult:
    """Align query frames to entry frames by DTW on cosine distance.

    Parameters
    ----------
    query_frames : np.ndarray, shape (N, D)
        Query feature frames (e.g. the synthesized MIDI's CQT), L2-normalised rows.
    entry_frames : np.ndarray, shape (M, D)
        Entry feature frames (the recording's), same D.
    penalty : float or None
        Additive cost of a non-diagonal step; None takes the median distance (djitw).
    gully : float
        Fraction of the shorter sequence the path must cover (free start, :data:`GULLY`).
    band : float, np.ndarray or None
        None (full DTW), a Sakoe-Chiba band as a fraction of the longer sequence, or per-row
        column limits (see :func:`seqretrieve.dtw.kernel.row_limits`).

    Returns
    -------
    AlignmentResult
        ``path_query``, ``path_entry`` (K,) int64 matched frame indices, start first; ``cost``,
        ``score`` (lower is better) and ``confidence`` in [0, 1].

    Raises
    ------
    DTWInputError
        Empty, misshapen (different D) or non-finite frames.

    Examples
    --------
    >>> import numpy as np
    >>> frames = np.eye(4, dtype=np.float32)
    >>> result = align_features(frames, frames)
    >>> result.path_query.tolist(), result.path_entry.tolist(), result.confidence
    ([0, 1, 2, 3], [0, 1, 2, 3], 1.0)
    """
    C, phi = _feature_costs(query_frames, entry_frames, penalty)
    p, q, cost = dtw_path(C, phi, gully, band, inplace=False)
    score = normalized_score(C, cost, len(p), p[0], p[-1], q[0], q[-1])
    return AlignmentResult(p, q, cost, score, confidence_from_score(score))


def score_features(
    query_frames: np.ndarray,
    entry_frames: np.ndarray,
    penalty: float | None = None,
    gully: float = GULLY,
    band=None,
) -> tuple[float, float]:
    """Score of :func:`align_features` without building the path (for ranking many entries).

    Parameters
    ----------
    query_frames : np.ndarray, shape (N, D)
        Query feature frames.
    entry_frames : np.ndarray, shape (M, D)
        Entry feature frames.
    penalty, gully, band
        As for :func:`align_features`.

    Returns
    -------
    tuple of (float, float)
        ``(score, confidence)``, equal to those of :func:`align_features`.

    Raises
    ------
    DTWInputError
        Empty, misshapen or non-finite frames.

    Examples
    --------
    >>> import numpy as np
    >>> score_features(np.eye(4, dtype=np.float32), np.eye(4, dtype=np.float32))
    (0.0, 1.0)
    """
    C, phi = _feature_costs(query_frames, entry_frames, penalty)
    stats = dtw_score(C, phi, gully, band)
    score = normalized_score(C, *stats)
    return score, confidence_from_score(score)


def score_query_rows(
    query_frames: np.ndarray,
    entry_frames: np.ndarray,
    rows: tuple[int, int] | None = None,
    gully: float = GULLY,
    median_stride: int = 1,
) -> tuple[float, float, tuple[int, int]]:
    """:func:`score_features` with the path kept to query frames ``rows`` (first, last; None:
    all), every entry frame in them, and where in the query the path lies.

    Only those rows' distances are computed: the same path and score as over the whole matrix
    wherever its best path lies in them (a path may start on the first row only at entry frame 0,
    and end on the last row only if it is the query's last). The penalty is the median distance
    of every ``median_stride``-th query frame to the entry (1: all of them, as
    :func:`score_features`; larger: cheaper, within a fraction of a percent on music).

    Returns
    -------
    tuple
        ``(score, confidence, (first, last))``: as :func:`score_features`, and the first and last
        query frame of the path.
    """
    query, entry = _checked_frames(query_frames, entry_frames)
    n, m = len(query), len(entry)
    first, last = (0, n - 1) if rows is None else (int(rows[0]), int(rows[1]))
    if not (0 <= first <= last < n) or median_stride < 1:
        raise DTWInputError(f"rows must be 0 <= first <= last < {n} and median_stride >= 1, "
                            f"got {rows} and {median_stride}")
    top, bottom = max(0, first - 1), min(n - 1, last + 1)  # a closed guard row where the query goes on
    C = cosine_distance(query[top : bottom + 1], entry)
    if top == 0 and bottom == n - 1:  # C holds every query frame (guard rows not closed yet)
        phi = fast_median(C[::median_stride])
    else:
        phi = fast_median(cosine_distance(query[::median_stride], entry))
    C[: first - top] = np.inf
    C[len(C) - (bottom - last) :] = np.inf
    g = gully_start(n, m, gully)
    cost, length, p_min, p_max, q_min, q_max = dtw_score(C, phi, gully, end_from=(max(0, g - top), g))
    score = normalized_score(C, cost, length, p_min, p_max, q_min, q_max)
    return score, confidence_from_score(score), (p_min + top, p_max + top)


def align_codes(
    query_codes: np.ndarray,
    entry_codes: np.ndarray,
    penalty: float = CODES_PENALTY,
    gully: float = CODES_GULLY,
    band: float | None = None,
) -> AlignmentResult:
    """Align two hash-code sequences by DTW on their Hamming distances.

    Parameters
    ----------
    query_codes : np.ndarray, shape (N,), uint32
        Packed 32-bit codes of the query (e.g. DHS codes of the MIDI side).
    entry_codes : np.ndarray, shape (M,), uint32
        Packed codes of the entry.
    penalty : float
        Additive cost of a non-diagonal step in bits (:data:`CODES_PENALTY`).
    gully : float
        Fraction of the shorter sequence the path must cover (:data:`CODES_GULLY`).
    band : float or None
        Sakoe-Chiba band as a fraction of the longer sequence; None = unconstrained.

    Returns
    -------
    AlignmentResult
        The path (K,) int64 each; ``score`` is cost / path length in bits (what ranks entries,
        as published); ``confidence`` comes from the same path normalised as for features.

    Raises
    ------
    DTWInputError
        Empty or misshapen code sequences.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([1, 2, 4, 8], np.uint32)
    >>> align_codes(codes, codes).score
    0.0
    """
    H = hamming_distance(query_codes, entry_codes)
    p, q, cost = dtw_path(H, penalty, gully, band)
    normalized = normalized_score(H, cost, len(p), p[0], p[-1], q[0], q[-1])
    return AlignmentResult(p, q, cost, cost / len(p), confidence_from_score(normalized))


def score_codes(
    query_codes: np.ndarray,
    entry_codes: np.ndarray,
    penalty: float = CODES_PENALTY,
    gully: float = CODES_GULLY,
) -> float:
    """:func:`align_codes`'s score without building the path (for ranking).

    One entry of :func:`seqretrieve.dtw.hamming.hamming_dtw_scores`, the kernel that scores
    many entries at once.

    Parameters
    ----------
    query_codes : np.ndarray, shape (N,), uint32
        Packed codes of the query.
    entry_codes : np.ndarray, shape (M,), uint32
        Packed codes of the entry.
    penalty, gully
        As for :func:`align_codes`.

    Returns
    -------
    float
        Cost / path length in bits, lower is better; +inf when either side is empty.

    Raises
    ------
    DTWInputError
        Misshapen code sequences or settings.

    Examples
    --------
    >>> import numpy as np
    >>> score_codes(np.array([1, 2, 4], np.uint32), np.array([1, 2, 4], np.uint32))
    0.0
    """
    return hamming_dtw_score(query_codes, entry_codes, penalty, gully)
