"""The store's read API: what the commands, the reports and a resumed crawl read.

Everything outside ``crawler/store`` reads through these methods, never through the
tables: the reports see runs, sites, findings, errors and audits as plain dictionaries,
and the schema can change behind them (with a migration) without touching them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, literal, select
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

#: Sites read together when a run is aggregated: memory stays bounded on national runs.
AGGREGATION_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SiteProgress:
    """What an interrupted run already did for one site (see :meth:`Reads.progress`)."""

    fetched: list[tuple[str, int]]  # (url, depth) of stored pages, shallowest first
    failed: list[str]  # URLs whose request failed (stored errors)
    #: (url, priority, depth, kind of key page or None) proposed by stored pages
    links: list[tuple[str, int, int, str | None]]


@dataclass(frozen=True, slots=True)
class SiteRows:
    """Everything stored for one site of a run, as the aggregation needs it."""

    site_id: str
    type: str  # the administration's type, as in the seed list
    pages: int
    errors: list[dict[str, Any]]  # in the order they happened
    findings: list[dict[str, Any]]  # with the page's url and depth, shallowest pages first
    audits: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SiteDetails:
    """The site pages' detail of a few sites of a run (see :meth:`Reads.site_details_in`)."""

    checks: dict[str, dict[str, dict[str, Any]]]  # site → check id → site_checks row
    titles: dict[str, dict[str, str]]  # site → page URL → <title>
    errors: dict[str, list[dict[str, Any]]]  # site → crawl errors, oldest first


