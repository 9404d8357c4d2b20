"""``franceconnect``: a FranceConnect button or link (engagement 4).

Two signs, either is enough: a link to franceconnect.gouv.fr (or a sub-domain), or the
State design system's button, whose markup carries the ``fr-connect`` class whatever its
target (the login URL is usually the site's own OpenID Connect endpoint).

Value: ``{"links", "button"}``: the distinct hrefs to FranceConnect (possibly empty) and
whether an ``fr-connect`` element is there (bool); else ``None`` (and on error).
"""

from __future__ import annotations

from lxml import etree

from checks._links import EVIDENCE_LIMIT, link_evidence, links_where
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

DOMAINS = frozenset(("franceconnect.gouv.fr", "franceconnect.fr"))

# The DSFR component: ``fr-connect`` (button) and ``fr-connect-group`` (its wrapper);
# ``fr-connect__login``/``__brand`` are its inner spans.
# Evaluated in C by lxml: walking every element in Python would cost more than the parse.
_CANDIDATES = etree.XPath("//*[contains(@class, 'fr-connect')]")


@check("franceconnect")
def franceconnect(page: Page) -> CheckResult:
    """Links to franceconnect.gouv.fr, then elements with the ``fr-connect`` class."""
    links = links_where(page, lambda i: i.is_web and i.on(DOMAINS), hosts=DOMAINS)
    buttons = []
    # The DSFR button always shows "S'identifier avec FranceConnect": without that word on
    # the page there is no button to look for, and the tree walk is skipped.
    if "franceconnect" in page.folded or "france connect" in page.folded:
        candidates = _CANDIDATES(page.root)
        buttons = [el for el in candidates if "fr-connect" in el.get("class", "").split()]
    if not links and not buttons:
        return CheckResult(found=False)
    evidence = link_evidence(page, links) + tuple(
        page.element_evidence(el) for el in buttons[:EVIDENCE_LIMIT]
    )
    value = {
        "links": list(dict.fromkeys(i.href for i in links)),
        "button": bool(buttons),
    }
    return CheckResult(found=True, value=value, evidence=evidence[:EVIDENCE_LIMIT])
