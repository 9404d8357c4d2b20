"""The per-site findings table (pandas): one row per site for a run.

Columns, as CHECKS.md lists them: ``site_id``, ``name``, ``url``, ``type``, the run, the
crawl status and its reason, ``pages_crawled``, ``errors`` and their kinds, one column
per check id holding the site-level status (``found`` / ``absent`` / ``error``), then
the accessibility audit (pages audited, distinct axe rules violated by impact and by RGAA
theme, rules needing review, violated RGAA criteria — automated tests cover only part of
the RGAA, so no conformity rate), then engagement 2 and 3 coverage (0 to 1, empty when the
site could not be crawled; engagement 3 counts "no critical axe violation" once audited).
The Annuaire cross-check (:mod:`crawler.annuaire.crosscheck`) adds ``annuaire_id`` and one
status per compared field (``annuaire_phone``…), empty when no Annuaire was imported.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from checks import CHECK_IDS
from checks.site import IMPACTS, engagement_2, engagement_3
from crawler.annuaire.crosscheck import COLUMNS as ANNUAIRE_COLUMNS
from crawler.annuaire.crosscheck import cross_check
from crawler.store import Store
from reports.changes import diff_statuses

FORMATS = ("csv", "parquet", "xlsx", "json")


class TableError(Exception):
    """The table cannot be built (no run in the store, unknown run id)."""


def findings_table(
    store: Store,
    run_id: int | None = None,
    site_checks: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """The findings table of ``run_id`` (the latest finished run by default).

    ``site_checks``: the run's site-level check rows when the caller has already loaded
    them (``Store.site_checks_of_run``), the largest read of the table.
    """
    if run_id is None:
        run_id = store.latest_run_id()
        if run_id is None:
            raise TableError("aucune exploration terminée dans la base : lancez « vigie crawl »")
    elif not store.run_exists(run_id):
        raise TableError(f"exploration n° {run_id} inconnue (voir « vigie runs »)")
    run = next(r for r in store.list_runs() if r["id"] == run_id)
    checks_by_site: dict[str, dict[str, dict[str, Any]]] = {}
    if site_checks is None:
        site_checks = store.site_checks_of_run(run_id)
    for row in site_checks:
        checks_by_site.setdefault(row["site_id"], {})[row["check_id"]] = row
    error_kinds: dict[str, Counter[str]] = {}
    for err in store.errors_of_run(run_id):
        error_kinds.setdefault(err["site_id"], Counter())[err["kind"]] += 1

    annuaire = cross_check(store, run_id, site_checks=site_checks, evidence=False)
    sites = store.sites_of_run(run_id)
    previous = store.previous_runs(run_id, [s["site_id"] for s in sites])
    before = store.statuses_in(previous)
    records = []
    for site in sites:
        checks = checks_by_site.get(site["site_id"], {})
        statuses = _statuses({c: row["status"] for c, row in checks.items()})
        mention = checks.get("a11y_mention", {}).get("value")
        kinds = error_kinds.get(site["site_id"], Counter())
        audit = site.get("audit") or {}
        records.append(
            {
                "run_id": run_id,
                "run_label": run["label"],
                "run_started_at": run["started_at"],
                "site_id": site["site_id"],
                "name": site["name"],
                "url": site["url"],
                "type": site["type"],
                "status": site["status"] or "error",
                "reason": site["reason"],
                "pages_crawled": site["pages_crawled"] or 0,
                "errors": site["errors_count"] or 0,
                "error_kinds": "; ".join(f"{k} ×{n}" for k, n in kinds.most_common()) or None,
                **statuses,
                "a11y_mention_value": mention if isinstance(mention, str) else None,
                **annuaire.columns(site["site_id"]),
                **audit_columns(site.get("pages_audited"), audit),
                **change_columns(
                    previous.get(site["site_id"]), before.get(site["site_id"]), statuses
                ),
                **_coverage(statuses, mention, audit),
            }
        )
    columns = [
        "run_id",
        "run_label",
        "run_started_at",
        "site_id",
        "name",
        "url",
        "type",
        "status",
        "reason",
        "pages_crawled",
        "errors",
        "error_kinds",
        *CHECK_IDS,
        "a11y_mention_value",
        *ANNUAIRE_COLUMNS,
        *AUDIT_COLUMNS,
        *CHANGE_COLUMNS,
        "engagement_2",
        "engagement_3",
    ]
    return _coverage_typed(pd.DataFrame.from_records(records, columns=columns))


def _coverage_typed(df: pd.DataFrame) -> pd.DataFrame:
    """Engagement coverage as nullable floats to three decimals (empty: not measured)."""
    for column in ("engagement_2", "engagement_3"):
        df[column] = df[column].astype("Float64").round(3)
    return df


AUDIT_COLUMNS = (
    "pages_audited",
    "audit_errors",
    "axe_version",
    *(f"axe_{impact}" for impact in IMPACTS),
    "axe_needs_review",
    *(f"rgaa_theme_{n}" for n in range(1, 14)),
    "rgaa_criteria_violated",
    "no_critical_axe",
)


def audit_columns(pages_audited: int | None, audit: dict[str, Any]) -> dict[str, Any]:
    """The audit's cells of one site: violations (distinct axe rules) by impact and RGAA
    theme, needs-review apart, the violated RGAA criteria. Empty when no audit ran."""
    if not audit:
        return dict.fromkeys(AUDIT_COLUMNS)
    violations = audit["violations"]
    return {
        "pages_audited": pages_audited or 0,
        "audit_errors": len(audit.get("errors") or []),
        "axe_version": audit.get("axe_version"),
        **{f"axe_{i}": violations["by_impact"].get(i, 0) for i in IMPACTS},
        "axe_needs_review": len(audit["needs_review"]["rules"]),
        **{f"rgaa_theme_{n}": violations["by_theme"].get(str(n), 0) for n in range(1, 14)},
        "rgaa_criteria_violated": " ".join(c["criterion"] for c in audit["criteria_violated"])
        or None,
        "no_critical_axe": audit.get("no_critical"),
    }


CHANGE_COLUMNS = ("previous_run_id", "appeared", "fixed")


def change_columns(
    previous_run: int | None, before: dict[str, str] | None, after: dict[str, str]
) -> dict[str, Any]:
    """What changed since the previous run of the same site: problems that appeared and
    problems fixed (check ids, space-separated), by the reports' own rule
    (:func:`reports.changes.diff_statuses`: an ``error`` on either side is no change)."""
    if previous_run is None or not before:
        return {"previous_run_id": previous_run, "appeared": None, "fixed": None}
    appeared, fixed, _ = diff_statuses(before, after, CHECK_IDS)
    return {
        "previous_run_id": previous_run,
        "appeared": " ".join(c.check_id for c in appeared) or None,
        "fixed": " ".join(c.check_id for c in fixed) or None,
    }


def _statuses(found: dict[str, str]) -> dict[str, str]:
    """Every check's status for a site; a check with no row (site in error) is ``error``."""
    return {c: found.get(c, "error") for c in CHECK_IDS}


