"""``mediator``: how to reach a mediator (docs/data-dictionary.md, engagement 3).

Found on:

* a link whose label or target names a médiateur / médiatrice / médiation service
  ("Saisir le médiateur", ``mediateur.*``, "Le médiateur de la CAF", ``mailto:mediateur@…``);
* a block naming the mediator — a short heading-like element ("Médiateur de la ville",
  "La médiatrice") — followed closely by a way to reach them: an e-mail, a phone number, a
  postal address (postcode and town) or a link to write or fill a form.

Not found: the word in general prose. A labour-law page explaining that "une procédure de
médiation peut être engagée" or that "le médiateur est choisi d'un commun accord" names no
mediator to contact: the sentence sits in a long paragraph, not in a short heading-like
block, and no contact follows. "Médiathèque" and "immédiatement" are other words (whole-word
match). A link to a legal text (Légifrance) about mediation is not a mediator's contact,
nor is an in-page table-of-contents anchor.

The Défenseur des droits is a recourse of its own: its links and mentions are recorded in
``value["defenseur_des_droits"]`` but never make ``mediator`` found by themselves. The
standard accessibility-declaration text quotes its phone number and hours ("Composer le
09 69 39 00 00 (du lundi au vendredi de 8h à 20h)"); :func:`quoted_for_defenseur` tells
the contact checks (``phone``, ``opening_hours``) that such figures are that body's, not
the site's own, so that they keep them apart as this check does.

Value: ``{"links", "contacts", "defenseur_des_droits"}``: mediator hrefs (``mailto:`` and
``tel:`` included), the text of each mediator block with a contact, and the Défenseur des
droits' hrefs (or, with no link, its first mention's text); set with ``found`` false when
only the Défenseur is there; else ``None`` (and on error).
"""

from __future__ import annotations

import re
from typing import Any

from checks._contact import line_bounds, previous_line_start
from checks._links import (
    EVIDENCE_LIMIT,
    LinkInfo,
    Sieve,
    candidates,
    fold_label,
    host_in,
    links_where,
    phrase_pattern,
)
from checks.page import Page, text_content, text_longer_than
from checks.registry import check
from checks.result import CheckResult, Evidence

_WORD = Sieve(re.compile(r"mediat(?:eur|rice|ion)s?(?!\w)"), ("mediat",), word_start=True)
_TARGET_WORD = Sieve(
    re.compile(r"(?:^|[/._@:=-])mediat(?:eur|rice|ion)s?(?:$|[/._@?=&#-])"), ("mediat",)
)
_LAW_HOSTS = frozenset(("legifrance.gouv.fr", "eur-lex.europa.eu"))
_DDD_HOSTS = frozenset(("defenseurdesdroits.fr",))
_DDD = phrase_pattern("defenseur des droits", "defenseure des droits")

