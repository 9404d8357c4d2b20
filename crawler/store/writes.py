"""What the crawl writes: runs and their states, pages with their findings, errors, audits,
and the site-level results once a run is aggregated; and the imports of the Annuaire de
l'administration (:class:`AnnuaireWrites`).

Nothing here updates another run's rows: each run adds its own, so a second run never
erases the first. Page rows are written in batches (one transaction each): what is in the
store is complete, and what a killed process had not flushed is fetched again on resume.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from crawler.store.schema import (
    annuaire_hosts,
    annuaire_imports,
    annuaire_records,
    audits,
    crawl_errors,
    findings,
    pages,
    run_sites,
    runs,
    site_checks,
)


def now() -> datetime:
    return datetime.now(UTC)


class Writes:
    """The store's write side (mixed into :class:`crawler.store.Store`)."""

    engine: Engine

    # -- runs -----------------------------------------------------------------------------

    def start_run(
        self,
        seeds: Sequence[Any],
        label: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> int:
        """Create a run and its ``run_sites`` rows (the seeds as they are now)."""
        with self.engine.begin() as conn:
            run_id = conn.execute(
                insert(runs).values(
                    label=label,
                    started_at=now(),
                    status="running",
                    seeds_count=len(seeds),
                    settings=settings or {},
                )
            ).inserted_primary_key[0]
            if seeds:
                conn.execute(
                    insert(run_sites),
                    [
                        {
                            "run_id": run_id,
                            "site_id": s.id,
                            "name": s.name,
                            "url": s.url,
                            "type": s.type,
                            "extra": s.extra or None,
                        }
                        for s in seeds
                    ],
                )
        return int(run_id)

    def reopen_run(self, run_id: int) -> None:
        """Mark an interrupted run as running again (``vigie crawl --resume``)."""
        self._set_run(run_id, status="running", finished_at=None)

    def interrupt_run(self, run_id: int, stats: dict[str, Any]) -> None:
        """Mark a run stopped before its end (a signal, the memory limit): kept for
        ``--resume``, never aggregated or reported as if every site had been crawled."""
        self._set_run(run_id, status="interrupted", finished_at=now(), stats=_jsonable(stats))

    def fail_run(self, run_id: int, reason: str) -> None:
        self._set_run(run_id, status="failed", finished_at=now(), stats={"reason": reason})

    def mark_finished(self, run_id: int, stats: dict[str, Any] | None = None) -> None:
        """The run's sites are aggregated (:meth:`write_site_results`): it can be read."""
        self._set_run(run_id, status="finished", finished_at=now(), stats=_jsonable(stats or {}))

    def _set_run(self, run_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(**values))

    # -- pages, findings, errors ----------------------------------------------------------

    def write_batch(
        self,
        page_rows: Sequence[tuple[dict[str, Any], Sequence[dict[str, Any]]]],
        error_rows: Sequence[dict[str, Any]],
        skip_stored: bool = False,
    ) -> None:
        """Write pages with their findings, and crawl errors, in one transaction.

        Two statements for the whole batch, not two per page: the pages in one
        multi-row INSERT … RETURNING (SQLAlchemy's "insertmanyvalues", ids in the order
        of the rows), then every finding of every page in one executemany.

        ``skip_stored``: leave out the pages and errors whose URL the run already holds
        (a distributed worker fetching again what a dead one had stored).
        """
        with self.engine.begin() as conn:
            if skip_stored:
                stored = _stored(conn, pages, [page for page, _ in page_rows])
                page_rows = [
                    row for row in page_rows if (row[0]["site_id"], row[0]["url"]) not in stored
                ]
                stored = _stored(conn, crawl_errors, error_rows)
                error_rows = [
                    row for row in error_rows if (row["site_id"], row["url"]) not in stored
                ]
            if page_rows:
                page_ids = (
                    conn.execute(
                        insert(pages).returning(pages.c.id, sort_by_parameter_order=True),
                        [page for page, _ in page_rows],
                    )
                    .scalars()
                    .all()
                )
                finding_batch = [
                    {**f, "page_id": page_id, "run_id": page["run_id"], "site_id": page["site_id"]}
                    for page_id, (page, page_findings) in zip(page_ids, page_rows, strict=True)
                    for f in page_findings
                ]
                if finding_batch:
                    conn.execute(insert(findings), finding_batch)
            if error_rows:
                conn.execute(insert(crawl_errors), list(error_rows))

    def add_page(self, page: dict[str, Any], page_findings: Sequence[dict[str, Any]]) -> int:
        """Store one page with its findings in one transaction; returns its id.

        For a page the audit phase rendered without the crawl having fetched it (a route
        linked only from a JavaScript shell's rendered DOM, :mod:`crawler.rendered_links`):
        its audit record needs the page's id.
        """
        with self.engine.begin() as conn:
            page_id = conn.execute(insert(pages).values(**page)).inserted_primary_key[0]
            if page_findings:
                conn.execute(
                    insert(findings),
                    [
                        {
                            **f,
                            "page_id": page_id,
                            "run_id": page["run_id"],
                            "site_id": page["site_id"],
                        }
                        for f in page_findings
                    ],
                )
        return int(page_id)

    def replace_findings(
        self, page_id: int, page_findings: Sequence[dict[str, Any]], rendered: bool = True
    ) -> None:
        """Findings of a page re-checked on its rendered DOM replace the static ones."""
        with self.engine.begin() as conn:
            page = conn.execute(select(pages).where(pages.c.id == page_id)).one()
            conn.execute(findings.delete().where(findings.c.page_id == page_id))
            if page_findings:
                conn.execute(
                    insert(findings),
                    [
                        {**f, "page_id": page_id, "run_id": page.run_id, "site_id": page.site_id}
                        for f in page_findings
                    ],
                )
            conn.execute(update(pages).where(pages.c.id == page_id).values(rendered=rendered))

    def replace_check_findings(
        self, page_id: int, check_ids: Sequence[str], page_findings: Sequence[dict[str, Any]]
    ) -> None:
        """The findings of ``check_ids`` on a page replace any earlier ones of those checks
        (the rendered checks of an audited page; a resumed run writes them again)."""
        with self.engine.begin() as conn:
            page = conn.execute(select(pages).where(pages.c.id == page_id)).one()
            conn.execute(
                findings.delete().where(
                    findings.c.page_id == page_id, findings.c.check_id.in_(list(check_ids))
                )
            )
            if page_findings:
                conn.execute(
                    insert(findings),
                    [
                        {**f, "page_id": page_id, "run_id": page.run_id, "site_id": page.site_id}
                        for f in page_findings
                    ],
                )

    def write_audit(
        self, run_id: int, site_id: str, page_id: int | None, reason: str, record: dict[str, Any]
    ) -> None:
        """Store one page's audit record (``AuditResult.to_dict()``, and for a rendered
        DOM whose links the audit phase follows, ``"rendered_links"``)."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(audits).values(
                    run_id=run_id,
                    site_id=site_id,
                    page_id=page_id,
                    url=record["url"],
                    reason=reason,
                    axe_version=record.get("axe_version"),
                    error=record.get("error"),
                    duration_s=record.get("duration_s"),
                    violations=record.get("violations"),
                    needs_review=record.get("needs_review"),
                    counts=record.get("counts"),
                    criteria_violated=record.get("criteria_violated"),
                    rendered_links=record.get("rendered_links"),
                    at=now(),
                )
            )

    # -- site level -----------------------------------------------------------------------

    def write_site_results(self, run_id: int, results: Iterable[Any]) -> None:
        """Store the aggregated results of some sites of a run (``SiteResult`` objects of
        :mod:`crawler.aggregation`), replacing any earlier aggregation of those sites."""
        with self.engine.begin() as conn:
            for result in results:
                conn.execute(
                    site_checks.delete().where(
                        site_checks.c.run_id == run_id, site_checks.c.site_id == result.site_id
                    )
                )
                conn.execute(
                    update(run_sites)
                    .where(run_sites.c.run_id == run_id, run_sites.c.site_id == result.site_id)
                    .values(
                        status=result.status,
                        reason=result.reason,
                        pages_crawled=result.pages_crawled,
                        errors_count=result.errors_count,
                        pages_audited=result.pages_audited,
                        audit=result.audit,
                    )
                )
                if result.checks:
                    conn.execute(
                        insert(site_checks),
                        [
                            {
                                "run_id": run_id,
                                "site_id": result.site_id,
                                "check_id": sc.check_id,
                                "status": sc.status,
                                "value": sc.value,
                                "evidence": sc.evidence,
                                "pages_found": sc.pages_found,
                                "error": sc.error,
                            }
                            for sc in result.checks
                        ],
                    )


def _stored(conn: Any, table: Any, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """``(site_id, url)`` of ``rows`` already in ``table`` for their run (one query)."""
    if not rows:
        return set()
    run_ids = {row["run_id"] for row in rows}
    query = select(table.c.site_id, table.c.url).where(
        table.c.run_id.in_(run_ids), table.c.url.in_({row["url"] for row in rows})
    )
    return {(r.site_id, r.url) for r in conn.execute(query)}


def _jsonable(data: Any) -> Any:
    """Scrapy stats hold datetimes; make them JSON-safe."""
    return json.loads(json.dumps(data, default=str))


class AnnuaireWrites:
    """Writing imports of the Annuaire de l'administration (mixed into the store).

    An import is written in batches, each its own transaction (a national export must not
    hold the store's write lock for the whole read), under the state ``running``: only a
    ``finished`` import is ever read, so a crash halfway leaves the previous one in use.
    """

    engine: Engine

    def start_annuaire_import(self, source: str, export_date: date) -> int:
        with self.engine.begin() as conn:
            import_id = conn.execute(
                insert(annuaire_imports).values(
                    source=source, export_date=export_date, started_at=now(), status="running"
                )
            ).inserted_primary_key[0]
        return int(import_id)

    def write_annuaire_batch(
        self,
        import_id: int,
        records: Sequence[dict[str, Any]],
        hosts: Sequence[dict[str, Any]],
    ) -> None:
        """Records (``record_id``, ``name``, ``pivot_type``, ``data``) and their hosts
        (``host``, ``domain``, ``record_id``) of one import, in one transaction."""
        with self.engine.begin() as conn:
            if records:
                conn.execute(
                    insert(annuaire_records), [{**r, "import_id": import_id} for r in records]
                )
            if hosts:
                conn.execute(insert(annuaire_hosts), [{**h, "import_id": import_id} for h in hosts])

    def finish_annuaire_import(
        self, import_id: int, records: int, rejected: int, report: dict[str, Any]
    ) -> None:
        """The import is complete: from now on it is the reference of the runs after it."""
        self._set_import(
            import_id,
            status="finished",
            finished_at=now(),
            records_count=records,
            rejected_count=rejected,
            report=_jsonable(report),
        )

    def fail_annuaire_import(self, import_id: int, report: dict[str, Any]) -> None:
        """The file could not be read to its end: the import is never used; its records
        are deleted (they would only take room), its row stays to say what happened."""
        with self.engine.begin() as conn:
            conn.execute(annuaire_hosts.delete().where(annuaire_hosts.c.import_id == import_id))
            conn.execute(annuaire_records.delete().where(annuaire_records.c.import_id == import_id))
        self._set_import(import_id, status="failed", finished_at=now(), report=_jsonable(report))

    def _set_import(self, import_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(annuaire_imports).where(annuaire_imports.c.id == import_id).values(**values)
            )