def _coverage(statuses: dict[str, str], mention: Any, audit: dict[str, Any]) -> dict[str, Any]:
    """A site's engagement 2 and 3 coverage (``audit``: its ``run_sites.audit`` summary)."""
    return {
        "engagement_2": engagement_2(statuses),
        "engagement_3": engagement_3(statuses, mention, audit.get("no_critical")),
    }


def coverage_of_run(store: Store, run_id: int) -> pd.DataFrame:
    """``site_id``, ``status``, ``engagement_2``, ``engagement_3`` of every site of a run.

    The columns of :func:`findings_table` that the trend of the reports needs, computed
    the same way from the check statuses alone: a report reads one such table for every
    earlier run, and the full table decodes every check's value and evidence
    (``tests/test_report_units.py`` compares the two).
    """
    found: dict[str, dict[str, str]] = {}
    for site_id, check_id, status in store.check_statuses_of_run(run_id):
        found.setdefault(site_id, {})[check_id] = status
    mentions = store.check_values_of_run(run_id, "a11y_mention")
    records = []
    for site in store.sites_of_run(run_id):
        site_id = site["site_id"]
        statuses = _statuses(found.get(site_id, {}))
        coverage = _coverage(statuses, mentions.get(site_id), site.get("audit") or {})
        records.append({"site_id": site_id, "status": site["status"] or "error", **coverage})
    columns = ["site_id", "status", "engagement_2", "engagement_3"]
    return _coverage_typed(pd.DataFrame.from_records(records, columns=columns))


def export(df: pd.DataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``df`` as CSV, Parquet, XLSX or JSON (format from ``fmt`` or the suffix)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise TableError(f"format inconnu : {fmt!r} (formats : {', '.join(FORMATS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    if "run_started_at" in out:
        # Excel has no time zones; ISO text is unambiguous everywhere.
        out["run_started_at"] = out["run_started_at"].astype(str)
    if fmt == "csv":
        out.to_csv(path, index=False)
    elif fmt == "parquet":
        out.to_parquet(path, index=False)
    elif fmt == "json":
        out.to_json(path, orient="records", force_ascii=False, indent=2)
    else:
        _to_xlsx(out, path)
    return path


def _to_xlsx(df: pd.DataFrame, path: Path) -> None:
    """One sheet, frozen header row, filters on every column, readable widths."""
    with xlsx_workbook(path) as book:
        write_sheet(book, df, "constats")


def xlsx_workbook(path: Path) -> Any:
    """An XlsxWriter workbook where text stays text (close it, or use it in ``with``).

    XlsxWriter, row by row, rather than ``DataFrame.to_excel``: a 1 000-site report's
    workbook took 5.7 s through pandas and openpyxl, 3.4–3.7 s through pandas and
    XlsxWriter (pandas makes an object of every cell), 1.9 s written directly. Cells hold what
    sites and seed lists say (names, reasons, evidence): a string starting with ``=`` is
    written as text, never as a formula (a page must not plant ``=HYPERLINK(…)`` in the
    spreadsheet of whoever opens the export), and URLs stay plain strings (no hyperlink
    objects, which Excel caps at 65 530 a sheet).
    """
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})


def write_sheet(book: Any, df: pd.DataFrame, sheet_name: str) -> None:
    """``df`` as a sheet: bold frozen header row, filters on every column, readable widths."""
    sheet = book.add_worksheet(sheet_name)
    sheet.write_row(0, 0, [str(column) for column in df.columns], book.add_format({"bold": True}))
    for row, values in enumerate(df.itertuples(index=False, name=None), start=1):
        sheet.write_row(row, 0, [_cell(value) for value in values])
    sheet.freeze_panes(1, 0)
    if len(df.columns):
        sheet.autofilter(0, 0, len(df), len(df.columns) - 1)
    for index, column in enumerate(df.columns):
        cells = [column, *df[column].head(49)]
        width = max(len("" if (cell := _cell(value)) is None else str(cell)) for value in cells)
        sheet.set_column(index, index, min(max(width, 8), 50))


def _cell(value: Any) -> Any:
    """A value XlsxWriter writes as it is: ``None`` (a blank), text, a number, a boolean."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):  # numpy scalars from the frame's columns
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else (None if value != value else str(value))
    if isinstance(value, str | int):  # bool is an int
        return value
    return str(value)  # a timestamp, a list…: its text
