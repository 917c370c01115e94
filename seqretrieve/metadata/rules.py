"""Cleaning rules for (artist, title) drafts parsed from MIDI paths, and the rule protocol.

A rule is any object with ``name: str``, ``order: int`` (lower runs first) and
``apply(draft: Draft) -> Draft``; it returns the draft unchanged when it does not fire. Rules
are registered through the ``seqretrieve_text_normalizers`` hook (see ``docs/metadata.md``);
the cleaner records the name of every rule that changed the draft.

Flags a rule may set (each lowers the confidence, see ``clean.FLAG_PENALTIES``):
``no-artist``, ``no-title``, ``film``, ``unsplit-name``, ``version-suffix``, ``track-number``,
``remark``, ``featuring``, ``artist-from-name``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Protocol

from .text import is_single_case, match_key, smart_title_case


@dataclass(frozen=True)
class Draft:
    """The (artist, title) being cleaned; ``work``: a film/show/game the piece comes from;
    ``embedded``: track names and text events read from the MIDI file (may be empty)."""

    artist: str
    title: str
    work: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)
    embedded: tuple[str, ...] = ()

    def flagged(self, *flags: str, **changes: str) -> "Draft":
        """A copy with ``flags`` added and fields changed (a new artist clears ``no-artist``)."""
        new_flags = self.flags | set(flags)
        if changes.get("artist"):
            new_flags -= {"no-artist"}
        return replace(self, flags=new_flags, **changes)


class TextRule(Protocol):
    """A cleaning rule (see the module docstring)."""

    name: str
    order: int

    def apply(self, draft: Draft) -> Draft: ...


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -_.,;")


class RegexRule:
    """Applies ``pattern -> replacement`` to the chosen fields; sets ``flag`` when it fires."""

    def __init__(self, name: str, order: int, pattern: str, replacement: str = "",
                 fields: Iterable[str] = ("artist", "title"), flag: str = "", ignore_case: bool = True):
        self.name, self.order, self.flag = name, order, flag
        self.pattern = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        self.replacement, self.fields = replacement, tuple(fields)

    def apply(self, draft: Draft) -> Draft:
        changes = {}
        for name in self.fields:
            value = getattr(draft, name)
            new = _tidy(self.pattern.sub(self.replacement, value))
            if new != value and new:
                changes[name] = new
        if not changes:
            return draft
        return draft.flagged(*([self.flag] if self.flag else []), **changes)


class SeparatorsRule:
    """Underscores, ``%20`` and dots between word characters become spaces; spaces collapsed."""

    name, order = "separators", 10

    def apply(self, draft: Draft) -> Draft:
        def fix(text: str) -> str:
            text = text.replace("%20", " ").replace("_", " ")
            text = re.sub(r"(?<=\b\w)\.(?=\w\w)", ". ", text)  # "B.Idol": an initial
            text = re.sub(r"(?<=\w)\.(?=\w\w)", " ", text)  # "Sure.Polyphone" but not "R.E.M."
            return re.sub(r"\s+", " ", text).strip()

        return replace(draft, artist=fix(draft.artist), title=fix(draft.title))


class SplitNameRule:
    """``Artist - Title`` in the file name: split it when no artist is known or the left part
    repeats the folder's artist."""

    name, order = "split-name", 20

    def apply(self, draft: Draft) -> Draft:
        parts = re.split(r"\s+-\s+|\s*--\s*", draft.title, maxsplit=1)
        if len(parts) != 2 or not all(p.strip() for p in parts):
            return draft
        left, right = (p.strip() for p in parts)
        if re.fullmatch(r"\d+", left):  # "03 - Yesterday": a track number, not an artist
            return self.apply(draft.flagged("track-number", title=right)) if " - " in right else draft
        if draft.artist and match_key(left) == match_key(draft.artist):
            return replace(draft, title=right)
        if not draft.artist or "no-artist" in draft.flags:
            return draft.flagged("artist-from-name", artist=left, title=right)
        return draft


