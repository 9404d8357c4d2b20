"""Text normalisation shared by every check (CHECKS.md, "Visible content only").

Text is matched after Unicode NFKC normalisation with entities decoded (lxml already
decodes them), the no-break spaces U+00A0/U+202F as plain spaces and the non-breaking
hyphens U+2011/U+2010 as '-'. Case folding is left to each check ("where said").
"""

from __future__ import annotations

import re
import unicodedata

#: The special spaces and hyphens, read as plain ones, and the invisible characters.
_SPECIAL = {
    "\u00a0": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u200b": "",
    "\u2011": "-",
    "\u2010": "-",
    "\u00ad": "",  # soft hyphen: invisible
}
_SPECIAL_PAIRS = tuple(_SPECIAL.items())
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def normalize(text: str) -> str:
    """NFKC-normalise ``text`` and map the special spaces and hyphens to ASCII.

    NFKC alone makes plain spaces of the special ones, but keeps the soft hyphen, the
    zero-width space and U+2010 (and makes U+2010 of U+2011); no character becomes a
    special one through NFKC, so one replacement before it is enough.
    """
    if text.isascii():  # nothing to do, tested at C speed: most labels and many pages
        return text
    return unicodedata.normalize("NFKC", _replace_special(text))


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


def fold(text: str) -> str:
    """Lower-case and strip accents, for keyword matching ("Médiateur" == "mediateur").

    Length-preserving for Latin text (``str.lower`` rather than ``casefold``, which turns
    "ß" into "ss"; a precomposed letter decomposes into base + marks, and the marks go),
    so that an offset in the folded text is an offset in the text.
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _COMBINING.sub("", unicodedata.normalize("NFD", lowered))