class Reads:
    """The store's read side (mixed into :class:`crawler.store.Store`)."""

    engine: Engine

    def _all(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- runs -----------------------------------------------------------------------------

    def list_runs(self) -> list[dict[str, Any]]:
        return self._all(select(runs).order_by(runs.c.id))

    def run(self, run_id: int) -> dict[str, Any] | None:
        rows = self._all(select(runs).where(runs.c.id == run_id))
        return rows[0] if rows else None

    def run_exists(self, run_id: int) -> bool:
        return self.run(run_id) is not None

    def latest_run_id(self) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(runs.c.id)).where(runs.c.status == "finished")
            ).scalar()

    def run_by_label(self, label: str) -> dict[str, Any] | None:
        """The latest run tagged ``label`` (scheduled runs are idempotent by label)."""
        rows = self._all(select(runs).where(runs.c.label == label).order_by(runs.c.id.desc()))
        return rows[0] if rows else None

    # -- sites ----------------------------------------------------------------------------

    def sites_of_run(self, run_id: int) -> list[dict[str, Any]]:
        return self._all(
            select(run_sites).where(run_sites.c.run_id == run_id).order_by(run_sites.c.site_id)
        )

    def site_rows_in(self, pairs: dict[str, int]) -> dict[str, dict[str, Any]]:
        """``site_id → run_sites row`` of each site in the run paired with it (what a site
        was in its previous run: status, audit summary)."""
        by_run: dict[int, list[str]] = defaultdict(list)
        for site_id, run in pairs.items():
            by_run[run].append(site_id)
        out: dict[str, dict[str, Any]] = {}
        for run, sites in by_run.items():
            for row in self._all(
                select(run_sites).where(run_sites.c.run_id == run, run_sites.c.site_id.in_(sites))
            ):
                out[row["site_id"]] = row
        return out

    def site_ids_of_run(self, run_id: int) -> list[str]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(run_sites.c.site_id)
                    .where(run_sites.c.run_id == run_id)
                    .order_by(run_sites.c.site_id)
                ).scalars()
            )

    def seeds_of_run(self, run_id: int) -> list[Any]:
        """The seed list of a run, as it was when the run started."""
        from crawler.seeds import Seed

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

    # -- site-level checks ----------------------------------------------------------------

    def site_checks_of_run(self, run_id: int) -> list[dict[str, Any]]:
        return self._all(select(site_checks).where(site_checks.c.run_id == run_id))

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

    def check_statuses_of_run(self, run_id: int) -> list[tuple[str, str, str]]:
        """``(site_id, check_id, status)`` of the run's site-level checks: what coverage
        needs, without decoding every check's value and evidence (most of the time of
        :meth:`site_checks_of_run`)."""
        c = site_checks.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.site_id, c.check_id, c.status).where(c.run_id == run_id))
            return [tuple(row) for row in rows]

    def not_applicable_reasons_of_run(self, run_id: int) -> dict[str, dict[str, str]]:
        """``site_id → check_id → why`` of the run's checks that do not apply (with a
        reason): what the overview says of them, without reading every check's row."""
        c = site_checks.c
        out: dict[str, dict[str, str]] = defaultdict(dict)
        with self.engine.connect() as conn:
            for site_id, check_id, error in conn.execute(
                select(c.site_id, c.check_id, c.error).where(
                    c.run_id == run_id, c.status == "not_applicable", c.error.is_not(None)
                )
            ):
                if error:
                    out[site_id][check_id] = error
        return dict(out)

    def check_values_in(self, pairs: dict[str, int], check_id: str) -> dict[str, Any]:
        """``site_id → value`` of one check, each site in the run paired with it."""
        by_run: dict[int, list[str]] = defaultdict(list)
        for site_id, run in pairs.items():
            by_run[run].append(site_id)
        c = site_checks.c
        out: dict[str, Any] = {}
        with self.engine.connect() as conn:
            for run, sites in by_run.items():
                query = select(c.site_id, c.value).where(
                    c.run_id == run, c.check_id == check_id, c.site_id.in_(sites)
                )
                out.update(conn.execute(query).all())
        return out

    def check_values_of_run(self, run_id: int, check_id: str) -> dict[str, Any]:
        """``site_id → value`` of one check over the run's sites."""
        c = site_checks.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.site_id, c.value).where(c.run_id == run_id, c.check_id == check_id)
            )
            return dict(rows.all())

    # -- aggregates over runs (trends) ----------------------------------------------------
    #
    # A report shows every stored run; reading each run's sites into memory would not fit a
    # national list (10,000 sites a run). These group in SQL and return a few hundred rows
    # whatever the number of sites; what the figures mean stays in checks.site and reports.

    @staticmethod
    def _group_of(dimension: str | None) -> Any:
        """The SQL expression a site is grouped by: ``None`` (one group), ``"type"``, or an
        extra column of the seed list (``run_sites.extra``, JSON, read as text)."""
        if dimension is None:
            return literal("", Text)
        if dimension == "type":
            return run_sites.c.type
        return run_sites.c.extra[dimension].as_string()

    def status_patterns(
        self,
        run_ids: Sequence[int],
        check_ids: Sequence[str],
        value_check: str | None = None,
        dimensions: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """How many sites of each run share one pattern of statuses, counted in SQL.

        One row per (run, the site's value of each of ``dimensions``, site status, status
        of each of ``check_ids``, value of ``value_check`` as JSON text, the audit's
        ``no_critical``, whether any check of the site ran) with ``sites``, the number of
        sites: ``{"run_id", "groups": {dimension: value}, "site_status", "statuses":
        {check: status}, "value", "no_critical", "ran", "sites"}``. A dimension is
        ``"type"`` or an extra column of the seed list (:meth:`_group_of`; ``None`` for a
        site without it). Enough to compute any coverage figure of every run, by any
        dimension, in one pass over the run's checks and without reading a single site
        into memory: the patterns are far fewer than the sites, and they are streamed.
        """
        if not run_ids:
            return
        sc = site_checks.c
        pivot = [
            func.max(case((sc.check_id == check_id, sc.status))).label(f"s{i}")
            for i, check_id in enumerate(check_ids)
        ]
        if value_check:
            pivot.append(
                func.max(case((sc.check_id == value_check, cast(sc.value, Text)))).label("v")
            )
        pivot.append(func.max(case((sc.status != "error", 1), else_=0)).label("ran"))
        per_site = (
            select(sc.run_id, sc.site_id, *pivot)
            .where(sc.run_id.in_(list(run_ids)))
            .group_by(sc.run_id, sc.site_id)
            .subquery()
        )
        rs = run_sites.c
        sites = (
            select(
                rs.run_id.label("run_id"),
                *(self._group_of(d).label(f"g{i}") for i, d in enumerate(dimensions)),
                rs.status.label("site_status"),
                rs.audit["no_critical"].as_boolean().label("nc"),
                per_site.c.ran,
                *(per_site.c[f"s{i}"] for i in range(len(check_ids))),
                *([per_site.c.v] if value_check else []),
            )
            .select_from(
                run_sites.outerjoin(
                    per_site,
                    and_(per_site.c.run_id == rs.run_id, per_site.c.site_id == rs.site_id),
                )
            )
            .where(rs.run_id.in_(list(run_ids)))
            .subquery()
        )
        keys = [sites.c.run_id, *(sites.c[f"g{i}"] for i in range(len(dimensions)))]
        keys += [sites.c.site_status, sites.c.nc, sites.c.ran]
        keys += [sites.c[f"s{i}"] for i in range(len(check_ids))]
        keys += [sites.c.v] if value_check else []
        query = select(*keys, func.count().label("sites")).group_by(*keys)
        with self.engine.connect() as conn:
            for row in conn.execution_options(stream_results=True, yield_per=1000).execute(query):
                m = row._mapping
                yield {
                    "run_id": m["run_id"],
                    "groups": {d: m[f"g{i}"] for i, d in enumerate(dimensions)},
                    "site_status": m["site_status"],
                    "statuses": {c: m[f"s{i}"] for i, c in enumerate(check_ids)},
                    "value": m["v"] if value_check else None,
                    "no_critical": None if m["nc"] is None else bool(m["nc"]),
                    "ran": bool(m["ran"]),
                    "sites": int(m["sites"]),
                }

    def check_counts(
        self, run_ids: Sequence[int], dimension: str | None = None
    ) -> list[dict[str, Any]]:
        """Sites by run, group, check and status, counted in SQL: ``{"run_id", "group",
        "check_id", "status", "sites"}`` (``group`` as in :meth:`status_patterns`)."""
        if not run_ids:
            return []
        sc, rs = site_checks.c, run_sites.c
        rows = (
            select(
                sc.run_id.label("run_id"),
                self._group_of(dimension).label("grp"),
                sc.check_id.label("check_id"),
                sc.status.label("status"),
            )
            .select_from(
                site_checks.join(run_sites, and_(rs.run_id == sc.run_id, rs.site_id == sc.site_id))
            )
            .where(sc.run_id.in_(list(run_ids)))
            .subquery()
        )
        keys = [rows.c.run_id, rows.c.grp, rows.c.check_id, rows.c.status]
        query = select(*keys, func.count().label("sites")).group_by(*keys)
        with self.engine.connect() as conn:
            return [
                {
                    "run_id": r.run_id,
                    "group": r.grp,
                    "check_id": r.check_id,
                    "status": r.status,
                    "sites": int(r.sites),
                }
                for r in conn.execute(query)
            ]

    # -- pages, errors, audits ------------------------------------------------------------

    def pages_of_run(self, run_id: int) -> list[dict[str, Any]]:
        return self._all(select(pages).where(pages.c.run_id == run_id).order_by(pages.c.id))

    def page_titles_of_run(self, run_id: int) -> dict[str, dict[str, str]]:
        """``site_id → url → <title>`` of the run's pages that have one."""
        query = select(pages.c.site_id, pages.c.url, pages.c.title).where(
            pages.c.run_id == run_id, pages.c.title.is_not(None)
        )
        titles: dict[str, dict[str, str]] = defaultdict(dict)
        with self.engine.connect() as conn:
            for site_id, url, title in conn.execute(query):
                titles[site_id][url] = title
        return dict(titles)

    def site_details_in(self, run_id: int, site_ids: Sequence[str]) -> SiteDetails:
        """What a report's site pages show of a few sites: their site-level check rows,
        their pages' titles and their crawl errors (in the order they happened).

        A national report reads its sites a chunk at a time through this, rather than
        every check row of the run (values and evidence decoded) at once.
        """
        ids = list(site_ids)
        checks: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        titles: dict[str, dict[str, str]] = defaultdict(dict)
        errors: dict[str, list[dict[str, Any]]] = defaultdict(list)
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(site_checks).where(
                    site_checks.c.run_id == run_id, site_checks.c.site_id.in_(ids)
                )
            ):
                checks[row.site_id][row.check_id] = dict(row._mapping)
            for site_id, url, title in conn.execute(
                select(pages.c.site_id, pages.c.url, pages.c.title).where(
                    pages.c.run_id == run_id, pages.c.site_id.in_(ids), pages.c.title.is_not(None)
                )
            ):
                titles[site_id][url] = title
            for row in conn.execute(
                select(crawl_errors)
                .where(crawl_errors.c.run_id == run_id, crawl_errors.c.site_id.in_(ids))
                .order_by(crawl_errors.c.id)
            ):
                errors[row.site_id].append(dict(row._mapping))
        return SiteDetails(dict(checks), dict(titles), dict(errors))

    def errors_of_run(self, run_id: int) -> list[dict[str, Any]]:
        return self._all(
            select(crawl_errors).where(crawl_errors.c.run_id == run_id).order_by(crawl_errors.c.id)
        )

    def audits_of_run(self, run_id: int) -> list[dict[str, Any]]:
        return self._all(select(audits).where(audits.c.run_id == run_id).order_by(audits.c.id))

    # -- resuming and aggregating a run ---------------------------------------------------

    def progress(self, run_id: int) -> dict[str, SiteProgress]:
        """Per site, what run ``run_id`` has stored so far: enough to resume it.

        Rows are written in transactions of whole batches, so what is here is complete;
        what a killed process had not flushed is simply fetched again.
        """
        fetched: dict[str, list[tuple[str, int]]] = defaultdict(list)
        links: dict[str, list[tuple[str, int, int, str | None]]] = defaultdict(list)
        failed: dict[str, list[str]] = defaultdict(list)
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(pages.c.site_id, pages.c.url, pages.c.depth, pages.c.links)
                .where(pages.c.run_id == run_id)
                .order_by(pages.c.depth, pages.c.id)
            ):
                fetched[row.site_id].append((row.url, row.depth or 0))
                depth = (row.depth or 0) + 1
                for link in row.links or ():
                    # [url, priority, kind]; runs before the kinds stored [url, priority]
                    kind = link[2] if len(link) > 2 else None
                    links[row.site_id].append((link[0], int(link[1]), depth, kind))
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

    def site_rows(self, run_id: int, chunk: int = AGGREGATION_CHUNK) -> Iterator[SiteRows]:
        """Every site of a run with what is stored for it, a chunk of sites at a time."""
        site_ids = self.site_ids_of_run(run_id)
        for start in range(0, len(site_ids), chunk):
            yield from self._site_rows(run_id, site_ids[start : start + chunk])

    def _site_rows(self, run_id: int, site_ids: list[str]) -> Iterator[SiteRows]:
        errors: dict[str, list[dict[str, Any]]] = defaultdict(list)
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        audited: dict[str, list[dict[str, Any]]] = defaultdict(list)
        with self.engine.connect() as conn:
            types = dict(
                conn.execute(
                    select(run_sites.c.site_id, run_sites.c.type).where(
                        run_sites.c.run_id == run_id, run_sites.c.site_id.in_(site_ids)
                    )
                ).all()
            )
            page_counts = dict(
                conn.execute(
                    select(pages.c.site_id, func.count())
                    .where(pages.c.run_id == run_id, pages.c.site_id.in_(site_ids))
                    .group_by(pages.c.site_id)
                ).all()
            )
            for row in conn.execute(
                select(crawl_errors)
                .where(crawl_errors.c.run_id == run_id, crawl_errors.c.site_id.in_(site_ids))
                .order_by(crawl_errors.c.id)
            ):
                errors[row.site_id].append(dict(row._mapping))
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
                .where(findings.c.run_id == run_id, findings.c.site_id.in_(site_ids))
                .order_by(pages.c.depth, findings.c.id)
            ):
                found[row.site_id].append(dict(row._mapping))
            for row in conn.execute(
                select(audits)
                .where(audits.c.run_id == run_id, audits.c.site_id.in_(site_ids))
                .order_by(audits.c.id)
            ):
                audited[row.site_id].append(dict(row._mapping))
        for site_id in site_ids:
            yield SiteRows(
                site_id,
                types.get(site_id, "autre"),
                page_counts.get(site_id, 0),
                errors.get(site_id, []),
                found.get(site_id, []),
                audited.get(site_id, []),
            )


