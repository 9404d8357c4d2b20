"""The report's data as files: CSV and Parquet per table, one XLSX and one JSON for all.

The same :class:`~reports.data.ReportData` as the HTML pages, so the spreadsheet and the
page never disagree. Every table's columns and their names come from one registry,
:mod:`reports.columns`: CSV, Parquet and JSON keep the stable ids (check ids,
``engagement_2``…) that scripts read, and machine values in English (``found``,
``appeared``…); the XLSX, read by people, shows the French headers, dates as dates and
shares as percentages, and carries the data dictionary (columns and checks) as two sheets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reports import columns as registry
from reports.advice import type_label
from reports.columns import TABLE_COLUMNS, TABLES
from reports.data import ReportData
from reports.present import as_utc
from reports.spreadsheet import EXPORT_CHUNK, write_sheet, xlsx_workbook
from reports.table import export

__all__ = ["TABLES", "ExportFile", "build_tables", "write_exports", "write_json", "write_xlsx"]


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A written file and how the overview links it."""

    path: Path
    label: str
    fmt: str
    table: str | None = None  # None: every table in one file


def _iso(value: Any) -> str | None:
    when = as_utc(value)
    return when.isoformat() if when is not None else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _frame(name: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """A table with exactly its registered columns (an empty one keeps its header)."""
    return pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS[name]))


#: Machine values of the ``change`` columns.
CHANGES = ("appeared", "fixed", "not_comparable")


def build_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of the report as a DataFrame with the registry's column ids."""
    run_id = data.run["id"]
    checks, errors, changes, audit, elements = [], [], [], [], []
    for site in data.detailed_sites(pages=False):  # (the checks and errors only)
        for group in site.groups:
            for c in group.checks:
                first = c.evidence[0] if c.evidence else None
                checks.append(
                    {
                        "run_id": run_id,
                        "site_id": site.site_id,
                        "name": site.name,
                        "check_id": c.check_id,
                        "check": c.advice.label,
                        "engagement": group.engagement,
                        "check_status": c.status,
                        "problem": c.problem,
                        "in_coverage": c.covered,
                        "value": " ; ".join(c.values) or None,
                        "evidence_url": first.url if first else None,
                        "evidence_where": first.where if first else None,
                        "evidence_snippet": first.snippet if first else None,
                        "pages_found": c.pages_found,
                        "error": c.error,
                        "todo": c.todo,
                        "reference": c.advice.reference if c.todo else None,
                    }
                )
        for e in site.errors:
            errors.append(
                {
                    "run_id": run_id,
                    "site_id": site.site_id,
                    "url": e["url"],
                    "kind": e["kind"],
                    "reason": e["reason"],
                    "is_home": bool(e["is_home"]),
                    "at": e["at"],
                }
            )
        ch = site.changes
        prev = ch.previous["id"] if ch.previous else None
        for word, items in zip(CHANGES, (ch.appeared, ch.fixed, ch.not_comparable), strict=True):
            for item in items:
                changes.append(
                    {
                        "run_id": run_id,
                        "site_id": site.site_id,
                        "name": site.name,
                        "previous_run_id": prev,
                        "check_id": item.check_id,
                        "check": item.label,
                        "change": word,
                        "before": item.before,
                        "after": item.after,
                    }
                )
        if site.audit is not None:
            for word, issues in (
                ("violation", site.audit.violations),
                ("needs_review", site.audit.needs_review),
            ):
                for issue in issues:
                    audit.append(
                        {
                            "run_id": run_id,
                            "site_id": site.site_id,
                            "result": word,
                            "criterion": issue.criterion,
                            "title": issue.title,
                            "rules": ", ".join(issue.rules),
                            "pages": len(issue.pages),
                            "elements": len(issue.elements) + issue.more_elements,
                        }
                    )
    for element in data.element_changes:
        for word, sites in (("gained", element.gained), ("lost", element.lost)):
            for site in sites:
                elements.append(
                    {
                        "run_id": run_id,
                        "site_id": site.site_id,
                        "name": site.name,
                        "previous_run_id": (site.changes.previous or {}).get("id"),
                        "engagement": element.engagement,
                        "element": element.key,
                        "element_label": element.label,
                        "change": word,
                    }
                )
    groups = [
        {
            "dimension": g.dimension,
            "group": g.group,
            "sites": g.sites,
            "explored": g.explored,
            "engagement_2": _round(g.engagement_2),
            "engagement_3": _round(g.engagement_3),
            "engagement_2_full": g.full_2,
            "engagement_3_full": g.full_3,
        }
        for dimension in data.dimensions
        for g in data.by_group.get(dimension.key, [])
    ]
    return {
        "constats": data.table,
        "verifications": _frame("verifications", checks),
        "couverture_par_type": _frame(
            "couverture_par_type",
            [
                {**g, "type": g["group"], "type_label": type_label(g["group"])}
                for g in groups
                if g["dimension"] == "type"
            ],
        ),
        "couverture_par_groupe": _frame("couverture_par_groupe", groups),
        "part_par_verification": _frame(
            "part_par_verification",
            [
                {
                    "check_id": s.check_id,
                    "check": s.advice.label,
                    "engagement": s.advice.engagement,
                    "found": s.found,
                    "absent": s.absent,
                    "error_sites": s.error,
                    "not_applicable": s.not_applicable,
                    "share": _round(s.share),
                }
                for s in data.shares
            ],
        ),
        **_trend_tables(data),
        "erreurs": _frame("erreurs", errors),
        "changements": _frame("changements", changes),
        "elements_gagnes_perdus": _frame("elements_gagnes_perdus", elements),
        "audit": _frame("audit", audit),
    }


