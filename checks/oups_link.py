"""``oups_link``: a link to oups.gouv.fr, the "droit à l'erreur" site (engagement 1).

Value: list of the distinct hrefs to oups.gouv.fr; else ``None`` (and on error).
"""

from __future__ import annotations

from checks._links import links_result, links_where
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

DOMAINS = frozenset(("oups.gouv.fr",))


@check("oups_link")
def oups_link(page: Page) -> CheckResult:
    """Links whose host is oups.gouv.fr (or a sub-domain); the word "oups" alone is not one."""
    return links_result(
        page, links_where(page, lambda i: i.is_web and i.on(DOMAINS), hosts=DOMAINS)
    )
