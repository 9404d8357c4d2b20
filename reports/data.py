"""Everything the report pages and exports show, read once from the store.

One loader, one model: the overview, the site pages and the exports are all views of the
same :class:`ReportData`, so a number in the HTML is the number in the spreadsheet. The
findings table itself comes from :func:`reports.table.findings_table` (its columns are a
contract); this module adds what the table does not hold: per-check evidence, crawl
errors, the comparison with each site's previous run, the trend over stored runs, the
audit when the store has one, the Annuaire cross-check with where each value is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from checks import CHECK_IDS, ENGAGEMENT
from checks.rendered import RENDERED_CHECK_IDS
from checks.site import COVERAGE_ELEMENTS, COVERED_CHECKS, IMPACTS, NO_CRITICAL_AXE, Coverage
from crawler.annuaire.crosscheck import CrossCheck, SiteCrossCheck, cross_check, with_evidence
from crawler.store import Store
from reports import annuaire_view
from reports import trends as trends_module
from reports.advice import (
    ANCHOR_ONLY_TODO,
    ELEMENT_STATES,
    PLACEHOLDER_TODO,
    Advice,
    advice_for,
    element_label,
    engagement_title,
    type_label,
)
from reports.audit_view import AuditView, audit_view, load_audits
from reports.changes import SiteChanges, compare, is_problem
from reports.present import safe_href, site_filename, value_lines
from reports.table import TableError, findings_table, group_rows, seed_columns, site_coverage
from reports.trends import FULL, Point, Trends

#: Engagements listed first on a site page; the others follow in number order.
FIRST_ENGAGEMENTS = (2, 3)

#: Sites whose detail (checks, evidence, errors) a report holds at once.
DETAIL_CHUNK = 500


@dataclass(slots=True)
class EvidenceView:
    url: str
    href: str | None
    where: str
    snippet: str
    title: str | None = None  # the page's <title>, to recognise it


@dataclass(slots=True)
class CheckView:
    """One check of one site as the site page shows it."""

    check_id: str
    advice: Advice
    status: str
    problem: bool | None
    values: list[str]
    evidence: list[EvidenceView]
    pages_found: int
    error: str | None
    todo: str | None

    @property
    def covered(self) -> bool:
        """Whether the check counts in an engagement's coverage (else: a complementary
        indicator, shown apart, never as a missing element of the engagement)."""
        return self.check_id in COVERED_CHECKS


@dataclass(slots=True)
class ElementView:
    """One element of an engagement's coverage on a site page: its state and where to see
    it (the rows of its checks, or the audit section)."""

    key: str
    label: str
    state: str  # found / missing / error / not_measured / not_applicable
    state_label: str
    counted: bool
    links: list[tuple[str, str]]  # (anchor, label)
    #: Why it does not apply (``not_applicable``: the checks' justification).
    reason: str | None = None


@dataclass(slots=True)
class CoverageView:
    """An engagement's coverage as the site page explains it: "found/counted" and why."""

    engagement: int
    ratio: float | None
    found: int
    counted: int
    elements: list[ElementView]

    @property
    def missing(self) -> list[ElementView]:
        return [e for e in self.elements if e.state in ("missing", "error")]


def coverage_view(cov: Coverage, reasons: dict[str, str] | None = None) -> CoverageView:
    """``reasons``: check id → why it does not apply (``site_checks.error`` of a
    ``not_applicable`` check), shown as « non applicable (justifié : …) »."""
    elements = []
    for item in cov.elements:
        element = item.element
        if element.key == NO_CRITICAL_AXE:
            links = [("audit", element_label(element))]
        else:  # "Adresse électronique ou formulaire de contact": one link per check
            links = [
                (f"verif-{c}", label if i == 0 else label[0].lower() + label[1:])
                for i, (c, label) in enumerate((c, advice_for(c).label) for c in element.checks)
            ]
        why = None
        if item.state == "not_applicable":
            why = "; ".join(r for c in element.checks if (r := (reasons or {}).get(c))) or None
        elements.append(
            ElementView(
                key=element.key,
                label=element_label(element),
                state=item.state,
                state_label=(
                    f"non applicable (justifié : {why}), non compté"
                    if why
                    else ELEMENT_STATES[item.state]
                ),
                counted=item.state in ("found", "missing", "error"),
                links=links,
                reason=why,
            )
        )
    ratio = cov.ratio
    return CoverageView(cov.engagement, ratio, cov.found, cov.total, elements)


