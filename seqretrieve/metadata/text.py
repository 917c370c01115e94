"""String helpers shared by the cleaning rules and the matchers.

``match_key`` folds a display string to the form used for comparison (diacritics removed,
case folded, punctuation dropped, non-Latin letters kept); display strings are never changed here.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = re.compile(r"\s*[\(\[\{][^\)\]\}]*[\)\]\}]\s*")
_FEAT = re.compile(r"\s+(?:feat\.?|ft\.?|featuring|with)\s+.*$", re.IGNORECASE)
_TITLE_FEAT = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_ACRONYM = re.compile(r"(?:\w\.)+\w?\.?")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_INITIAL_A = re.compile(r"^\s*a\.", re.IGNORECASE)


def fold(text: str) -> str:
    """Diacritics removed (NFKD, combining marks dropped), case folded; other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def match_key(text: str) -> str:
    """Comparison form: folded, ``&`` -> ``and``, apostrophes dropped, punctuation -> one space."""
    text = fold(text).replace("&", " and ").replace("+", " and ")
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).replace("_", " ").strip()


def artist_key(artist: str) -> str:
    """Key for an artist: ``match_key`` without a leading article (``A.`` is an initial, kept)
    or a ``feat.`` tail."""
    key = match_key(_FEAT.sub("", artist))
    stripped = key if _INITIAL_A.match(artist) else _LEADING_ARTICLE.sub("", key)
    return stripped or key


def title_key(title: str) -> str:
    """Key for a title: ``match_key`` without bracketed remarks or a ``feat.`` tail."""
    without = _BRACKETS.sub(" ", _TITLE_FEAT.sub("", title)).strip()
    return match_key(without or title)


def smart_title_case(text: str) -> str:
    """``"DON'T STOP me now"`` -> ``"Don't Stop Me Now"`` (every word capitalised, as the MSD does)."""
    return " ".join(word.upper() if _ACRONYM.fullmatch(word) else word[:1].upper() + word[1:].lower()
                    for word in text.split(" "))


def is_single_case(text: str) -> bool:
    """True when every cased letter is upper case, or every one is lower case."""
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    return bool(letters) and (all(c.isupper() for c in letters) or all(c.islower() for c in letters))