def _point(p: Any) -> dict[str, Any]:
    return {
        "run_id": p.run_id,
        "run_label": p.label,
        "run_started_at": p.started_at,
        "sites": p.sites,
        "explored": p.explored,
        "engagement_2": _round(p.engagement_2),
        "engagement_3": _round(p.engagement_3),
        "engagement_2_full": p.full[2],
        "engagement_3_full": p.full[3],
    }


def _trend_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    trends = data.trends
    overall = trends.overall if trends is not None else data.trend
    by_group, by_check = [], []
    if trends is not None:
        for dimension, groups in trends.by_group.items():
            for group, points in groups.items():
                by_group += [
                    {**_point(p), "dimension": dimension, "group": group} for p in points if p.sites
                ]
        for check_id in data.check_order:
            for p in trends.by_check.get(check_id, []):
                if not p.counts:
                    continue
                by_check.append(
                    {
                        "run_id": p.run_id,
                        "run_label": p.label,
                        "run_started_at": p.started_at,
                        "check_id": check_id,
                        "found": p.found,
                        "absent": p.counts.get("absent", 0),
                        "error_sites": p.counts.get("error", 0),
                        "not_applicable": p.counts.get("not_applicable", 0),
                        "share": _round(p.share),
                    }
                )
    return {
        "evolution": _frame("evolution", [_point(p) for p in overall]),
        "evolution_par_groupe": _frame("evolution_par_groupe", by_group),
        "evolution_par_verification": _frame("evolution_par_verification", by_check),
    }


def french_headers(df: pd.DataFrame) -> pd.DataFrame:
    """Column names a person reads (:mod:`reports.columns`)."""
    return df.set_axis(registry.headers(df.columns), axis=1)