@dataclass(slots=True)
class CheckGroup:
    engagement: int
    title: str
    checks: list[CheckView]


@dataclass(slots=True)
class SiteReport:
    site_id: str
    name: str
    url: str
    href: str | None
    type: str
    status: str
    reason: str | None
    pages_crawled: int
    errors_count: int
    engagement_2: float | None
    engagement_3: float | None
    filename: str
    #: The checks and crawl errors: empty in :func:`load_report`'s sites, filled a chunk of
    #: sites at a time by :meth:`ReportData.detailed_sites`.
    groups: list[CheckGroup]
    errors: list[dict[str, Any]]
    changes: SiteChanges
    audit: AuditView | None
    coverage: dict[int, CoverageView] = field(default_factory=dict)
    #: The audit's figures, as the findings table holds them (one way to count):
    #: ``audit_status`` ok / error / not_run and why; rules failing on the site by impact
    #: (each rule once, whatever the number of pages), ``None`` when unknown.
    audit_status: str = "not_run"
    audit_reason: str | None = None
    axe_rules: dict[str, int | None] = field(default_factory=dict)
    rules_needing_review: int | None = None
    criteria_violated: int | None = None
    #: The seed list's own columns for this site (``departement``…), by seed key.
    dims: dict[str, str | None] = field(default_factory=dict)
    #: The site against its Annuaire record, field by field (or why it has none).
    annuaire: annuaire_view.SiteView = field(
        default_factory=lambda: annuaire_view.SiteView(False, "no_import", annuaire_view.NO_IMPORT)
    )
    #: The rendered checks page by page (:func:`rendered_pages`), the pages the audit
    #: rendered, shallowest first.
    rendered: list[RenderedPage] = field(default_factory=list)

    @property
    def missing_elements(self) -> list[ElementView]:
        """The engagements' elements not found (or not verified), engagement 2 first."""
        return [e for n in sorted(self.coverage) for e in self.coverage[n].missing]

    @property
    def complementary_problems(self) -> list[CheckView]:
        """Checks outside the coverage that call for action (a surcharged number found,
        a complementary element absent)."""
        return [c for g in self.groups for c in g.checks if c.problem and not c.covered]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One rendered page's figures: each rendered check's result (``status``, ``value``,
    ``error``), by check id."""

    url: str
    results: dict[str, dict[str, Any]]


def rendered_pages(
    store: Store, run_id: int, site_ids: Sequence[str]
) -> dict[str, list[RenderedPage]]:
    """Site id → its :class:`RenderedPage` list, shallowest pages first."""
    by_site: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(dict)
    for row in store.page_findings_of(run_id, site_ids, RENDERED_CHECK_IDS):
        page = by_site[row["site_id"]].setdefault(row["url"], {})
        page[row["check_id"]] = {k: row[k] for k in ("status", "value", "error")}
    return {
        site_id: [RenderedPage(url, results) for url, results in pages.items()]
        for site_id, pages in by_site.items()
    }


#: One run of the trend (kept under its former name for the exports and the bench).
TrendPoint = Point


@dataclass(frozen=True, slots=True)
class Dimension:
    """A way to group the sites: ``type``, or a column of the seed list."""

    key: str  # "type" or the seed list's column name
    column: str  # its column id in the findings table
    label: str  # French, for people
    values: tuple[tuple[str, str], ...]  # (value, label), sorted; "" for "not given"


@dataclass(slots=True)
class GroupCoverage:
    """The report's run for one group of sites (one value of a dimension)."""

    dimension: str
    group: str
    label: str
    sites: int
    explored: int
    engagement_2: float | None
    engagement_3: float | None
    measured_2: int = 0
    measured_3: int = 0
    full_2: int = 0
    full_3: int = 0

    @property
    def type(self) -> str:  # the former TypeCoverage's name
        return self.group


