"""``plain_language``: how easy the page's main text is to read in French (engagement 7).

An indicator, never a verdict: ``found`` true means "measured" (the page has enough text
to measure), not "written plainly". Readability formulas count words, sentences and
syllables; they say nothing of vocabulary, order or layout, so they point at pages worth a
human reading, no more.

The text measured is the main content as a person reads it once the page is rendered:
``<main>`` (or ``role="main"``), else the ``<body>`` without its ``<header>``, ``<footer>``
and ``<nav>`` (nor their ARIA roles ``banner``, ``contentinfo``, ``navigation``) — menus and
footers are lists of links, not prose. Hidden elements (``hidden``, ``aria-hidden="true"``)
are left out. Below :data:`MIN_WORDS` words the figures mean little: ``found`` is false and
the value says why.

Counting:

* a word is a run of letters; a hyphen or an apostrophe inside it keeps it one word
  ("rendez-vous", "aujourd'hui"), but an elided article, pronoun or conjunction before an
  apostrophe ("l'", "d'", "qu'", "jusqu'") is not counted as a word, nor its letters;
  numbers are not words;
* a sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by a space and a capital letter
  or a digit, or at the end of a block (a heading, a list item, a table cell: each line of
  the text); a single capital before the point ("M. Martin") is an initial, not an end;
* syllables are counted by :func:`syllables`, on the written word, as spoken French
  groups its vowels (see there). The maintained libraries on PyPI were looked at first:
  ``pyphen`` (and ``textstat``, which relies on it) *hyphenates*, and French typography
  forbids breaks that are syllables — never one letter alone ("été", "ami": one break
  less each), never inside a hiatus ("réunion", "théâtre") — so it undercounts the most
  common words; the English counters (``syllables``) do not apply.

Figures:

* Kandel–Moles (Flesch's reading ease adapted to French, Kandel & Moles 1958):
  ``207 − 1.015 × words/sentence − 73.6 × syllables/word``; higher is easier; not bounded
  (a text of short sentences of one-syllable words goes above 100). Bands, Flesch's:
  above 90 "très facile", 80–90 "facile", 70–80 "assez facile", 60–70 "standard",
  50–60 "assez difficile", 30–50 "difficile", below 30 "très difficile" (a band includes
  its lower bound);
* LIX (Björnsson's Läsbarhetsindex, used across languages): ``words/sentences + 100 ×
  long words/words``, a long word having more than six letters; lower is easier. Bands:
  below 30 "très facile", 30–40 "facile", 40–50 "standard", 50–60 "difficile", 60 and
  above "très difficile";
* the average sentence length (words per sentence) and the share of long words.

Value (measured): ``{"source", "words", "sentences", "syllables", "long_words",
"words_per_sentence", "syllables_per_word", "long_word_share", "kandel_moles", "band",
"lix", "lix_band"}`` (``source``: ``"main"`` or ``"body"``; ``band``: the Kandel–Moles
band; figures rounded to two decimals); with too little text, ``{"source", "words",
"reason"}`` and ``found`` false.
"""

from __future__ import annotations

import re
from typing import Any

from checks.page import Page
from checks.rendered import RenderMetrics, rendered_check
from checks.result import CheckResult, clip
from checks.text import normalize

#: Fewer words than this: not enough text for the formulas to mean anything.
MIN_WORDS = 100

#: A long word for LIX: more than this many letters.
LONG_WORD = 6

#: Kandel–Moles bands (lower bound, label), from the easiest; below the last, the last.
KANDEL_MOLES_BANDS: tuple[tuple[float, str], ...] = (
    (90, "très facile"),
    (80, "facile"),
    (70, "assez facile"),
    (60, "standard"),
    (50, "assez difficile"),
    (30, "difficile"),
)
#: LIX bands (upper bound, label), from the easiest; at or above the last, the last.
LIX_BANDS: tuple[tuple[float, str], ...] = (
    (30, "très facile"),
    (40, "facile"),
    (50, "standard"),
    (60, "difficile"),
)
_HARDEST = "très difficile"

# -- the main text ----------------------------------------------------------------------

_SKIPPED_TAGS = frozenset(("script", "style", "template", "noscript", "svg"))
_PERIPHERY_TAGS = frozenset(("header", "footer", "nav"))
_PERIPHERY_ROLES = frozenset(("banner", "contentinfo", "navigation"))
_BLOCKS = frozenset(
    """address article aside blockquote body br dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody td tfoot th thead tr ul caption legend""".split()
)


def _hidden(el: Any) -> bool:
    return el.get("hidden") is not None or (el.get("aria-hidden") or "").strip() == "true"


def main_element(page: Page) -> tuple[Any, str]:
    """The element holding the main text, and ``"main"`` or ``"body"``."""
    for el in page.root.iter():
        if not isinstance(el.tag, str) or _hidden(el):
            continue
        if el.tag == "main" or (el.get("role") or "").strip().lower() == "main":
            return el, "main"
    body = page.root.find("body")
    return (body if body is not None else page.root), "body"


def main_text(page: Page) -> tuple[str, Any, str]:
    """The main text, one line per block, with its element and ``"main"``/``"body"``."""
    root, source = main_element(page)
    parts: list[str] = []
    _collect(root, parts, skip_periphery=source == "body")
    lines = (" ".join(line.split()) for line in normalize("".join(parts)).split("\n"))
    return "\n".join(line for line in lines if line), root, source


def _collect(el: Any, parts: list[str], skip_periphery: bool) -> None:
    """Text of ``el`` and its descendants, a line break around each block element."""
    tag = el.tag if isinstance(el.tag, str) else ""
    skip = (
        not tag  # a comment or processing instruction: its tail only
        or tag in _SKIPPED_TAGS
        or _hidden(el)
        or (
            skip_periphery
            and (
                tag in _PERIPHERY_TAGS or (el.get("role") or "").strip().lower() in _PERIPHERY_ROLES
            )
        )
    )
    if not skip:
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
        parts.append(el.text or "")
        for child in el:
            _collect(child, parts, skip_periphery)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")