def dictionary_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The data dictionary as two sheets: every column of every table, and the checks."""
    from reports import dictionary

    rows = [
        {
            "Feuille": TABLES[name][0],
            "Colonne (identifiant)": column_id,
            "En-tête": header,
            "Unité": registry.column(column_id).unit,
            "Description": registry.column(column_id).description,
        }
        for name, df in tables.items()
        for column_id, header in zip(df.columns, registry.headers(df.columns), strict=True)
    ]
    checks = pd.DataFrame(dictionary.rows())
    checks["applies_to"] = checks["applies_to"].map(
        lambda v: "tous les types" if v is None else ", ".join(v)
    )
    return {
        "Dictionnaire des colonnes": pd.DataFrame(rows),
        "Dictionnaire des vérifications": checks.rename(columns=dictionary.ROW_HEADERS),
    }


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """One sheet per table (French headers, frozen header row, filters, readable widths,
    dates as dates, shares as percentages), then the data dictionary."""
    with xlsx_workbook(path) as book:
        for name, df in tables.items():
            kinds = [registry.column(c).kind for c in df.columns]
            write_sheet(book, df, TABLES[name][0], registry.headers(df.columns), kinds)
        for sheet, df in dictionary_tables(tables).items():
            write_sheet(book, df, sheet)
    return path


def write_json(tables: dict[str, pd.DataFrame], run: dict[str, Any], path: Path) -> Path:
    """One object: the run, then every table as a list of records.

    Written table by table from pandas' own JSON text, never parsed back into Python
    objects: for a 1 000-site run those took 100 MB and most of the second this export
    cost. A table's text is made :data:`EXPORT_CHUNK` rows at a time and the pieces joined
    as pandas joins records (``",\\n"`` between them inside ``"[\\n"`` … ``"\\n]"``): the
    same text, without a national run's whole table of checks as one string. pandas writes
    ``/`` as ``\\/`` (valid JSON, awkward to read): put back, which is safe because pandas
    escapes every ``/``, so ``\\/`` in its output is always that escape.
    """
    head = {
        "id": run["id"],
        "label": run.get("label"),
        "started_at": _iso(run.get("started_at")),
        "finished_at": _iso(run.get("finished_at")),
    }
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n  "run": ' + json.dumps(head, ensure_ascii=False))
        for name, df in tables.items():
            out.write(f",\n  {json.dumps(name)}: [\n")
            for start in range(0, len(df), EXPORT_CHUNK):
                if start:
                    out.write(",\n")
                records = _json_ready(df.iloc[start : start + EXPORT_CHUNK]).to_json(
                    orient="records", force_ascii=False, date_format="iso", indent=2
                )
                out.write(records[2:-2].replace("\\/", "/"))  # inside pandas' "[\n…\n]"
            out.write("\n]")
        out.write("\n}\n")
    return path


def _json_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO 8601 text with their time zone (pandas' own ISO drops it)."""
    dated = [c for c in df.columns if registry.column(c).kind == "datetime"]
    if not dated:
        return df
    out = df.copy()
    for column in dated:
        out[column] = out[column].map(_iso, na_action="ignore")
    return out


def write_exports(data: ReportData, folder: Path) -> list[ExportFile]:
    """Write every format into ``folder``; return the files for the overview's links."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = build_tables(data)
    files = [
        ExportFile(
            write_xlsx(tables, folder / "vigie.xlsx"),
            "Classeur XLSX, une feuille par table et le dictionnaire des données",
            "xlsx",
        ),
        ExportFile(
            write_json(tables, data.run, folder / "vigie.json"), "JSON, toutes les tables", "json"
        ),
    ]
    for name, df in tables.items():
        for kind, (suffix, fmt, dialect) in TABLE_FILES.items():
            path = export(df, folder / f"{name}{suffix}", fmt, csv_dialect=dialect)
            files.append(ExportFile(path, TABLES[name][1], kind, table=name))
    return files


#: Each table's files: kind → (file name suffix, format, CSV flavour). The plain CSV is for
#: programs, the ``-excel.csv`` one opens in French Excel (:mod:`reports.spreadsheet`).
TABLE_FILES: dict[str, tuple[str, str, str | None]] = {
    "csv": (".csv", "csv", "rfc4180"),
    "csv-excel": ("-excel.csv", "csv", "excel-fr"),
    "parquet": (".parquet", "parquet", None),
}
