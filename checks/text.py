"""Text normalisation shared by every check (CHECKS.md, "Visible content only").

Text is matched after Unicode NFKC normalisation with entities decoded (lxml already
decodes them), the no-break spaces U+00A0/U+202F as plain spaces and the non-breaking
hyphens U+2011/U+2010 as '-'. Case folding is left to each check ("where said").
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2011": "-",
        "\u2010": "-",
        "\u00ad": "",  # soft hyphen: invisible
        # What NFKC makes of it anyway; replaced first, the text is often in NFKC after
        # (labels such as "Lire la suite…"), and the NFKC pass is not needed.
        "\u2026": "...",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v]+")


_SPECIAL_PAIRS = tuple((chr(code), str(value)) for code, value in _TRANSLATE.items())
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def normalize(text: str) -> str:
    """NFKC-normalise ``text`` and map the special spaces and hyphens to ASCII.

    Each step is skipped when a C-level test says it would change nothing: this runs on
    every page of a crawl.
    """
    if text.isascii():
        return text
    return normalize_nfkc(_replace_special(text))


def normalize_nfkc(text: str) -> str:
    """:func:`normalize` for a text whose special spaces and hyphens are already replaced."""
    if text.isascii():
        return text
    parts = []
    changed = False
    for part in _nfkc_parts(text):
        # ``unicodedata.normalize`` gives the part itself back when its quick check says
        # it is in NFKC, and normalises it otherwise: never twice.
        normalized = unicodedata.normalize("NFKC", part)
        changed = changed or normalized is not part
        parts.append(normalized)
    return _replace_special("".join(parts)) if changed else text


#: A text is normalised in parts of about this many characters.
_NFKC_PART = 2048


def _nfkc_parts(text: str) -> list[str]:
    """``text`` cut at a line break after every :data:`_NFKC_PART` characters.

    A line break is a stable character (NFKC never composes across it nor reorders marks
    over it), so the parts can be normalised apart: a page with one "™" normalises one
    part, not the page. (``unicodedata.is_normalized`` was no help: on a text holding
    combining marks it answers by normalising the whole text, once more at each halving.)
    """
    if len(text) <= _NFKC_PART:
        return [text]
    parts = []
    start = 0
    while start < len(text):
        cut = text.find("\n", start + _NFKC_PART)
        end = len(text) if cut == -1 else cut + 1
        parts.append(text[start:end])
        start = end
    return parts


def _replace_special(text: str) -> str:
    # One C-speed ``in`` and ``replace`` per special character: faster than a regex
    # substitution with a callback, and than ``str.translate`` with a dict, which looks
    # up every character of the page.
    for char, replacement in _SPECIAL_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text


def squash(text: str) -> str:
    """``normalize`` then collapse every run of whitespace (newlines included) to one space."""
    return " ".join(normalize(text).split())


def _accent_table() -> dict[str, str]:
    """Lower-case Latin letters whose decomposition is one base letter and marks only."""
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code).lower()
        base = _COMBINING.sub("", unicodedata.normalize("NFD", char))
        if len(char) == 1 and len(base) == 1 and base != char:
            table[char] = base
    return table


_ACCENT_TABLE = _accent_table()
_ACCENTED = re.compile("[" + "".join(sorted(_ACCENT_TABLE)) + "]")


#: The accented letters of French text, replaced one by one before anything else.
_FRENCH_ACCENTS = tuple((char, _ACCENT_TABLE[char]) for char in "éèêëàâäçîïôöùûüÿ")


def _unaccent(match: re.Match[str]) -> str:
    return _ACCENT_TABLE[match.group()]


def fold(text: str) -> str:
    """Lower-case and strip accents, for keyword matching ("Médiateur" == "mediateur").

    Length-preserving for Latin text (``str.lower`` rather than ``casefold``, which turns
    "ß" into "ss"; a precomposed letter decomposes into base + marks, and the marks go),
    so that an offset in the folded text is an offset in the text.

    The result is that of NFD then removing the combining marks; French accented letters
    are replaced first (``str.replace``), then any other Latin one from a table, so that
    the decomposition of a whole page runs only when something else needs it.
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    for accented, base in _FRENCH_ACCENTS:  # C-speed find and replace, no callback
        if accented in lowered:
            lowered = lowered.replace(accented, base)
    if lowered.isascii():
        return lowered
    if not unicodedata.is_normalized("NFD", lowered):  # another precomposed letter
        lowered = unicodedata.normalize("NFD", _ACCENTED.sub(_unaccent, lowered))
    return _COMBINING.sub("", lowered)


def collapse_spaces(text: str) -> str:
    """Collapse runs of horizontal whitespace, keep line breaks."""
    return _SPACES.sub(" ", text)