TypeCoverage = GroupCoverage


@dataclass(slots=True)
class ElementChange:
    """One coverage element: the sites that gained it and lost it since their previous run."""

    engagement: int
    key: str
    label: str
    gained: list[SiteReport] = field(default_factory=list)
    lost: list[SiteReport] = field(default_factory=list)


@dataclass(slots=True)
class CheckShare:
    check_id: str
    advice: Advice
    found: int
    absent: int
    error: int
    not_applicable: int = 0

    @property
    def measured(self) -> int:
        return self.found + self.absent

    @property
    def share(self) -> float | None:
        measured = self.found + self.absent
        return self.found / measured if measured else None


@dataclass(slots=True)
class ReportData:
    run: dict[str, Any]
    table: pd.DataFrame
    sites: list[SiteReport]
    trend: list[TrendPoint]
    by_type: list[TypeCoverage]
    shares: list[CheckShare]
    check_order: list[str]
    audits_stored: bool
    dimensions: list[Dimension] = field(default_factory=list)
    by_group: dict[str, list[GroupCoverage]] = field(default_factory=dict)
    trends: Trends | None = None
    element_changes: list[ElementChange] = field(default_factory=list)
    #: Previous runs the sites were compared with (run id → number of sites).
    compared_with: dict[int, int] = field(default_factory=dict)
    #: The Annuaire import the run is compared with (None: none imported), and the sites
    #: whose contacts differ from their record, per group of each dimension and in all.
    annuaire_import: dict[str, Any] | None = None
    annuaire_by_group: dict[str, list[annuaire_view.GroupCounts]] = field(default_factory=dict)
    annuaire_total: annuaire_view.GroupCounts | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Where the sites' detail (checks with their evidence, crawl errors) is read from, a
    #: chunk of sites at a time (:meth:`detailed_sites`); ``None``: ``sites`` hold theirs.
    store: Store | None = None
    #: The run's cross-check with the Annuaire, without where each value is shown (read
    #: with the sites' detail, a chunk at a time).
    annuaire_check: CrossCheck | None = None

    @property
    def explored(self) -> list[SiteReport]:
        return [s for s in self.sites if s.status == "ok"]

    def detailed_sites(self, chunk: int | None = None, pages: bool = True) -> Iterator[SiteReport]:
        """Every site with its ``groups`` and ``errors``, read from the store a chunk of
        sites at a time and let go once the chunk is done: a national run's checks with
        their evidence, held for every site at once, were most of a report's memory.

        ``pages``: also what only the site pages show (:func:`detail_sites`)."""
        if self.store is None:
            yield from self.sites
            return
        chunk = chunk or DETAIL_CHUNK
        for start in range(0, len(self.sites), chunk):
            sites = self.sites[start : start + chunk]
            yield from detail_sites(
                self.store, int(self.run["id"]), self.check_order, sites, self.annuaire_check, pages
            )


