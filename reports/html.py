"""Write the HTML reports: ``index.html`` (overview) and ``sites/<site>.html``, with exports.

Static files that open from disk: Jinja2 templates with autoescaping on for every
template (text from crawled pages — titles, snippets, URLs — is data, never markup),
a Content-Security-Policy that allows only the report's own files (its one script
included: no inline script, no remote origin), links only for http(s) URLs
(:func:`reports.present.safe_href`). The DSFR and Vigie's CSS/JS are copied beside the
pages (:mod:`reports.assets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from checks.annuaire import FIELDS
from crawler import error_kinds, settings
from crawler.store import Store
from reports import bidi, charts
from reports.advice import (
    PROBLEM_LABELS,
    STATUS_LABELS,
    STATUS_SHORT,
    advice_for,
    coverage_explanation,
    type_label,
    type_singular,
)
from reports.annuaire_view import import_text
from reports.audit_view import COVERAGE_NOTICE, IMPACT_LABELS
from reports.changes import is_problem
from reports.data import ReportData, group_label, load_report
from reports.exports import ExportFile, write_exports
from reports.present import date_fr, percent, run_name, safe_href
from reports.site_pages import resolve_workers, write_site_pages
from reports.summary import key_figures

TEMPLATES = Path(__file__).resolve().parent / "templates"
EXPORT_DIR = "donnees"
SITES_DIR = "sites"

#: Only the report's own files: its CSS, fonts, icons (``data:`` for DSFR's inline SVG)
#: and its one script. No inline script or style, no remote origin, no form target.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; base-uri 'none'; form-action 'none'"
)


@dataclass(slots=True)
class WrittenReport:
    """What :func:`write_report` produced, for the command line to print."""

    folder: Path
    index: Path
    site_pages: list[Path]
    exports: list[ExportFile]
    warnings: list[str] = field(default_factory=list)
    run_id: int = 0
    #: Processes that wrote the site pages (0: this one).
    page_workers: int = 0


#: One letter a status in the overview's rows (``data-checks``, read by vigie.js): a
#: national list has 10,000 rows, and one attribute per cell would weigh megabytes.
STATUS_CODES = {"found": "f", "absent": "a", "error": "e", "not_applicable": "n"}


def _status_rank(status: str, check_id: str) -> str:
    """Sort key of a status cell: met, then not met, then unverified."""
    problem = is_problem(check_id, status)
    return "3" if problem is None else ("2" if problem else "1")


def _status_change(status: str | None, check_id: str) -> str:
    labels = PROBLEM_LABELS if advice_for(check_id).problem_when_found else STATUS_LABELS
    return labels.get(status or "", "—").lower()


def _delta(now: float | None, before: float | None) -> str:
    """A change in percentage points, signed (« +5 pts »), or « — »."""
    if now is None or before is None:
        return "—"
    points = round(now * 100) - round(before * 100)
    return "=" if points == 0 else f"{points:+d} pt{'s' if abs(points) > 1 else ''}"


def link(url: Any, href: str | None, css: str = "") -> Markup:
    """A crawled URL as a link when ``href`` is set (:func:`reports.present.safe_href`),
    else as text; isolated (:func:`reports.bidi.isolate`). The templates' ``link(…)``: a
    function rather than a Jinja macro, called tens of times a site page (a macro call
    cost more than the rest of the link)."""
    css = _printed(css)
    text = bidi.isolate(url)
    if href:
        href = _printed(href)
        return Markup(
            f'<a class="fr-link vigie-url {css}" href="{href}" rel="noopener noreferrer">{text}</a>'
        )
    return Markup(f'<span class="vigie-url {css}">{text}</span>')


def evidence_item(e: Any) -> Markup:
    """Where a value was seen (an :class:`~reports.data.EvidenceView` or an Annuaire
    :class:`~reports.annuaire_view.ShownValue`): the page, its title, the element and an
    extract. The templates' ``evidence_item(…)``, dozens a site page: a function for the
    same reason as :func:`link`."""
    title = f"« {bidi.isolate(e.title)} » — " if e.title else ""
    html = f'<dl class="vigie-evidence">\n  <dt>Page</dt><dd>{title}{link(e.url, e.href)}</dd>\n'
    code = '<code class="vigie-code" dir="auto">'
    if e.where:
        html += f"<dt>Emplacement</dt><dd>{code}{bidi.isolate(e.where)}</code></dd>"
    if e.snippet:
        html += f"<dt>Extrait</dt><dd>{code}{bidi.isolate(e.snippet)}</code></dd>"
    return Markup(html + "</dl>")


def status_cell(check_id: str, status: Any) -> Markup:
    """A check's cell in the overview's table of sites (its status, sortable, coloured by
    whether it is a problem). The templates' ``status_cell(…)``: one a check and a site,
    240 000 in a national overview, a function for the same reason as :func:`link`."""
    problem = is_problem(check_id, status)
    if status == "error":
        css = "vigie-st--error"
    else:
        css = (
            "vigie-st--neutral"
            if problem is None
            else ("vigie-st--ko" if problem else "vigie-st--ok")
        )
    rank = _printed(_status_rank(status, check_id))
    short = _printed(STATUS_SHORT.get(status, status))
    return Markup(f'<td data-sort="{rank}"><span class="vigie-st {css}">{short}</span></td>')


def _printed(value: Any) -> Markup:
    """``value`` as a template prints it (``{{ value }}``: bidi-balanced, then escaped)."""
    return escape(bidi.finalize(value))


def environment() -> Environment:
    """The Jinja2 environment: autoescape everywhere, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=bidi.finalize,  # every printed text has its bidi controls closed
    )
    env.filters.update(
        percent=percent,
        date_fr=date_fr,
        run_name=run_name,
        safe_href=safe_href,
        type_label=type_label,
        type_singular=type_singular,
        check_label=lambda c: advice_for(c).label,
        check_short=lambda c: advice_for(c).short,
        check_advice=advice_for,
        group_label=group_label,
        engagement_of=lambda c: advice_for(c).engagement or "—",
        status_label=lambda s: STATUS_LABELS.get(s, s),
        error_kind=error_kinds.label,
        status_short=lambda s: STATUS_SHORT.get(s, s),
        status_rank=_status_rank,
        status_code=lambda s: STATUS_CODES.get(s, "?"),
        status_change=_status_change,
        is_problem=lambda s, c: is_problem(c, s),
        minibar=charts.share_bar,
        bar=charts.bar,
        run_short=run_short,
        sites=_sites,
        delta=_delta,
        impact_label=lambda i: IMPACT_LABELS.get(i, i),
        iso=bidi.isolate,  # text from crawled pages and seed lists, isolated (<bdi>)
        annuaire_import_text=import_text,
    )
    env.globals.update(link=link, evidence_item=evidence_item, status_cell=status_cell)
    return env


