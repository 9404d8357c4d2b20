"""``faq``: help content — a FAQ, a help centre, tutorials (docs/data-dictionary.md, engagement 3).

Found on a link labelled "FAQ", "F.A.Q.", "Foire(s) aux questions", "Questions
fréquentes", "Questions-réponses", "Centre d'aide", "Besoin d'aide", "Aide en ligne",
"Tutoriels"…, on a link to a ``/faq``, ``/aide``, ``/questions-frequentes`` page, or when
the page itself is one (its ``<title>``/``<h1>``).

"Aide" needs care: on public sites it names help ("Aide", "Aide et contact") but far more
often a benefit ("Aides sociales", "Aide à domicile", "Aide à l'embauche", "Aide au
logement"). A careful reader counts "Aide" only as the whole label, or followed by help
words (contact, assistance, support, "en ligne", "à l'utilisation"…); in targets only a
path segment that is exactly ``aide`` or ``help``, not ``/aides-sociales``.

Value: list of the distinct help-link targets, or ``[page URL]`` when the page itself is
the help page; else ``None`` (and on error).
"""

from __future__ import annotations

import re

from checks._links import (
    LinkInfo,
    Sieve,
    heading_evidence,
    headings,
    links_result,
    links_where,
    phrase_pattern,
)
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

_HELP = phrase_pattern(
    "faq",
    "f.a.q",
    "f.a.q.",
    "foire aux questions",
    "foires aux questions",
    "questions frequentes",
    "question frequente",
    "questions les plus frequentes",
    "questions-reponses",
    "questions/reponses",
    "questions / reponses",
    "vos questions nos reponses",
    "vos questions / nos reponses",
    "centre d'aide",
    "besoin d'aide",
    "aide en ligne",
    "page d'aide",
    "rubrique d'aide",
    "espace d'aide",
    "obtenir de l'aide",
    "tutoriel",
    "tutoriels",
    "tutoriel video",
    "tutoriels video",
    stems=("faq", "f.a.q", "question", "aide", "tutori"),
)
# "Aide" as the label, or "Aide" + a help word; never "Aide à domicile", "Aides sociales".
_AIDE = Sieve(
    re.compile(
        r"^\W*(?:l')?aide\W*$"
        r"|^\W*aide\s*(?:et|&|/|-)\s*(?:contacts?|assistance|support|faq|questions?"
        r"|accessibilite)\b"
        r"|^\W*aide\s+(?:a\s+l'utilisation|a\s+la\s+navigation|a\s+la\s+connexion"
        r"|a\s+la\s+saisie)\b"
        r"|^\W*(?:assistance|support)\s*(?:et|&|/|-)\s*aide\W*$"
    ),
    ("aide",),
)
_TARGET = Sieve(
    re.compile(
        r"(?:^|/)(?:(?:faq|f-a-q|centre-?d-?aide|centre-aide|aide-en-ligne|besoin-d-?aide"
        r"|questions?-frequentes|foires?-aux-questions|questions-reponses|tutoriels?)"
        r"(?:[./?_-]|$)|(?:aide|help)(?:[./?]|$))"
    ),
    ("faq", "f-a-q", "aide", "help", "question", "tutoriel"),
)


def _is_help_link(info: LinkInfo) -> bool:
    if not info.is_web or info.in_page:
        return False
    return bool(_HELP.search(info.label) or _AIDE.search(info.label) or _TARGET.search(info.target))


@check("faq")
def faq(page: Page) -> CheckResult:
    """Help links (their targets are the value); else the page itself as a help page."""
    links = links_where(page, _is_help_link, labels=(_HELP, _AIDE), targets=(_TARGET,))
    if links:
        return links_result(page, links)
    for el, text in headings(page):
        if _HELP.search(text) or _AIDE.search(text):
            return CheckResult(found=True, value=[page.url], evidence=(heading_evidence(page, el),))
    return CheckResult(found=False)
