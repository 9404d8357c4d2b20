"""The end of a run: every site's findings brought to the site level, then the run is done.

The judging is pure and lives in :mod:`checks.site` (what "found on the site" means, a
site's status, its audit summary); this module feeds it from the store a chunk of sites at
a time (memory stays bounded on a national run) and writes the results back. Called by
whoever ends a run: ``vigie crawl`` (:mod:`crawler.run`), the last worker of a distributed
run, the store pipeline of a run started under Scrapyd.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checks.key_pages import unread_key_pages
from checks.site import (
    SiteCheck,
    aggregate,
    aggregate_rendered,
    apply_applicability,
    audit_summary,
    site_outcome,
)
from crawler.exceptions import Exemption, exemption_for
from crawler.store import Store
from crawler.store.reads import SiteRows


@dataclass(frozen=True, slots=True)
class SiteResult:
    """One site's aggregated row of a run (``run_sites``) and its site-level checks."""

    site_id: str
    status: str
    reason: str | None
    pages_crawled: int
    errors_count: int
    pages_audited: int
    audit: dict[str, Any] | None
    checks: list[SiteCheck]


def site_result(
    rows: SiteRows, excused: Callable[[str, str], str | None] = lambda _site, _check: None
) -> SiteResult:
    """Aggregate what is stored for one site.

    ``excused(site_id, check_id)``: the reason of a reviewed exception in force, or None.
    """
    status, reason = site_outcome(rows.pages, rows.errors)
    checks = aggregate(
        rows.findings,
        pages_checked=rows.pages,
        site_error=reason,
        unread=unread_key_pages(rows.errors),
    )
    checks += aggregate_rendered(rows.findings, pages_checked=rows.pages, site_error=reason)
    return SiteResult(
        site_id=rows.site_id,
        status=status,
        reason=reason,
        pages_crawled=rows.pages,
        errors_count=len(rows.errors),
        pages_audited=sum(1 for a in rows.audits if a["error"] is None),
        audit=audit_summary(rows.audits),
        checks=apply_applicability(
            checks, rows.type, lambda check_id: excused(rows.site_id, check_id)
        ),
    )


def finish_run(store: Store, run_id: int, stats: dict[str, Any] | None = None) -> None:
    """Aggregate every site of ``run_id``, then mark it finished.

    The reviewed exceptions are those recorded with the run (``VIGIE_EXCEPTIONS``), in force
    on the day the run started: a run's table reads the same whenever it is read.
    """
    excused = _exceptions_of(store, run_id)
    batch: list[SiteResult] = []
    for rows in store.site_rows(run_id):
        batch.append(site_result(rows, excused))
        if len(batch) >= 200:
            store.write_site_results(run_id, batch)
            batch = []
    store.write_site_results(run_id, batch)
    store.mark_finished(run_id, stats)


def _exceptions_of(store: Store, run_id: int) -> Callable[[str, str], str | None]:
    """``(site_id, check_id) → reason`` of the run's exceptions in force on its start day."""
    run = store.run(run_id) or {}
    recorded = (run.get("settings") or {}).get("VIGIE_EXCEPTIONS") or []
    exemptions = [Exemption.from_dict(row) for row in recorded]
    started = run.get("started_at")
    day = started.date() if started is not None else None

    def excused(site_id: str, check_id: str) -> str | None:
        if day is None or not exemptions:
            return None
        exemption = exemption_for(exemptions, site_id, check_id, day)
        if exemption is None:
            return None
        until = f", jusqu'au {exemption.until:%d/%m/%Y}" if exemption.until else ""
        return f"exception revue : {exemption.reason}{until}"

    return excused