# A "name line": short enough to be a heading, a list item, a card title, not prose.
_NAME_LINE_MAX = 120
_BLOCKS = frozenset(
    "p li div dt dd td th h1 h2 h3 h4 h5 h6 address section article aside header footer"
    " summary caption legend figcaption blockquote label".split()
)
_CONTACT_WINDOW = 400
_CARD_MAX = 800
_EMAIL = re.compile(r"[\w.+-]+(?:@|\s*\[at\]\s*|\s*\(at\)\s*)[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_POSTAL = re.compile(r"(?<!\d)(?:[0-8]\d|9[0-7])\d{3}\s+(?:cedex\b|[a-z])")
_ACTION = phrase_pattern(
    "saisir", "saisine", "formulaire", "contacter", "ecrire", "nous ecrire", "en ligne"
)


def _is_mediator_link(info: LinkInfo) -> bool:
    if info.scheme in ("mailto", "tel"):
        return bool(_WORD.search(info.label) or _TARGET_WORD.search(info.href.lower()))
    if not info.is_web or info.in_page:
        return False
    named = (
        _WORD.search(info.label)
        or _TARGET_WORD.search(info.target)
        or _TARGET_WORD.search(info.host)
    )
    return bool(named) and not (info.on(_LAW_HOSTS) or info.on(_DDD_HOSTS))


def _block_of(el: Any) -> Any:
    while el is not None and el.tag not in _BLOCKS:
        el = el.getparent()
    return el


def _has_contact(window: str) -> bool:
    return bool(_EMAIL.search(window) or _PHONE.search(window) or _POSTAL.search(window))


def _action_links_near(block: Any) -> bool:
    """A "saisir / formulaire / écrire" link in the block or the small card around it.

    Only a small container (a card, a list item's list) is searched: in a whole article any
    "formulaire" link would otherwise vouch for a passing mention of mediation.
    """
    container = block
    parent = block.getparent()
    if parent is not None and not text_longer_than(parent, _CARD_MAX):
        container = parent
    for a in container.iter("a"):
        if a.get("href", "").strip().startswith("#"):
            continue
        if _ACTION.search(fold_label(text_content(a))):
            return True
    return container.find(".//form") is not None


def _mediator_blocks(page: Page) -> list[tuple[Any, int, int]]:
    """``(block, start, end)`` of short blocks naming a mediator, followed by a contact."""
    folded = page.folded
    found: list[tuple[Any, int, int]] = []
    # The elements themselves, not their id(): an lxml proxy that is let go may be
    # rebuilt for another element at the same address, and that block would be skipped.
    seen: set[Any] = set()
    for match in _WORD.finditer(folded):
        block = _block_of(page.element_at(match.start()))
        if block is None or block in seen:
            continue
        seen.add(block)
        if len(" ".join(text_content(block).split())) > _NAME_LINE_MAX:
            continue  # prose: a paragraph mentioning mediation names nobody to contact
        window = folded[match.start() : match.end() + _CONTACT_WINDOW]
        if _has_contact(window) or _action_links_near(block):
            found.append((block, match.start(), match.end()))
    return found


def _defenseur(page: Page) -> tuple[list[str], list[Evidence]]:
    """Links to (or the first mention of) the Défenseur des droits, for the value only."""
    items: list[str] = []
    evidence: list[Evidence] = []
    for info in candidates(page, labels=(_DDD,), hosts=_DDD_HOSTS):
        is_ddd = info.on(_DDD_HOSTS) or (info.is_web and _DDD.search(info.label))
        if is_ddd and info.href not in items:
            items.append(info.href)
            evidence.append(page.element_evidence(info.link.element))
    if not items:
        match = _DDD.search(page.folded)
        if match:
            items.append(page.text[match.start() : match.end()])
            evidence.append(page.text_evidence(match.start(), match.end()))
    return items, evidence


#: The Défenseur des droits' national number, 09 69 39 00 00 (defenseurdesdroits.fr), the
#: one the standard accessibility-declaration text quotes: wherever a site shows it, it is
#: that body's number.
DEFENSEUR_PHONE = "+33969390000"
#: The Défenseur named, in folded text.
DEFENSEUR_NAME = re.compile(r"(?<![a-z])defenseure? des droits(?![a-z])")
_DDD_NUMBER = re.compile(
    r"(?<![\d+])(?:\+33 ?(?:\(0\) ?)?|00 ?33 ?|0)9[ .\-]?69[ .\-]?39[ .\-]?00[ .\-]?00(?!\d)"
)
#: How far before the figures, on their line, the body may be named (its number: less far,
#: but across a sentence end: "Téléphone : 09 69 39 00 00. Du lundi au vendredi…")…
_NAME_BEFORE, _NUMBER_BEFORE, _NUMBER_AFTER = 200, 100, 40
#: …with no sentence end between the name and the figures (a paragraph may name the
#: Défenseur, then give the site's own hours in its next sentence).
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")
#: A line that starts with the figures, or a short label ("Horaires :"), may take its
#: owner from the line above when that line is a short heading or label naming the
#: Défenseur or giving its number ("Défenseur des droits", "Téléphone : 09 69 39 00 00"),
#: with no other figure: a line that gives its own hours is not a heading.
_LABEL_MAX, _HEADING_MAX = 30, 60


def on_defenseur_site(page: Page) -> bool:
    """Whether ``page`` is on the Défenseur des droits' own site (its figures are its own)."""
    return host_in(page.host, _DDD_HOSTS)


def quoted_for_defenseur(page: Page, start: int, end: int, *, by_number: bool = True) -> bool:
    """Whether ``page.text[start:end]`` (hours, a phone number) is given for the Défenseur
    des droits rather than by the site itself.

    True when the Défenseur is named earlier in the same sentence of the line, or the line
    above names it, or (``by_number``: for hours, which belong to the number they follow)
    its number stands just before or after (see the constants). A phone number is not
    attributed by the numbers around it: the caller compares it with
    :data:`DEFENSEUR_PHONE`. Never on the Défenseur's own site, whose figures are its own.
    """
    if on_defenseur_site(page):
        return False
    text, folded = page.text, page.folded
    line_start, line_end = line_bounds(text, start, end)
    if by_number and (
        _DDD_NUMBER.search(folded, max(line_start, start - _NUMBER_BEFORE), end)
        or _DDD_NUMBER.search(folded, start, min(line_end, end + _NUMBER_AFTER))
    ):
        return True
    names = list(DEFENSEUR_NAME.finditer(folded, max(line_start, start - _NAME_BEFORE), start))
    if names and not _SENTENCE_END.search(text, names[-1].end(), start):
        return True
    before = text[line_start:start]
    if line_start == 0 or len(before.strip()) > _LABEL_MAX or any(c.isdigit() for c in before):
        return False
    above = folded[previous_line_start(text, line_start) : line_start].strip()
    if len(above) > _HEADING_MAX:
        return False
    rest = _DDD_NUMBER.sub("", above)
    named = bool(DEFENSEUR_NAME.search(above)) or (by_number and rest != above)
    return named and not any(c.isdigit() for c in rest)


@check("mediator")
def mediator(page: Page) -> CheckResult:
    """Mediator links, then mediator blocks with a contact; Défenseur des droits recorded."""
    links = links_where(
        page, _is_mediator_link, labels=(_WORD,), targets=(_TARGET_WORD,), host_words=("mediat",)
    )
    blocks = _mediator_blocks(page)
    ddd, ddd_evidence = _defenseur(page)
    found = bool(links or blocks)
    if not found and not ddd:
        return CheckResult(found=False)
    evidence: list[Evidence] = [page.element_evidence(i.link.element) for i in links]
    evidence += [page.text_evidence(start, end) for _, start, end in blocks]
    value = {
        "links": list(dict.fromkeys(i.href for i in links)),
        "contacts": [" ".join(text_content(b).split()) for b, _, _ in blocks],
        "defenseur_des_droits": ddd,
    }
    if not found:
        evidence = ddd_evidence
    return CheckResult(found=found, value=value, evidence=tuple(evidence[:EVIDENCE_LIMIT]))
