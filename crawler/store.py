"""The SQL store: runs, sites, pages and findings, accumulated as history.

SQLAlchemy Core over any database URL: an SQLite file by default (``vigie.db`` in the
current folder), PostgreSQL at scale. Nothing is ever updated in place across runs: each
run adds its rows, so a second run never erases the first.

Tables
------
``runs``         one row per crawl run (label, times, status, settings, statistics)
``run_sites``    one row per site and run: the seed as it was, status ``ok``/``error``
                 and its reason, pages crawled, errors met
``pages``        every fetched page (URL, HTTP status, depth, size, whether rendered)
``findings``     page-level check results worth keeping: found, error, or a value
                 (an absent result with no value is implied by the page row)
``crawl_errors`` every failed request (site down, timeout, HTTP error, robots.txt…)
``site_checks``  the site-level status of every check for a run, computed when the run
                 finishes (see :func:`checks.site.aggregate`)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine

from checks.site import SiteCheck, aggregate, audit_summary
from crawler.seeds import Seed

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", String(100), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(20), nullable=False),  # running / finished / failed
    Column("seeds_count", Integer, nullable=False, default=0),
    Column("settings", JSON, nullable=True),
    Column("stats", JSON, nullable=True),
)

run_sites = Table(
    "run_sites",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("site_id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("type", String(40), nullable=False),
    Column("extra", JSON, nullable=True),
    Column("status", String(20), nullable=True),  # ok / error (set when the run finishes)
    Column("reason", Text, nullable=True),
    Column("pages_crawled", Integer, nullable=True),
    Column("errors_count", Integer, nullable=True),
    # Accessibility audit of the site's sampled pages (see checks.rgaa, audit_summary):
    # pages audited, audit errors, violation counts by impact and RGAA theme, criteria.
    Column("pages_audited", Integer, nullable=True),
    Column("audit", JSON, nullable=True),
)

pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("url", Text, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("depth", Integer, nullable=True),
    Column("bytes", Integer, nullable=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("duration_s", Float, nullable=True),
    Column("rendered", Boolean, nullable=False, default=False),
    Column("js_shell", Boolean, nullable=False, default=False),
    Column("title", Text, nullable=True),
    Column("problems", JSON, nullable=True),
    # The links this page added to the site's frontier, [url, score]: a resumed run
    # rebuilds its frontier from them.
    Column("links", JSON, nullable=True),
    Index("ix_pages_run_site", "run_id", "site_id"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=False),
    Column("check_id", String(40), nullable=False),
    Column("status", String(10), nullable=False),  # found / absent / error
    Column("value", JSON, nullable=True),
    Column("evidence", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_findings_run_site", "run_id", "site_id"),
)

crawl_errors = Table(
    "crawl_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("is_home", Boolean, nullable=False, default=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_errors_run_site", "run_id", "site_id"),
)

audits = Table(
    "audits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("site_id", String(100), nullable=False),
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=True),
    Column("url", Text, nullable=False),
    Column("reason", String(40), nullable=True),  # why sampled: accueil, contact…
    Column("axe_version", String(20), nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_s", Float, nullable=True),
    Column("violations", JSON, nullable=True),
    Column("needs_review", JSON, nullable=True),
    Column("counts", JSON, nullable=True),
    Column("criteria_violated", JSON, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_audits_run_site", "run_id", "site_id"),
)

site_checks = Table(
    "site_checks",
    metadata,
    Column("run_id", Integer, primary_key=True),
    Column("site_id", String(100), primary_key=True),
    Column("check_id", String(40), primary_key=True),
    Column("status", String(10), nullable=False),
    Column("value", JSON, nullable=True),
    Column("evidence", JSON, nullable=True),
    Column("pages_found", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
)


@dataclass(frozen=True, slots=True)
class SiteProgress:
    """What an interrupted run already did for one site (see :meth:`Store.progress`)."""

    fetched: list[tuple[str, int]]  # (url, depth) of stored pages, shallowest first
    failed: list[str]  # URLs whose request failed (stored errors)
    links: list[tuple[str, int, int]]  # (url, score, depth) queued by stored pages


def now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets ``vigie table`` read while a crawl writes; NORMAL sync is safe with WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Store:
    """Vigie's SQL store. Create it with any SQLAlchemy URL; the schema is created, or
    migrated to this version's, when it is opened."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        from crawler import migrations  # imports Alembic, whose env imports this module

        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                # Workers of a distributed crawl start together: one migrates the schema.
                conn.execute(text("SELECT pg_advisory_xact_lock(7431001)"))
            # Created, or brought to this Vigie's tables: a history database made by an
            # earlier version stays usable (crawler/migrations).
            migrations.upgrade(conn)

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
                stored = self._stored(conn, pages, [page for page, _ in page_rows])
                page_rows = [
                    row for row in page_rows if (row[0]["site_id"], row[0]["url"]) not in stored
                ]
                stored = self._stored(conn, crawl_errors, error_rows)
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

    @staticmethod
    def _stored(conn: Any, table: Any, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
        """``(site_id, url)`` of ``rows`` already in ``table`` for their run (one query)."""
        if not rows:
            return set()
        run_ids = {row["run_id"] for row in rows}
        query = select(table.c.site_id, table.c.url).where(
            table.c.run_id.in_(run_ids), table.c.url.in_({row["url"] for row in rows})
        )
        return {(r.site_id, r.url) for r in conn.execute(query)}

    def write_audit(
        self, run_id: int, site_id: str, page_id: int | None, reason: str, record: dict[str, Any]
    ) -> None:
        """Store one page's audit record (``AuditResult.to_dict()``)."""
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
                    at=now(),
                )
            )

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

    def audits_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(audits).where(audits.c.run_id == run_id).order_by(audits.c.id)
                )
            ]

    def finish_run(self, run_id: int, stats: dict[str, Any] | None = None) -> None:
        """Aggregate every site of the run and mark it finished.

        A site with no page fetched is ``error`` with the reason of its home page's
        failure (or the first failure met); every check of such a site is ``error``.
        """
        with self.engine.begin() as conn:
            site_ids = [
                r.site_id
                for r in conn.execute(
                    select(run_sites.c.site_id).where(run_sites.c.run_id == run_id)
                )
            ]
            page_counts = dict(
                conn.execute(
                    select(pages.c.site_id, func.count())
                    .where(pages.c.run_id == run_id)
                    .group_by(pages.c.site_id)
                ).all()
            )
            errors_by_site: dict[str, list[Any]] = defaultdict(list)
            for row in conn.execute(
                select(crawl_errors)
                .where(crawl_errors.c.run_id == run_id)
                .order_by(crawl_errors.c.id)
            ):
                errors_by_site[row.site_id].append(row)
            found_rows: dict[str, list[Any]] = defaultdict(list)
            for row in conn.execute(
                select(
                    findings.c.site_id,
                    findings.c.check_id,
                    findings.c.status,
                    findings.c.value,
                    findings.c.evidence,
                    findings.c.error,
                    pages.c.url,
                    pages.c.depth,
                )
                .join(pages, pages.c.id == findings.c.page_id)
                .where(findings.c.run_id == run_id)
                .order_by(pages.c.depth, findings.c.id)
            ):
                found_rows[row.site_id].append(row)

            audits_by_site: dict[str, list[Any]] = defaultdict(list)
            for row in conn.execute(select(audits).where(audits.c.run_id == run_id)):
                audits_by_site[row.site_id].append(row._mapping)

            conn.execute(site_checks.delete().where(site_checks.c.run_id == run_id))
            for site_id in site_ids:
                n_pages = page_counts.get(site_id, 0)
                errors = errors_by_site.get(site_id, [])
                reason = None
                if n_pages == 0:
                    home = [e for e in errors if e.is_home] or errors
                    reason = (
                        f"{home[0].reason} ({home[0].url})" if home else "aucune page récupérée"
                    )
                conn.execute(
                    update(run_sites)
                    .where(run_sites.c.run_id == run_id, run_sites.c.site_id == site_id)
                    .values(
                        status="ok" if n_pages else "error",
                        reason=reason,
                        pages_crawled=n_pages,
                        errors_count=len(errors),
                        pages_audited=sum(
                            1 for a in audits_by_site.get(site_id, []) if a["error"] is None
                        ),
                        audit=audit_summary(audits_by_site.get(site_id, [])),
                    )
                )
                rows = [
                    {
                        "check_id": r.check_id,
                        "status": r.status,
                        "value": r.value,
                        "evidence": r.evidence,
                        "error": r.error,
                    }
                    for r in found_rows.get(site_id, [])
                ]
                site_level = aggregate(rows, pages_checked=n_pages, site_error=reason)
                if site_level:
                    conn.execute(
                        insert(site_checks),
                        [_site_check_row(run_id, site_id, sc) for sc in site_level],
                    )
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(finished_at=now(), status="finished", stats=_jsonable(stats or {}))
            )

    def progress(self, run_id: int) -> dict[str, SiteProgress]:
        """Per site, what run ``run_id`` has stored so far: enough to resume it.

        Rows are written in transactions of whole batches, so what is here is complete;
        what a killed process had not flushed is simply fetched again.
        """
        fetched: dict[str, list[tuple[str, int]]] = defaultdict(list)
        links: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        failed: dict[str, list[str]] = defaultdict(list)
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(pages.c.site_id, pages.c.url, pages.c.depth, pages.c.links)
                .where(pages.c.run_id == run_id)
                .order_by(pages.c.depth, pages.c.id)
            ):
                fetched[row.site_id].append((row.url, row.depth or 0))
                links[row.site_id].extend(
                    (url, int(score), (row.depth or 0) + 1) for url, score in row.links or ()
                )
            for row in conn.execute(
                select(crawl_errors.c.site_id, crawl_errors.c.url).where(
                    crawl_errors.c.run_id == run_id
                )
            ):
                failed[row.site_id].append(row.url)
        return {
            site_id: SiteProgress(
                fetched.get(site_id, []), failed.get(site_id, []), links.get(site_id, [])
            )
            for site_id in set(fetched) | set(failed)
        }

    def run_by_label(self, label: str) -> dict[str, Any] | None:
        """The latest run tagged ``label`` (scheduled runs are idempotent by label)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(runs).where(runs.c.label == label).order_by(runs.c.id.desc())
            ).first()
        return dict(row._mapping) if row else None

    def reopen_run(self, run_id: int) -> None:
        """Mark an interrupted run as running again (``vigie crawl --resume``)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(status="running", finished_at=None)
            )

    def interrupt_run(self, run_id: int, stats: dict[str, Any]) -> None:
        """Mark a run stopped by a signal before its end: kept for ``--resume``, never
        aggregated or reported as if every site had been crawled."""
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(finished_at=now(), status="interrupted", stats=_jsonable(stats))
            )

    def fail_run(self, run_id: int, reason: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(finished_at=now(), status="failed", stats={"reason": reason})
            )

    # -- reading --------------------------------------------------------------------------

    def latest_run_id(self) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(runs.c.id)).where(runs.c.status == "finished")
            ).scalar()

    def list_runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(runs).order_by(runs.c.id))]

    def run_exists(self, run_id: int) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is not None

    def sites_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(run_sites)
                    .where(run_sites.c.run_id == run_id)
                    .order_by(run_sites.c.site_id)
                )
            ]

    def seeds_of_run(self, run_id: int) -> list[Seed]:
        """The seed list of a run, as it was when the run started."""
        return [
            Seed(r["site_id"], r["name"], r["url"], r["type"], r["extra"] or {})
            for r in self.sites_of_run(run_id)
        ]

    def previous_runs(self, run_id: int, site_ids: Sequence[str]) -> dict[str, int]:
        """For each site, the latest finished run before ``run_id`` that contains it."""
        if not site_ids:
            return {}
        query = (
            select(run_sites.c.site_id, func.max(run_sites.c.run_id))
            .join(runs, runs.c.id == run_sites.c.run_id)
            .where(
                run_sites.c.run_id < run_id,
                runs.c.status == "finished",
                run_sites.c.site_id.in_(list(site_ids)),
            )
            .group_by(run_sites.c.site_id)
        )
        with self.engine.connect() as conn:
            return {site_id: int(prev) for site_id, prev in conn.execute(query)}

    def statuses_in(self, pairs: dict[str, int]) -> dict[str, dict[str, str]]:
        """``site_id → check_id → status`` of each site in the run paired with it."""
        out: dict[str, dict[str, str]] = {site: {} for site in pairs}
        by_run: dict[int, list[str]] = defaultdict(list)
        for site_id, run in pairs.items():
            by_run[run].append(site_id)
        with self.engine.connect() as conn:
            for run, sites in by_run.items():
                query = select(
                    site_checks.c.site_id, site_checks.c.check_id, site_checks.c.status
                ).where(site_checks.c.run_id == run, site_checks.c.site_id.in_(sites))
                for site_id, check_id, status in conn.execute(query):
                    out[site_id][check_id] = status
        return out

    def site_checks_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(select(site_checks).where(site_checks.c.run_id == run_id))
            ]

    def check_statuses_of_run(self, run_id: int) -> list[tuple[str, str, str]]:
        """``(site_id, check_id, status)`` of the run's site-level checks: what coverage
        needs, without decoding every check's value and evidence (most of the time of
        :meth:`site_checks_of_run`)."""
        c = site_checks.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.site_id, c.check_id, c.status).where(c.run_id == run_id))
            return [tuple(row) for row in rows]

    def check_values_of_run(self, run_id: int, check_id: str) -> dict[str, Any]:
        """``site_id → value`` of one check over the run's sites."""
        c = site_checks.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.site_id, c.value).where(c.run_id == run_id, c.check_id == check_id)
            )
            return dict(rows.all())

    def errors_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(crawl_errors)
                    .where(crawl_errors.c.run_id == run_id)
                    .order_by(crawl_errors.c.id)
                )
            ]

    def pages_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(pages).where(pages.c.run_id == run_id).order_by(pages.c.id)
                )
            ]


def _site_check_row(run_id: int, site_id: str, sc: SiteCheck) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "site_id": site_id,
        "check_id": sc.check_id,
        "status": sc.status,
        "value": sc.value,
        "evidence": sc.evidence,
        "pages_found": sc.pages_found,
        "error": sc.error,
    }


def _jsonable(data: Any) -> Any:
    """Scrapy stats hold datetimes; make them JSON-safe."""
    return json.loads(json.dumps(data, default=str))


def finding_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows worth storing for one page: found, error, or absent with a value."""
    rows = []
    for check_id, res in results.items():
        if res.error is None and not res.found and res.value in (None, [], {}):
            continue
        rows.append(
            {
                "check_id": check_id,
                "status": res.status,
                "value": res.value,
                "evidence": [e.to_dict() for e in res.evidence] or None,
                "error": res.error,
            }
        )
    return rows


def iter_chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
