"""``quality_results``: published quality-of-service results (engagement 6).

Found on a link to resultats-services-publics.gouv.fr (the State's results portal) or to
the Services Publics + site, on a link labelled "Nos résultats", "Services Publics +",
"Qualité de service", "Indicateurs de satisfaction"…, or when the page itself publishes
them (its ``<title>``/``<h1>``/``<h2>`` says so).

Value: list of the distinct results-link targets, or ``[page URL]`` when the page itself
publishes the results; else ``None`` (and on error).
"""

from __future__ import annotations

from checks._links import (
    LinkInfo,
    heading_evidence,
    headings,
    links_result,
    links_where,
    phrase_pattern,
)
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

HOSTS = frozenset(("resultats-services-publics.gouv.fr", "plus.transformation.gouv.fr"))
_LABEL = phrase_pattern(
    "nos resultats",
    "services publics +",
    "services publics+",
    "services publics plus",
    "service public +",
    "qualite de service",
    "qualite du service",
    "qualite des services",
    "indicateurs de satisfaction",
    "indicateurs de qualite",
    "resultats de qualite",
    "engagements de qualite",
    "barometre de la qualite",
    "satisfaction des usagers",
    stems=("resultats", "publics", "public +", "qualite", "satisfaction"),
)


def _is_results_link(info: LinkInfo) -> bool:
    if not info.is_web or info.in_page:
        return False
    return info.on(HOSTS) or bool(_LABEL.search(info.label))


@check("quality_results")
def quality_results(page: Page) -> CheckResult:
    """Results links; else a page whose title or main headings announce the results."""
    links = links_where(page, _is_results_link, labels=(_LABEL,), hosts=HOSTS)
    if links:
        return links_result(page, links)
    for el, text in headings(page, ("title", "h1", "h2")):
        if _LABEL.search(text):
            return CheckResult(found=True, value=[page.url], evidence=(heading_evidence(page, el),))
    return CheckResult(found=False)
