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
    }
)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def normalize(text: str) -> str:
    """NFKC-normalise ``text`` and map the special spaces and hyphens to ASCII."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_TRANSLATE)).translate(_TRANSLATE)


def squash(text: str) -> str:
    """``normalize`` then collapse every run of whitespace (newlines included) to one space."""
    return " ".join(normalize(text).split())


def fold(text: str) -> str:
    """Case-fold and strip accents, for keyword matching ("Médiateur" == "mediateur")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def collapse_spaces(text: str) -> str:
    """Collapse runs of horizontal whitespace, keep line breaks."""
    return _SPACES.sub(" ", text)
