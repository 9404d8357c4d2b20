"""The end of a run: every site's findings brought to the site level, then the run is done.

The judging is pure and lives in :mod:`checks.site` (what "found on the site" means, a
site's status, its audit summary); this module feeds it from the store a chunk of sites at
a time (memory stays bounded on a national run) and writes the results back. Called by
whoever ends a run: ``vigie crawl`` (:mod:`crawler.run`), the last worker of a distributed
run, the store pipeline of a run started under Scrapyd.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checks.site import SiteCheck, aggregate, audit_summary, site_outcome
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


def site_result(rows: SiteRows) -> SiteResult:
    """Aggregate what is stored for one site."""
    status, reason = site_outcome(rows.pages, rows.errors)
    return SiteResult(
        site_id=rows.site_id,
        status=status,
        reason=reason,
        pages_crawled=rows.pages,
        errors_count=len(rows.errors),
        pages_audited=sum(1 for a in rows.audits if a["error"] is None),
        audit=audit_summary(rows.audits),
        checks=aggregate(rows.findings, pages_checked=rows.pages, site_error=reason),
    )


def finish_run(store: Store, run_id: int, stats: dict[str, Any] | None = None) -> None:
    """Aggregate every site of ``run_id``, then mark it finished."""
    batch: list[SiteResult] = []
    for rows in store.site_rows(run_id):
        batch.append(site_result(rows))
        if len(batch) >= 200:
            store.write_site_results(run_id, batch)
            batch = []
    store.write_site_results(run_id, batch)
    store.mark_finished(run_id, stats)
