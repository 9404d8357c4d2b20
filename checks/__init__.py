"""Vigie's checks: pure functions from one parsed page to ``{found, value, evidence}``.

``run_checks`` parses nothing and fetches nothing: it takes a :class:`~checks.page.Page`
and runs every registered check on it. A check that raises gives an ``error`` result with
the reason, never "not found" (CHECKS.md).
"""

from __future__ import annotations

from checks import (  # noqa: F401  (imported to register the checks)
    a11y_mention,
    a11y_statement,
    accessible_phone,
    address,
    appointment,
    chat,
    contact_form,
    ecoindex,
    email,
    faq,
    franceconnect,
    jdma_button,
    legal_notice,
    mediator,
    mobile_ready,
    opening_hours,
    oups_link,
    peak_hours,
    phone,
    plain_language,
    quality_results,
    rendered,
    service_public_link,
)
from checks.catalog import CATALOG
from checks.page import Page
from checks.registry import REGISTRY
from checks.result import CheckResult, Evidence

#: Check ids in the order of CHECKS.md (engagement 2, then 3, then the others).
CHECK_IDS: tuple[str, ...] = (
    "phone",
    "premium_phone",
    "email",
    "contact_form",
    "opening_hours",
    "peak_hours",
    "appointment",
    "address",
    "service_public_link",
    "chat",
    "a11y_mention",
    "a11y_statement",
    "faq",
    "mediator",
    "accessible_phone",
    "jdma_button",
    "quality_results",
    "oups_link",
    "franceconnect",
    "legal_notice",
    "privacy",
)

#: Which engagement each check serves (from the catalog, :mod:`checks.catalog`).
ENGAGEMENT: dict[str, int] = {entry.id: entry.engagement for entry in CATALOG}


def run_checks(page: Page, ids: tuple[str, ...] = CHECK_IDS) -> dict[str, CheckResult]:
    """Run the checks ``ids`` on ``page``; an exception becomes that check's ``error``."""
    results: dict[str, CheckResult] = {}
    for check_id in ids:
        try:
            results[check_id] = REGISTRY[check_id](page)
        except Exception as exc:  # reported as the check's error, never swallowed
            results[check_id] = CheckResult(found=False, error=f"{type(exc).__name__}: {exc}")
    return results


__all__ = ["CHECK_IDS", "ENGAGEMENT", "CheckResult", "Evidence", "Page", "run_checks"]
