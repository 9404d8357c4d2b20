"""``service_public_link``: a link to service-public.fr (docs/data-dictionary.md, engagement 2).

Any scheme, ``www.`` or not, any sub-domain (``formulaires.service-public.fr``), any path:
the commitment is to point users to the official portal. The bare text
"service-public.fr" without a link does not take anyone there, so it does not count.

Value: list of the distinct hrefs to service-public.fr; else ``None`` (and on error).
"""

from __future__ import annotations

from checks._links import links_result, links_where
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

DOMAINS = frozenset(("service-public.fr", "service-public.gouv.fr"))


@check("service_public_link")
def service_public_link(page: Page) -> CheckResult:
    """Links whose host is service-public.fr or one of its sub-domains."""
    return links_result(
        page, links_where(page, lambda i: i.is_web and i.on(DOMAINS), hosts=DOMAINS)
    )