#: The overview's Annuaire columns: sites where each field differs from the record.
ANNUAIRE_HEADERS = {
    "phone": "Téléphone différent",
    "email": "Courriel différent",
    "address": "Adresse différente",
    "opening_hours": "Horaires différents",
}

#: Runs shown in the overview's trend tables by group and by check (every run is in the
#: exports, ``evolution*.csv``): beyond six columns the tables stop fitting a screen.
TREND_COLUMNS = 6


def run_short(run: dict[str, Any] | Any) -> str:
    """A run on an axis: its label, else its date (never "n° 3", which says nothing)."""
    label = run.get("label") if isinstance(run, dict) else run.label
    started = run.get("started_at") if isinstance(run, dict) else run.started_at
    text = str(label) if label else date_fr(started, False)
    return text if len(text) <= 14 else text[:13] + "…"


def _sites(n: int) -> str:
    return f"{n} site{'s' if n > 1 else ''}"


def _overview_charts(data: ReportData) -> dict[str, Markup]:
    points = data.trend
    labels = [run_short(p) for p in points]
    notes = [_sites(p.measured[2]) for p in points]
    series = [
        charts.Series("Engagement 2", "vigie-series-1", [p.engagement_2 for p in points]),
        charts.Series("Engagement 3", "vigie-series-2", [p.engagement_3 for p in points]),
    ]
    return {
        "trend": charts.line_chart(labels, series, "vigie-chart--wide", notes=notes),
        "trend_narrow": charts.line_chart(
            labels, series, "vigie-chart--narrow", width=360, notes=notes, max_labels=3
        ),
    }


def _size(path: Path) -> str:
    size = path.stat().st_size
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} Mo".replace(".", ",")
    return f"{max(1, round(size / 1000))} ko"


def page_context(data: ReportData, dsfr: bool, dsfr_version: str | None) -> dict[str, Any]:
    """What every page shows besides its own content (picklable: sent to the workers that
    write the site pages)."""
    return {
        "csp": CSP,
        "dsfr": dsfr,
        "dsfr_version": dsfr_version,
        "run_title": run_name(data.run),
        "generated_at": data.generated_at,
        "audit_notice": COVERAGE_NOTICE,
        "audits_stored": data.audits_stored,
    }


