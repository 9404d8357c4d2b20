"""``a11y_statement``: the accessibility declaration (docs/data-dictionary.md, engagement 3).

Found on a link to the declaration — label or target saying "accessibilité",
"déclaration d'accessibilité", ``/accessibilite`` — or when the page *is* the declaration
(its ``<title>``/``<h1>`` says "Déclaration d'accessibilité", or it carries the
declaration's fixed "État de conformité" section). An in-page ``href="#"`` footer link is
not a link to a declaration; neither is the RGAA reference site
(accessibilite.numerique.gouv.fr) nor an ``accessibilite@…`` address.

Value: a link gives ``{"url", "links"}`` (first target, all distinct targets); the page as
declaration gives ``{"url", "conformity_rate", "audit_date", "schema_pluriannuel"}``: its
own URL, the rate as a float ("taux global de conformité", "NN % des critères"), the audit
date as ISO ``YYYY-MM-DD`` or ``YYYY-MM`` (the raw text if not a valid date), the schéma's
link (the page's URL when published on it), each null when absent; else ``None`` (and on
error).
"""

from __future__ import annotations

import re
from typing import Any

from checks._links import (
    LinkInfo,
    Sieve,
    heading_evidence,
    headings,
    link_evidence,
    links_where,
    phrase_pattern,
)
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

# The footer link: "Accessibilité", "Accessibilité : partiellement conforme", "Accessibilité
# numérique", "Déclaration d'accessibilité". A label that merely starts a topic ("Accessibilité
# des bâtiments", "accessibilité aux personnes handicapées") is about something else.
_LABEL = Sieve(
    re.compile(
        r"^\W*(?:l')?accessibilite(?:\s+(?:numerique|du\s+site(?:\s+internet)?))?"
        r"\s*(?:$|[:\-–(]|accessibilite|declaration)"
        r"|declaration\s+d'\s*accessibilite|accessibility\s+statement|^\W*accessibility\W*$"
    ),
    ("accessibilite", "accessibility"),
)
_TARGET = Sieve(
    re.compile(
        r"(?:^|/)(?:[\w-]*declaration[-_]?(?:d[-_]?)?accessibilite[\w-]*"
        r"|accessibilite(?:[-_](?:numerique|du[-_]site[\w-]*))?|accessibility(?:[-_]statement)?"
        r"|a11y)(?:[./?]|$)"
    ),
    ("accessibilite", "accessibility", "a11y"),
)
# The RGAA reference site talks about accessibility in general, not this site's declaration.
_REFERENCE_HOST = "accessibilite.numerique.gouv.fr"

_DECLARATION_TITLE = phrase_pattern(
    "declaration d'accessibilite", "declaration de conformite", "accessibility statement"
)
_CONFORMITY_SECTION = Sieve(
    re.compile(r"(?:^|\n)[ \t]*etat de conformite[ \t]*(?:\n|$)"), ("etat de conformite",)
)

# Rates: "taux global de conformité … de 86 %", "86,5 % des critères du RGAA".
_RATE_GLOBAL = re.compile(
    r"taux\s+(?:global\s+)?de\s+conformite(?:\s+global)?[^%\n]{0,80}?(\d{1,3}(?:[.,]\d+)?)\s*%"
)
_RATE_CRITERIA = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%\s*des\s+criteres")
_RATE_ANY = re.compile(r"taux\s+(?:moyen\s+)?de\s+conformite[^%\n]{0,80}?(\d{1,3}(?:[.,]\d+)?)\s*%")

_MONTH_NAMES = (
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre"
)
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
_MONTH_ALT = "|".join(_MONTHS)
_AUDIT = re.compile(r"audit")  # no \b: a leading \b makes the scan much slower
_FULL_DATE = re.compile(
    rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_ALT})\s+(\d{{4}})\b|\b(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})\b"
)
_MONTH_DATE = re.compile(rf"\b({_MONTH_ALT})\s+(\d{{4}})\b")
_AUDIT_WINDOW = 250

_SCHEMA = phrase_pattern("schema pluriannuel", "schema pluri-annuel", "schema pluri annuel")
_SCHEMA_TARGET = Sieve(re.compile(r"schema[-_]?pluri"), ("pluri",))


def _is_statement_link(info: LinkInfo, page_host: str) -> bool:
    if not info.is_web or info.in_page:
        return False
    if info.host == _REFERENCE_HOST and page_host != _REFERENCE_HOST:
        return False
    return bool(_LABEL.search(info.label) or _TARGET.search(info.target))


def _is_declaration(page: Page) -> Evidence | None:
    for el, text in headings(page):
        if _DECLARATION_TITLE.search(text):
            return heading_evidence(page, el)
    match = _CONFORMITY_SECTION.search(page.folded)
    if match and "rgaa" in page.folded:  # the section names the reference it is measured on
        return page.text_evidence(match.start(), match.end())
    return None


def _rate(folded: str) -> float | None:
    for pattern in (_RATE_GLOBAL, _RATE_CRITERIA, _RATE_ANY):
        match = pattern.search(folded)
        if match:
            return float(match.group(1).replace(",", "."))
    return None


def _audit_date(folded: str) -> str | None:
    """The audit's date: a full date near "audit" first, else a month and year.

    Declarations often say "audit réalisé en novembre 2025 … en date du 31 janvier 2026":
    the full date is the one the results are stated at, so it wins.
    """
    windows = [folded[m.start() : m.start() + _AUDIT_WINDOW] for m in _AUDIT.finditer(folded)]
    for window in windows:
        match = _FULL_DATE.search(window)
        if match:
            if match.group(1):
                day, month, year = int(match.group(1)), _MONTHS[match.group(2)], match.group(3)
            else:
                day, month, year = int(match.group(4)), int(match.group(5)), match.group(6)
            if 1 <= day <= 31 and 1 <= month <= 12:
                return f"{year}-{month:02d}-{day:02d}"
            return match.group(0)
    for window in windows:
        match = _MONTH_DATE.search(window)
        if match:
            return f"{match.group(2)}-{_MONTHS[match.group(1)]:02d}"
    return None


def _schema(page: Page) -> str | None:
    links = links_where(
        page,
        lambda i: (
            i.is_web
            and not i.in_page
            and bool(_SCHEMA.search(i.label) or _SCHEMA_TARGET.search(i.target))
        ),
        labels=(_SCHEMA,),
        targets=(_SCHEMA_TARGET,),
    )
    if links:
        return links[0].href
    return page.url if _SCHEMA.search(page.folded) else None


@check("a11y_statement")
def a11y_statement(page: Page) -> CheckResult:
    """The page as declaration (with its figures), else links to the declaration."""
    declaration = _is_declaration(page)
    links = links_where(
        page,
        lambda i: _is_statement_link(i, page.host),
        labels=(_LABEL,),
        targets=(_TARGET,),
    )
    if declaration is not None:
        value: dict[str, Any] = {
            "url": page.url,
            "conformity_rate": _rate(page.folded),
            "audit_date": _audit_date(page.folded),
            "schema_pluriannuel": _schema(page),
        }
        return CheckResult(found=True, value=value, evidence=(declaration,))
    if not links:
        return CheckResult(found=False)
    return CheckResult(
        found=True,
        value={"url": links[0].href, "links": list(dict.fromkeys(i.href for i in links))},
        evidence=link_evidence(page, links),
    )