# -- counting ---------------------------------------------------------------------------

_LETTERS = "a-zA-ZÀ-ÖØ-öø-ÿŒœÆæ"
#: A word: letters, with hyphens or apostrophes inside.
_WORD = re.compile(rf"[{_LETTERS}]+(?:[-'’][{_LETTERS}]+)*")
#: Elided words at the start of a word ("l'", "qu'", "jusqu'"), dropped.
_ELIDED = re.compile(r"^(?:(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’])+", re.I)
#: The end of a sentence inside a line: punctuation, spaces, then a capital or a digit.
_SENTENCE_END = re.compile(r"(?<![\s.][A-Z])[.!?…]+[\s\"»)]+(?=[A-ZÀ-ÖØ-Þ0-9«\"])")

_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
#: Vowels that always begin a syllable of their own after another vowel ("na-ïf", "No-ël",
#: "a-é-ro-port", "po-è-te").
_OWN_SYLLABLE = frozenset("ïüëéè")
_SILENT_U = re.compile(r"(?<=[qg])u(?=[aeiouyéèêëîïôâ])")


def syllables(word: str) -> int:
    """Syllables of a French word as spoken, counted on its spelling (at least 1).

    Each group of vowels is one syllable, with the exceptions that make written vowel
    groups differ from spoken ones:

    * the ``u`` of "qu" and of "gu" before a vowel is silent ("question", "guide");
    * a vowel with a diaeresis (ï, ü, ë) and an é/è after another vowel begin a syllable
      ("naïf", "aéroport", "poète"), and after é the next vowel too ("réunion", "théâtre",
      "réel");
    * a "y" between two vowels is both ("payer" pa-yer, "citoyen" ci-to-yen);
    * a final "e" or "es" after a consonant is mute ("table", "démarches"), unless it is
      the word's only vowel ("le", "des").

    Not handled (rare, or needing a dictionary): "-ent" of verbs (counted), "pays", "client".
    """
    w = _SILENT_U.sub("", re.sub("[-'’]", "", word.lower()))
    count = 0
    groups: list[tuple[int, int]] = []  # (start, end) of each syllable's vowel group
    for i, char in enumerate(w):
        if char not in _VOWELS:
            continue
        prev = w[i - 1] if i else ""
        new = prev not in _VOWELS
        if not new and (
            char in _OWN_SYLLABLE
            or prev == "é"
            and not (char == "e" and w[i + 1 :] in ("", "s"))
            or prev == "y"
            and i >= 2
            and w[i - 2] in _VOWELS
        ):
            new = True
        if new:
            count += 1
            groups.append((i, i + 1))
        else:
            groups[-1] = (groups[-1][0], i + 1)
    if count > 1:
        start, end = groups[-1]
        if w[start:end] == "e" and w[end:] in ("", "s") and start and w[start - 1] not in _VOWELS:
            count -= 1  # mute final e
    return max(count, 1)


def count_words(text: str) -> list[str]:
    """The words of ``text`` (see the module docstring), elided forms left out."""
    return [_ELIDED.sub("", m.group()) for m in _WORD.finditer(text)]


def count_sentences(text: str) -> int:
    """Sentences of ``text``: its lines holding a word, each cut at its sentence ends."""
    total = 0
    for line in text.split("\n"):
        for sentence in _SENTENCE_END.split(line):
            if _WORD.search(sentence):
                total += 1
    return total


def _letters(word: str) -> int:
    return sum(1 for char in word if char.isalpha())


def kandel_moles_band(value: float) -> str:
    for lower, label in KANDEL_MOLES_BANDS:
        if value >= lower:
            return label
    return _HARDEST


def lix_band(value: float) -> str:
    for upper, label in LIX_BANDS:
        if value < upper:
            return label
    return _HARDEST


def readability(text: str) -> dict[str, Any]:
    """The figures of ``text`` (at least one word), unrounded."""
    words = count_words(text)
    sentences = max(count_sentences(text), 1)
    syllable_count = sum(syllables(w) for w in words)
    long_words = sum(1 for w in words if _letters(w) > LONG_WORD)
    per_sentence = len(words) / sentences
    per_word = syllable_count / len(words)
    long_share = long_words / len(words)
    kandel_moles = 207 - 1.015 * per_sentence - 73.6 * per_word
    lix = per_sentence + 100 * long_share
    return {
        "words": len(words),
        "sentences": sentences,
        "syllables": syllable_count,
        "long_words": long_words,
        "words_per_sentence": per_sentence,
        "syllables_per_word": per_word,
        "long_word_share": long_share,
        "kandel_moles": kandel_moles,
        "band": kandel_moles_band(kandel_moles),
        "lix": lix,
        "lix_band": lix_band(lix),
    }


@rendered_check("plain_language")
def plain_language(page: Page, metrics: RenderMetrics) -> CheckResult:
    """Readability of the main text: Kandel–Moles, LIX and their parts; an indicator."""
    text, element, source = main_text(page)
    evidence = (page.element_evidence(element, clip(text)),)
    word_count = len(count_words(text))
    if word_count < MIN_WORDS:
        reason = f"texte trop court pour être mesuré ({word_count} mots, {MIN_WORDS} au moins)"
        value = {"source": source, "words": word_count, "reason": reason}
        return CheckResult(found=False, value=value, evidence=evidence)
    figures = readability(text)
    value = {"source": source} | {
        k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()
    }
    return CheckResult(found=True, value=value, evidence=evidence)