class GenericFolderRule:
    """A folder name that is not an artist (one letter, digits, "Various Artists", "2009 MIDI",
    "Sure.Polyphone.Midi") is dropped and the entry flagged ``no-artist``."""

    name, order = "generic-folder", 15
    WORDS = frozenset(
        "various artist artists midi midis mid mids misc miscellaneous unknown collection songs song "
        "music files file polyphone sure karaoke new download downloads other others sequences "
        "sequence seq tracks track varia poly hits top oldies classics pop rock best of the all".split()
    )

    def apply(self, draft: Draft) -> Draft:
        tokens = match_key(draft.artist).split()
        generic = (not tokens or len("".join(tokens)) == 1
                   or all(t.isdigit() or t in self.WORDS for t in tokens))
        if not generic:
            return draft
        return draft.flagged("no-artist", artist="")


class KnownWorksRule:
    """A folder named after a film, show or game (``Star Wars``) is a work, not an artist."""

    name, order = "known-works", 16
    WORKS = (
        "Star Wars", "Star Trek", "James Bond", "Harry Potter", "Lord of the Rings", "Indiana Jones",
        "Jurassic Park", "Back to the Future", "Ghostbusters", "Pirates of the Caribbean", "Titanic",
        "The Simpsons", "Friends", "Disney", "Zelda", "Super Mario", "Mario", "Final Fantasy",
        "Pokemon", "Sonic", "Tetris", "Les Miserables", "Phantom of the Opera", "Cats", "Evita",
        "Grease", "Mary Poppins", "The Lion King", "Aladdin", "Frozen", "Rocky", "Top Gun",
    )
    WORDS = frozenset("soundtrack soundtracks ost movie movies film films tv theme themes musical "
                      "musicals game games anime cartoon cartoons".split())

    def __init__(self, works: Iterable[str] = WORKS):
        self.keys = {match_key(w) for w in works}

    def apply(self, draft: Draft) -> Draft:
        key = match_key(draft.artist)
        if not key or (key not in self.keys and not (set(key.split()) & self.WORDS)):
            return draft
        return draft.flagged("film", "no-artist", artist="", work=draft.artist)


class InversionRule:
    """``Idol, Billy`` -> ``Billy Idol``; ``Beach Boys, The`` -> ``The Beach Boys``. Only one comma,
    short parts, and no ``&``/``and`` on the right (``Earth, Wind & Fire`` stays)."""

    name, order = "inversion", 30
    ARTICLES = frozenset("the a an die der das les los las la le el il".split())

    def apply(self, draft: Draft) -> Draft:
        changes = {}
        for name in ("artist", "title"):
            value = getattr(draft, name)
            if value.count(",") != 1:
                continue
            left, right = (p.strip() for p in value.split(","))
            right_words = right.split()
            if not left or not right_words:
                continue
            if right.lower() in self.ARTICLES or (
                name == "artist" and len(right_words) <= 2 and len(left.split()) <= 3
                and not re.search(r"&|\band\b|/|\d", right, re.IGNORECASE)
            ):
                changes[name] = f"{right} {left}"
        return replace(draft, **changes) if changes else draft


class CaseRule:
    """All-upper or all-lower text gets Title Case (``CREEP`` -> ``Creep``); mixed case is kept."""

    name, order = "case", 40

    def apply(self, draft: Draft) -> Draft:
        changes = {n: smart_title_case(getattr(draft, n)) for n in ("artist", "title")
                   if is_single_case(getattr(draft, n))}
        changes = {n: v for n, v in changes.items() if v != getattr(draft, n)}
        return replace(draft, **changes) if changes else draft


class SpacedInitialsRule:
    """Runs of single letters in the artist are joined: ``T L C`` -> ``TLC``, ``B B King`` -> ``BB King``."""

    name, order = "spaced-initials", 50
    RUN = re.compile(r"\b(?:[A-Za-z]\.?\s+){1,}[A-Za-z]\b\.?")

    def apply(self, draft: Draft) -> Draft:
        new = self.RUN.sub(lambda m: re.sub(r"[\s.]", "", m.group(0)).upper(), draft.artist)
        return replace(draft, artist=new) if new != draft.artist else draft


class GluedInitialRule:
    """An artist written without spaces that starts with an initial: ``BIdol`` -> ``B. Idol``,
    ``NMoreThanLess`` -> ``N. More Than Less`` (split at every capital)."""

    name, order = "glued-initial", 52

    def apply(self, draft: Draft) -> Draft:
        if " " in draft.artist or not re.match(r"[A-Z][A-Z][a-z]", draft.artist):
            return draft
        split = re.sub(r"(?<=[A-Za-z])(?=[A-Z])", " ", draft.artist)
        return replace(draft, artist=re.sub(r"\b([A-Z]) ", r"\1. ", split))