class AnnuaireReads:
    """Reading the imports of the Annuaire de l'administration (mixed into the store).

    Only ``finished`` imports are read as references; the others are listed for history.
    """

    engine: Engine

    def annuaire_imports(self) -> list[dict[str, Any]]:
        """Every import, oldest first (``vigie annuaire imports``)."""
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(select(annuaire_imports).order_by(annuaire_imports.c.id))
            ]

    def annuaire_import(self, import_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(annuaire_imports).where(annuaire_imports.c.id == import_id)
            ).first()
        return dict(row._mapping) if row else None

    def annuaire_import_for(self, at: datetime | None) -> dict[str, Any] | None:
        """The import a run finished at ``at`` is compared with.

        The latest import finished before ``at`` (what Vigie knew when the run ended: a
        later import never changes an earlier run's findings); when there is none, the
        first import finished after it (a run crawled before its Annuaire was imported);
        ``at`` ``None`` (a run still going): the latest import.
        """
        c = annuaire_imports.c
        done = select(annuaire_imports).where(c.status == "finished")
        queries = (
            [done.order_by(c.id.desc())]
            if at is None
            else [
                done.where(c.finished_at <= at).order_by(c.finished_at.desc(), c.id.desc()),
                done.where(c.finished_at > at).order_by(c.finished_at, c.id),
            ]
        )
        with self.engine.connect() as conn:
            for query in queries:
                row = conn.execute(query.limit(1)).first()
                if row is not None:
                    return dict(row._mapping)
        return None

    def annuaire_records(self, import_id: int, record_ids: Iterable[str]) -> dict[str, Any]:
        """``record_id → {record_id, name, pivot_type, data}`` of the given ids found."""
        out: dict[str, Any] = {}
        ids = list(dict.fromkeys(record_ids))
        c = annuaire_records.c
        with self.engine.connect() as conn:
            for start in range(0, len(ids), AGGREGATION_CHUNK):
                query = select(c.record_id, c.name, c.pivot_type, c.data).where(
                    c.import_id == import_id,
                    c.record_id.in_(ids[start : start + AGGREGATION_CHUNK]),
                )
                for row in conn.execute(query):
                    out[row.record_id] = dict(row._mapping)
        return out

    def annuaire_by_host(
        self, import_id: int, keys: Iterable[str], column: str = "host"
    ) -> dict[str, list[dict[str, Any]]]:
        """``key → records`` (``record_id``, ``name``, ``pivot_type``, ``host``) whose
        website has that host (``column="host"``) or registrable domain (``"domain"``)."""
        wanted = list(dict.fromkeys(keys))
        h, r = annuaire_hosts.c, annuaire_records.c
        by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), AGGREGATION_CHUNK):
                chunk = wanted[start : start + AGGREGATION_CHUNK]
                query = (
                    select(h[column].label("key"), h.host, r.record_id, r.name, r.pivot_type)
                    .join(
                        annuaire_records,
                        (r.import_id == h.import_id) & (r.record_id == h.record_id),
                    )
                    .where(h.import_id == import_id, h[column].in_(chunk))
                    .order_by(r.record_id)
                )
                for row in conn.execute(query):
                    by_key[row.key].append(
                        {
                            "record_id": row.record_id,
                            "name": row.name,
                            "pivot_type": row.pivot_type,
                            "host": row.host,
                        }
                    )
        return dict(by_key)

    def annuaire_records_of_types(
        self, import_id: int, pivot_types: Sequence[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The records of an import (of these pivot types), streamed: an export has ~80,000."""
        c = annuaire_records.c
        query = select(c.record_id, c.name, c.pivot_type, c.data).where(c.import_id == import_id)
        if pivot_types is not None:
            query = query.where(c.pivot_type.in_(list(pivot_types)))
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=AGGREGATION_CHUNK).execute(
                query.order_by(c.record_id)
            )
            for row in result:
                yield dict(row._mapping)

    def annuaire_type_counts(self, import_id: int) -> dict[str, int]:
        """How many records of each pivot type an import holds."""
        c = annuaire_records.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.pivot_type, func.count())
                .where(c.import_id == import_id)
                .group_by(c.pivot_type)
            )
            return {pivot or "": int(n) for pivot, n in rows}

    # -- what the Annuaire cross-check reads of a run --------------------------------------

    def site_checks_of(self, run_id: int, check_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The run's site-level rows of a few checks (``site_id``, ``check_id``,
        ``status``, ``value``, ``evidence``, ``error``)."""
        c = site_checks.c
        return self._rows(
            select(c.site_id, c.check_id, c.status, c.value, c.evidence, c.error).where(
                c.run_id == run_id, c.check_id.in_(list(check_ids))
            )
        )

    def page_findings_of(
        self, run_id: int, site_ids: Sequence[str], check_ids: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Page-level findings of a few checks for some sites of a run, with the page's
        URL (and the finding's status and error), shallowest pages first: where each
        value a site shows is written."""
        f = findings.c
        out: list[dict[str, Any]] = []
        ids = list(site_ids)
        for start in range(0, len(ids), AGGREGATION_CHUNK):
            out.extend(
                self._rows(
                    select(
                        f.site_id, f.check_id, f.status, f.value, f.evidence, f.error, pages.c.url
                    )
                    .join(pages, pages.c.id == f.page_id)
                    .where(
                        f.run_id == run_id,
                        f.site_id.in_(ids[start : start + AGGREGATION_CHUNK]),
                        f.check_id.in_(list(check_ids)),
                    )
                    .order_by(pages.c.depth, f.id)
                )
            )
        return out

    def _rows(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