def detail_sites(
    store: Store,
    run_id: int,
    check_order: Sequence[str],
    sites: Sequence[SiteReport],
    annuaire: CrossCheck | None,
    pages: bool = True,
) -> Iterator[SiteReport]:
    """``sites`` (a chunk of :func:`load_report`'s) with their detail read from the store,
    one at a time, and let go after each has been used: ``groups`` (the checks with their
    evidence) and ``errors``; with ``pages``, what only the site pages show too: where each
    value compared with the Annuaire is shown (``annuaire``: the run's cross-check without
    it) and the rendered checks page by page (``rendered``)."""
    ids = [s.site_id for s in sites]
    details = store.site_details_in(run_id, ids)
    compared: dict[str, SiteCrossCheck] = {}
    rendered: dict[str, list[RenderedPage]] = {}
    if pages:
        if annuaire is not None and annuaire.annuaire_import is not None:
            known = [annuaire.sites[i] for i in ids if i in annuaire.sites]
            compared = {c.site_id: c for c in with_evidence(store, run_id, known)}
        rendered = rendered_pages(store, run_id, ids)
    for site in sites:
        titles = details.titles.get(site.site_id, {})
        site.groups = group_checks(check_order, details.checks.get(site.site_id, {}), titles)
        site.errors = details.errors.get(site.site_id, [])
        light = site.annuaire
        if pages:
            site.rendered = rendered.get(site.site_id, [])
            if annuaire is not None and annuaire.annuaire_import is not None:
                cross = compared.get(site.site_id)
                site.annuaire = annuaire_view.site_view(
                    cross.to_dict() if cross is not None else None,
                    annuaire.annuaire_import,
                    titles,
                )
        yield site
        site.groups, site.errors, site.rendered, site.annuaire = [], [], [], light


def _mean(values: pd.Series) -> float | None:
    clean = pd.to_numeric(values, errors="coerce").dropna()
    return float(clean.mean()) if len(clean) else None


def _check_order(rows: Sequence[dict[str, Any]]) -> list[str]:
    """CHECK_IDS first (docs/data-dictionary.md order), then any newer check found in the store."""
    extra = sorted({r["check_id"] for r in rows} - set(CHECK_IDS))
    return [*CHECK_IDS, *extra]


def _engagement(check_id: str) -> int:
    return ENGAGEMENT.get(check_id) or advice_for(check_id).engagement


def _todo(check_id: str, status: str, value: Any, advice: Advice) -> str | None:
    if not is_problem(check_id, status):
        return None
    if check_id == "a11y_mention" and value == "placeholder":
        return PLACEHOLDER_TODO
    anchors_only = (
        isinstance(value, list)
        and value
        and all(isinstance(v, dict) and v.get("booking_link") is False for v in value)
    )
    if check_id == "appointment" and anchors_only:
        return ANCHOR_ONLY_TODO
    return advice.todo


def check_view(
    check_id: str, row: dict[str, Any] | None, titles: dict[str, str] | None = None
) -> CheckView:
    """A :class:`CheckView` from a ``site_checks`` row (missing row: not run → error)."""
    advice = advice_for(check_id)
    if row is None:
        row = {"status": "error", "error": "vérification non exécutée pour ce site"}
    status = row.get("status") or "error"
    evidence = [
        EvidenceView(
            url=str(e.get("url") or ""),
            href=safe_href(e.get("url")),
            where=str(e.get("xpath") or e.get("selector") or ""),
            snippet=str(e.get("snippet") or ""),
            title=(titles or {}).get(str(e.get("url"))),
        )
        for e in (row.get("evidence") or [])
        if isinstance(e, dict)
    ]
    return CheckView(
        check_id=check_id,
        advice=advice,
        status=status,
        problem=is_problem(check_id, status),
        values=value_lines(row.get("value")),
        evidence=evidence,
        pages_found=int(row.get("pages_found") or 0),
        error=row.get("error"),
        todo=_todo(check_id, status, row.get("value"), advice),
    )


def group_checks(
    order: Sequence[str],
    rows: dict[str, dict[str, Any]],
    titles: dict[str, str] | None = None,
) -> list[CheckGroup]:
    """Checks by engagement: 2, 3, then the others in engagement order."""
    by_engagement: dict[int, list[CheckView]] = defaultdict(list)
    for check_id in order:
        view = check_view(check_id, rows.get(check_id), titles)
        by_engagement[_engagement(check_id)].append(view)
    numbers = [n for n in FIRST_ENGAGEMENTS if n in by_engagement]
    numbers += sorted(n for n in by_engagement if n not in FIRST_ENGAGEMENTS)
    return [CheckGroup(n, engagement_title(n), by_engagement[n]) for n in numbers]