def render_overview(
    data: ReportData, exports: list[ExportFile], folder: Path, common: dict[str, Any]
) -> Path:
    """Render and write the overview, ``index.html``; return its path."""
    env = environment()
    rows = {
        str(r["site_id"]): {c: r[c] for c in data.check_order if c in r}
        for r in data.table.to_dict("records")
    }
    missing = {
        site_id: [c for c, status in statuses.items() if is_problem(c, status)]
        for site_id, statuses in rows.items()
    }
    whole = [
        {"href": f"{EXPORT_DIR}/{e.path.name}", "label": e.label, "size": _size(e.path)}
        for e in exports
        if e.table is None
    ]
    per_table: dict[str, dict[str, Any]] = {}
    for e in exports:
        if e.table is not None:
            entry = per_table.setdefault(e.table, {"label": e.label, "files": {}})
            entry["files"][e.fmt] = {
                "href": f"{EXPORT_DIR}/{e.path.name}",
                "name": e.path.name,
                "size": _size(e.path),
            }
    audited = bool((data.table.get("audit_status", pd.Series()) != "not_run").any())
    row_audit = {
        str(r["site_id"]): {
            "status": r.get("audit_status") or "not_run",
            "critical": None if pd.isna(r.get("axe_critical")) else int(r["axe_critical"]),
        }
        for r in data.table.to_dict("records")
    }
    index = folder / "index.html"
    index.write_text(
        env.get_template("overview.html").render(
            **common,
            root="",
            data=data,
            rows=rows,
            missing=missing,
            summary=key_figures(data.table),
            charts=_overview_charts(data),
            exports=whole,
            audited=audited,
            explanations=[coverage_explanation(n) for n in (2, 3)],
            row_audit=row_audit,
            export_tables=per_table,
            seed_dims=[d for d in data.dimensions if d.key != "type"],
            url_names=url_names(data),
            trend_runs=data.trends.runs[-TREND_COLUMNS:] if data.trends else [],
            trend_from=max(0, len(data.trend) - TREND_COLUMNS),
            annuaire_fields=[(n, ANNUAIRE_HEADERS[n]) for n in FIELDS],
        ),
        encoding="utf-8",
    )
    return index


#: Names of the overview's URL parameters (a filtered view is a link): a seed column is
#: named after itself unless one of these already is.
URL_RESERVED = ("q", "type", "etat", "manque", "grouper")


def url_names(data: ReportData) -> dict[str, str]:
    """Dimension key → the URL parameter that filters on it."""
    return {
        d.key: d.key if d.key == "type" or d.key not in URL_RESERVED else f"col-{d.key}"
        for d in data.dimensions
    }


def write_report(
    store: Store, folder: str | Path, run_id: int | None = None, workers: int | str | None = None
) -> WrittenReport:
    """Build the whole report of ``run_id`` (latest finished run by default) in ``folder``.

    The site pages are written by ``workers`` processes (default ``VIGIE_REPORT_WORKERS``;
    :mod:`reports.site_pages`) while this one writes the exports and the overview.
    Raises :class:`reports.table.TableError` for an unknown run or an empty store, and
    :class:`reports.site_pages.SitePagesError` when a worker fails. A missing DSFR is a
    warning in the result, not an error: the pages are still written.
    """
    from reports.assets import AXE_LOCALE_WARNING, copy_assets
    from reports.axe_texts import french_rules

    folder = Path(folder)
    data = load_report(store, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    assets = copy_assets(folder)
    common = page_context(data, assets.dsfr, assets.dsfr_version)
    site_dir = folder / SITES_DIR
    site_dir.mkdir(parents=True, exist_ok=True)
    for stale in site_dir.glob("*.html"):  # pages of sites no longer in the list
        stale.unlink()
    count = resolve_workers(settings.VIGIE_REPORT_WORKERS if workers is None else workers)
    writing = write_site_pages(data, site_dir, common, count)
    try:
        exports = write_exports(data, folder / EXPORT_DIR)
        index = render_overview(data, exports, folder, common)
    except BaseException:
        writing.cancel()  # the pages being written are finished, the others dropped
        raise
    writing.finish()
    pages = [site_dir / site.filename for site in data.sites]
    warnings = [assets.warning] if assets.warning else []  # printed by the caller
    if data.audits_stored and french_rules() is None:
        warnings.append(AXE_LOCALE_WARNING)
    return WrittenReport(
        folder, index, pages, exports, warnings, int(data.run["id"]), writing.workers
    )