class McJoinRule:
    """``Amanda Mc Broom`` -> ``Amanda McBroom``."""

    name, order = "mc-join", 55

    def apply(self, draft: Draft) -> Draft:
        new = re.sub(r"\bMc\s+(?=[A-Z])", "Mc", draft.artist)
        return replace(draft, artist=new) if new != draft.artist else draft


class UninformativeTitleRule:
    """A title made only of generic words and numbers (``Poly 2268``, ``VARIA180``; a bare number
    only when there is no artist: ``Prince/1999`` stays) is dropped and flagged ``no-title``; a long single glued token from an all-caps/all-lower name
    (``REWINDNAS``, ``Jerseygi``) is kept but flagged ``unsplit-name``."""

    name, order = "uninformative-title", 90
    WORDS = GenericFolderRule.WORDS | frozenset("untitled demo test mix instrumental inst".split())

    def apply(self, draft: Draft) -> Draft:
        tokens = re.findall(r"[^\W\d_]+|\d+", match_key(draft.title))
        words = [t for t in tokens if not t.isdigit()]
        if not tokens or (all(t in self.WORDS for t in words) and (words or not draft.artist)):
            return draft.flagged("no-title", title="")
        if len(tokens) == 1 and len(tokens[0]) >= 8 and tokens[0].isalpha() and "no-artist" in draft.flags:
            return draft.flagged("unsplit-name")
        return draft


class EmbeddedTextRule:
    """When the path gave no title, the first informative embedded track name becomes the title
    (flag ``title-from-midi``); an embedded ``Artist - Title`` fills a missing artist too."""

    name, order = "midi-text", 95
    INSTRUMENTS = frozenset(
        "piano melody bass drums drum strings guitar organ vocal vocals voice lead track channel "
        "percussion synth brass sax flute violin harmony chords melodia bridge copyright".split()
    )

    def _informative(self, text: str) -> bool:
        tokens = re.findall(r"[^\W\d_]+", match_key(text))
        return len(tokens) >= 1 and not all(
            t in self.INSTRUMENTS or t in UninformativeTitleRule.WORDS or len(t) == 1 for t in tokens)

    def apply(self, draft: Draft) -> Draft:
        if draft.title or not draft.embedded:
            return draft
        for text in draft.embedded:
            text = _tidy(text)
            if not self._informative(text) or len(text) > 80:
                continue
            parts = re.split(r"\s+-\s+", text, maxsplit=1)
            if len(parts) == 2 and not draft.artist and all(self._informative(p) for p in parts):
                return draft.flagged("title-from-midi", artist=parts[0].strip(), title=parts[1].strip())
            return draft.flagged("title-from-midi", title=text)
        return draft


def builtin_rules() -> list:
    """The built-in rules in run order."""
    return sorted([
        SeparatorsRule(),
        GenericFolderRule(),
        KnownWorksRule(),
        SplitNameRule(),
        RegexRule("track-number", 22, r"^(?:track\s*)?(?:\d{1,3}\s*[-._)]\s*|0\d\s+)(?=\D)",
                  fields=("title",), flag="track-number"),
        InversionRule(),
        RegexRule("featuring", 28, r"\s*[\(\[]?\s*\b(?:feat\.?|ft\.|featuring)\s+[^\)\]]*[\)\]]?",
                  flag="featuring"),
        RegexRule("remark", 34, r"\s*[\(\[\{][^\)\]\}]*[\)\]\}]", flag="remark"),
        RegexRule("dos-tilde", 35, r"~\d+$", fields=("title",)),  # 8.3 "GIRLSJ~1"
        RegexRule("version-suffix", 36,
                  r"(?:\s*-?\s*\b(?:v|ver|version|take|tk|alt|mix)\.?\s*\d+[a-z]?"
                  r"|\s*-\s*[a-z]?\d+[a-z]?|(?<=[a-z]{2})\d{1,3})+$",
                  fields=("title",), flag="version-suffix"),
        CaseRule(),
        SpacedInitialsRule(),
        GluedInitialRule(),
        McJoinRule(),
        UninformativeTitleRule(),
        EmbeddedTextRule(),
    ], key=lambda r: r.order)
