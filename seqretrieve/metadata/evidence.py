"""What a text candidate is evidence of, and when it is an answer (no heavy imports: the CLI
reads the defaults from here for ``--help``).

``kind``: ``artist-title`` (artist score >= ``ARTIST_EVIDENCE`` and title score >=
``TITLE_EVIDENCE``), ``artist-only`` (the artist matches, the title does not) or ``title-only``.
An *answer* is a rank-1 ``artist-title`` candidate scoring >= the threshold;
``DEFAULT_MIN_SCORE`` was chosen on the labelled set (docs/metadata.md, "Choosing the default").
"""

from __future__ import annotations

ARTIST_EVIDENCE, TITLE_EVIDENCE = 0.8, 0.75
DEFAULT_MIN_SCORE = 0.9
ANSWER_KIND = "artist-title"


def kind_of(artist_score: float, title_score: float) -> str:
    """``artist-title``, ``artist-only`` or ``title-only`` from a candidate's two scores (0-1)."""
    if artist_score >= ARTIST_EVIDENCE:
        return ANSWER_KIND if title_score >= TITLE_EVIDENCE else "artist-only"
    return "title-only"


def is_answer(candidate, min_score: float = DEFAULT_MIN_SCORE) -> bool:
    """True for a rank-1 ``artist-title`` candidate (a ``TextCandidate``) scoring >= ``min_score``."""
    return candidate.rank == 1 and candidate.kind == ANSWER_KIND and candidate.score >= min_score
