"""``accessible_phone``: a phone service for deaf or hard-of-hearing users (engagement 3).

Found on "sourds et malentendants" (and its variants "sourdes ou malentendantes",
"malentendants"), on the relay services that make a phone line accessible (Acceo, Elioz,
Rogervoice, Deafi, Tadeo…) named in the text or linked, and on the 114 — the emergency
number for deaf users by SMS/fax — when the text around it says so (deaf users named
nearby, or "SMS au 114") (a bare "114" is a
house number, a page count, an article number).

Value: ``{"terms", "links"}``: the distinct terms matched, in folded form (lower case,
no accents: ``"sourds et malentendants"``, ``"acceo"``, ``"114"``), and the distinct hrefs
to relay services (either list may be empty); else ``None`` (and on error).
"""

from __future__ import annotations

import re

from checks._links import EVIDENCE_LIMIT, Sieve, links_where, phrase_pattern
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

_TERMS = phrase_pattern(
    "sourds et malentendants",
    "sourds ou malentendants",
    "sourdes et malentendantes",
    "sourdes ou malentendantes",
    "sourd ou malentendant",
    "sourde ou malentendante",
    "sourds, malentendants",
    "malentendant",
    "malentendants",
    "malentendante",
    "malentendantes",
    "deficients auditifs",
    "deficient auditif",
    "acceo",
    "acce-o",
    "elioz",
    "rogervoice",
    "deafi",
    "tadeo",
    stems=("malentend", "auditif", "acceo", "acce-o", "elioz", "rogervoice", "deafi", "tadeo"),
)
_RELAY_HOSTS = frozenset(
    ("acce-o.fr", "acceo.fr", "elioz.fr", "rogervoice.com", "deafi.fr", "tadeo.fr")
)
# Not inside a longer number ("1140", "2,114", "0 800 114"): checked before and after.
_114 = Sieve(re.compile(r"114(?!\d|[,.]\d)"), ("114",))
# The 114 counts next to deaf users ("personnes sourdes … 114") or dialled by SMS/fax
# ("SMS au 114"); "SMS" farther away says nothing ("Article 114 … envoyez un SMS").
_114_DEAF = re.compile(r"sourd|malentend|auditi")
_114_DIALLED = re.compile(r"(?:sms|fax)\s*(?:au|:)?\s*$")
_114_WINDOW = 100


@check("accessible_phone")
def accessible_phone(page: Page) -> CheckResult:
    """Deaf-user terms and relay services in the text, relay links, the 114 in context."""
    folded = page.folded
    terms: list[str] = []
    evidence: list[Evidence] = []
    for match in _TERMS.finditer(folded):
        term = match.group(0)
        if term not in terms:
            terms.append(term)
            evidence.append(page.text_evidence(match.start(), match.end()))
    for match in _114.finditer(folded):
        if match.start() and folded[match.start() - 1] in "0123456789,.":
            continue
        around = folded[max(0, match.start() - _114_WINDOW) : match.end() + _114_WINDOW]
        before = folded[max(0, match.start() - 12) : match.start()]
        if _114_DEAF.search(around) or _114_DIALLED.search(before):
            if "114" not in terms:
                terms.append("114")
                evidence.append(page.text_evidence(match.start(), match.end()))
            break
    relays = links_where(page, lambda i: i.is_web and i.on(_RELAY_HOSTS), hosts=_RELAY_HOSTS)
    for info in relays:
        evidence.append(page.element_evidence(info.link.element))
    if not terms and not relays:
        return CheckResult(found=False)
    value = {"terms": terms, "links": list(dict.fromkeys(i.href for i in relays))}
    return CheckResult(found=True, value=value, evidence=tuple(evidence[:EVIDENCE_LIMIT]))