def page_titles(store: Store, run_id: int) -> dict[str, dict[str, str]]:
    """``site_id → url → <title>`` of the run's pages (evidence shows which page).

    One query for the run rather than one a site: a thousand round trips to a remote
    PostgreSQL were most of a large report's reading time.
    """
    return store.page_titles_of_run(run_id)


def trend(store: Store, run_id: int, current: pd.DataFrame | None = None) -> list[TrendPoint]:
    """Mean coverage of engagements 2 and 3 over the explored sites of each stored run,
    grouped in SQL (:mod:`reports.trends`). ``current`` is not needed any more (kept for
    callers of the former signature)."""
    return trends_module.compute(store, run_id).overall


def dimensions_of(table: pd.DataFrame) -> list[Dimension]:
    """Type, then each column of the seed list, with the values met in ``table``."""
    out = []
    for key, column, label in [
        ("type", "type", "Type d'administration"),
        *((k, c, k) for k, c in seed_columns(table)),
    ]:
        values = sorted({"" if pd.isna(v) else str(v) for v in table[column]}, key=_sort_text)
        labels = tuple((v, group_label(key, v)) for v in values)
        out.append(Dimension(key, column, label, labels))
    return out


def _sort_text(value: str) -> tuple[bool, str]:
    return (value == "", value.casefold())


def group_label(dimension: str, value: str) -> str:
    """A group's name for people: the type's French plural, a seed value as written."""
    if dimension == "type":
        return type_label(value)
    return value or "Non renseigné"


def group_coverage(table: pd.DataFrame, dimension: Dimension) -> list[GroupCoverage]:
    """Sites, explored sites, mean coverage and sites at 100 % of each group of the run."""
    out = []
    needed = ("status", "engagement_2", "engagement_3")
    for value, label, rows in group_rows(table, dimension.column, dimension.values, needed):
        explored = rows[rows["status"] == "ok"]
        cells: dict[str, Any] = {}
        for n in (2, 3):
            values = pd.to_numeric(explored[f"engagement_{n}"], errors="coerce").dropna()
            cells[f"engagement_{n}"] = float(values.mean()) if len(values) else None
            cells[f"measured_{n}"] = len(values)
            cells[f"full_{n}"] = int((values >= FULL).sum())
        out.append(GroupCoverage(dimension.key, value, label, len(rows), len(explored), **cells))
    return out


def coverage_by_type(table: pd.DataFrame) -> list[TypeCoverage]:
    return group_coverage(table, dimensions_of(table)[0])


def check_shares(table: pd.DataFrame, order: Sequence[str]) -> list[CheckShare]:
    shares = []
    for check_id in order:
        column = table[check_id] if check_id in table else pd.Series([], dtype=object)
        counts = column.value_counts()
        shares.append(
            CheckShare(
                check_id,
                advice_for(check_id),
                found=int(counts.get("found", 0)),
                absent=int(counts.get("absent", 0)),
                error=int(counts.get("error", 0)),
                not_applicable=int(counts.get("not_applicable", 0)),
            )
        )
    return shares


def element_changes(sites: Sequence[SiteReport], before: dict[str, Any]) -> list[ElementChange]:
    """Per coverage element, the sites that gained it (missing → found) and lost it (found →
    missing) since their previous run. An element unverified, not measured or not
    applicable on either side is no change, as for the checks (:mod:`reports.changes`).

    ``before``: site id → :class:`checks.site.Coverage` by engagement in its previous run.
    """
    changes: dict[str, ElementChange] = {}
    for n in (2, 3):
        for element in COVERAGE_ELEMENTS[n]:
            changes[element.key] = ElementChange(n, element.key, element_label(element))
    for site in sites:
        previous = before.get(site.site_id)
        if previous is None or site.status != "ok":
            continue
        for n, cov in previous.items():
            if not cov.crawled or n not in site.coverage:
                continue
            old = {item.element.key: item.state for item in cov.elements}
            for element in site.coverage[n].elements:
                was, now = old.get(element.key), element.state
                if was == "missing" and now == "found":
                    changes[element.key].gained.append(site)
                elif was == "found" and now == "missing":
                    changes[element.key].lost.append(site)
    return list(changes.values())


