"""Text from crawled pages and seed lists, made safe to show among Vigie's own words.

Two dangers, one module:

- **Bidirectional controls.** A site name or page title holding RIGHT-TO-LEFT OVERRIDE
  (U+202E) with no closing mark reverses everything that follows it on the line: the rest
  of a sentence of the report, the next cell of the terminal summary. :func:`balance`
  closes every embedding, override or isolate the text leaves open, at its end, so the
  effect stays inside the text; the reports also *isolate* each such text
  (``<bdi>``, :func:`isolate`) so that its direction — an Arabic or Hebrew name is
  right-to-left by its own letters, with no control at all — never reorders the French
  around it. Nothing is removed: paired controls and marks (LRM, RLM) that a real name may
  use keep their meaning inside the isolate.
- **Terminal controls.** An error reason or a name holding ESC sequences could move the
  cursor or recolour an operator's terminal; :func:`terminal` replaces control characters.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup, escape

PDF = "\u202c"  # POP DIRECTIONAL FORMATTING: closes LRE, RLE, LRO, RLO
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE: closes LRI, RLI, FSI
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI
_ANY = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def balance(text: str) -> str:
    """``text`` with the closing marks of every embedding, override or isolate it leaves
    open appended (UAX #9's pairing: a PDI also closes the embeddings opened after its
    isolate; a closer with nothing to close changes nothing)."""
    if not _ANY.search(text):
        return text
    stack: list[str] = []
    for char in text:
        if char in _EMBEDDINGS:
            stack.append(PDF)
        elif char in _ISOLATES:
            stack.append(PDI)
        elif char == PDF:
            if stack and stack[-1] == PDF:
                stack.pop()
        elif char == PDI and PDI in stack:
            while stack.pop() != PDI:
                pass
    return text + "".join(reversed(stack))


def isolate(value: Any) -> Markup:
    """``value`` as escaped HTML in a ``<bdi>``: its direction is its own (first strong
    letter), it cannot reorder what surrounds it, and its controls are balanced."""
    if value is None:
        return Markup("")
    return Markup(f"<bdi>{escape(balance(str(value)))}</bdi>")  # (one Markup, not three)


FSI = "\u2068"  # FIRST STRONG ISOLATE
_RTL_OR_CONTROL = frozenset(
    {"R", "AL", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def inline_isolate(text: str) -> str:
    """``text`` for the middle of a plain-text sentence (a run label in a title, a line of
    the terminal summary): balanced and wrapped in FSI … PDI when it holds right-to-left
    letters or bidi controls; unchanged otherwise (no invisible characters for nothing)."""
    if not any(unicodedata.bidirectional(c) in _RTL_OR_CONTROL for c in text):
        return text
    return FSI + balance(text) + PDI


def finalize(value: Any) -> Any:
    """Jinja2's ``finalize``: every string a template prints is balanced (the backstop
    for texts that are not isolated, such as the page ``<title>``)."""
    return balance(value) if isinstance(value, str) else value


def terminal(value: Any) -> str:
    """``value`` for a terminal line: control characters replaced by U+FFFD, line breaks
    and tabs by spaces, bidirectional controls balanced."""
    text = str(value).replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return balance(_CONTROLS.sub("\ufffd", text))