def previous_coverage(
    store: Store, previous: dict[str, int], before: dict[str, dict[str, str]]
) -> dict[str, dict[int, Coverage]]:
    """Each site's coverage in its previous run (``previous``: site → run), from what the
    store kept of it: statuses, the accessibility mention's value, the audit summary."""
    if not previous:
        return {}
    mentions = store.check_values_in(previous, "a11y_mention")
    rows = store.site_rows_in(previous)
    out = {}
    for site_id in previous:
        statuses = {c: before.get(site_id, {}).get(c, "error") for c in CHECK_IDS}
        audit = (rows.get(site_id) or {}).get("audit")
        out[site_id] = site_coverage(statuses, mentions.get(site_id), audit)
    return out


def _audit_criteria(records: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    view = audit_view(records)
    return view.criteria_violated if view is not None else None


def load_report(store: Store, run_id: int | None = None) -> ReportData:
    """The :class:`ReportData` of ``run_id`` (the latest finished run by default).

    Raises :class:`reports.table.TableError` when the store has no such run.
    """
    latest = run_id is None
    if latest:
        run_id = store.latest_run_id()
    annuaire = None  # compared once, for the table and the report, without evidence
    if run_id is not None and store.run_exists(run_id):
        annuaire = cross_check(store, run_id, evidence=False)
    table = findings_table(store, run_id, annuaire=annuaire)  # (raises for no or an unknown run)
    if table.empty and latest:
        raise TableError("aucun site dans la dernière exploration")
    run_id = int(table["run_id"].iloc[0]) if not table.empty else int(run_id or 0)
    run = next(r for r in store.list_runs() if r["id"] == run_id)
    sites = store.sites_of_run(run_id)
    # Of the check rows, only what the overview needs is read (statuses, why a check does
    # not apply, the accessibility mention); the site pages read the rest a chunk of sites
    # at a time (ReportData.detailed_sites).
    statuses_by_site: dict[str, dict[str, str]] = defaultdict(dict)
    check_ids = set()
    for site_id, check_id, status in store.check_statuses_of_run(run_id):
        statuses_by_site[site_id][check_id] = status
        check_ids.add(check_id)
    reasons_by_site = store.not_applicable_reasons_of_run(run_id)
    mentions = store.check_values_of_run(run_id, "a11y_mention")
    order = _check_order([{"check_id": c} for c in check_ids])

    site_ids = [s["site_id"] for s in sites]
    previous = store.previous_runs(run_id, site_ids)
    before = store.statuses_in(previous)
    runs_by_id = {r["id"]: r for r in store.list_runs()}
    audits = load_audits(store, run_id)
    previous_audits: dict[int, dict[str, list[dict[str, Any]]] | None] = {}
    if audits is not None:
        for prev in set(previous.values()):
            previous_audits[prev] = load_audits(store, prev)

    # Each site's row as a dict, made once: a pandas row lookup a site (``.loc``) was a
    # fifth of load_report.
    coverage = {str(r["site_id"]): r for r in table.to_dict("records")}
    if annuaire is None:  # (an empty run of an unknown id: findings_table did not raise)
        annuaire = cross_check(store, run_id, evidence=False)
    seed_keys = [k for k, _ in seed_columns(table)]
    reports = []
    for site in sites:
        site_id = site["site_id"]
        extra = site.get("extra") or {}
        reasons = reasons_by_site.get(site_id, {})
        statuses = statuses_by_site.get(site_id, {})
        prev = previous.get(site_id)
        site_audit = audits.get(site_id) if audits is not None else None
        prev_audit = None
        if prev is not None and previous_audits.get(prev) is not None:
            prev_audit = previous_audits[prev].get(site_id)  # type: ignore[union-attr]
        row = coverage.get(str(site_id))
        mention = mentions.get(site_id)
        full_statuses = {c: statuses.get(c, "error") for c in CHECK_IDS}
        covers = site_coverage(full_statuses, mention, site.get("audit"))
        audit_status = _text(row, "audit_status") or "not_run"
        reports.append(
            SiteReport(
                site_id=site_id,
                name=site["name"],
                url=site["url"],
                href=safe_href(site["url"]),
                type=site["type"],
                status=site["status"] or "error",
                reason=site["reason"],
                pages_crawled=int(site["pages_crawled"] or 0),
                errors_count=int(site["errors_count"] or 0),
                engagement_2=_float(row["engagement_2"]) if row is not None else None,
                engagement_3=_float(row["engagement_3"]) if row is not None else None,
                filename=site_filename(site_id),
                groups=[],
                errors=[],
                changes=compare(
                    runs_by_id.get(prev) if prev is not None else None,
                    before.get(site_id) if prev is not None else None,
                    statuses,
                    order,
                    _audit_criteria(prev_audit),
                    _audit_criteria(site_audit),
                ),
                audit=audit_view(site_audit),
                coverage={n: coverage_view(c, reasons) for n, c in covers.items()},
                audit_status=audit_status,
                audit_reason=_text(row, "audit_reason"),
                axe_rules={i: _int(row, f"axe_{i}") for i in IMPACTS},
                rules_needing_review=_int(row, "axe_needs_review"),
                criteria_violated=(
                    len((_text(row, "rgaa_criteria_violated") or "").split())
                    if audit_status == "ok"
                    else None
                ),
                dims={k: extra.get(k) for k in seed_keys},
                annuaire=annuaire_view.site_view(
                    annuaire.sites[site_id].to_dict() if site_id in annuaire.sites else None,
                    annuaire.annuaire_import,
                ),  # (where each value is shown: read with the site's detail)
            )
        )
    dimensions = dimensions_of(table)
    by_group = {d.key: group_coverage(table, d) for d in dimensions}
    comparable = {
        s.site_id: previous[s.site_id]
        for s in reports
        if s.site_id in previous and not s.changes.previous_unreachable
    }
    compared_with: dict[int, int] = defaultdict(int)
    for prev in comparable.values():
        compared_with[prev] += 1
    trends = trends_module.compute(store, run_id, seed_keys)
    return ReportData(
        run=run,
        table=table,
        sites=reports,
        trend=trends.overall,
        by_type=by_group["type"],
        shares=check_shares(table, order),
        check_order=order,
        audits_stored=audits is not None,
        dimensions=dimensions,
        by_group=by_group,
        trends=trends,
        element_changes=element_changes(reports, previous_coverage(store, comparable, before)),
        compared_with=dict(sorted(compared_with.items())),
        annuaire_import=annuaire.annuaire_import,
        annuaire_by_group={
            d.key: annuaire_view.group_counts(table, d.column, d.values) for d in dimensions
        },
        annuaire_total=annuaire_view.counts(table),
        store=store,
        annuaire_check=annuaire,
    )


def _float(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _cell(row: dict[str, Any] | None, column: str) -> Any:
    if row is None or column not in row:
        return None
    value = row[column]
    return None if value is None or value is pd.NA or value != value else value


def _text(row: dict[str, Any] | None, column: str) -> str | None:
    value = _cell(row, column)
    return None if value is None else str(value)


def _int(row: dict[str, Any] | None, column: str) -> int | None:
    value = _cell(row, column)
    return None if value is None else int(value)
