"""The report's data as files: CSV and Parquet per table, one XLSX and one JSON for all.

The same :class:`~reports.data.ReportData` as the HTML pages, so the spreadsheet and the
page never disagree. CSV, Parquet and JSON keep the machine column names of the contract
(check ids, ``engagement_2``…) because scripts read them; the XLSX, read by people, gets
French headers, one sheet per table, a frozen header row and filters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reports.advice import ADVICE, advice_for, type_label
from reports.data import ReportData
from reports.present import as_utc
from reports.spreadsheet import write_sheet, xlsx_workbook
from reports.table import export

#: Machine name → (XLSX sheet name, French description for the overview).
TABLES: dict[str, tuple[str, str]] = {
    "constats": ("Constats", "Tableau des constats, une ligne par site"),
    "verifications": ("Vérifications", "Chaque vérification de chaque site, avec sa preuve"),
    "couverture_par_type": ("Couverture par type", "Couverture par type d'administration"),
    "part_par_verification": ("Part par vérification", "Part des sites par vérification"),
    "evolution": ("Évolution", "Couverture au fil des explorations"),
    "erreurs": ("Erreurs d'exploration", "Adresses qui n'ont pas pu être récupérées"),
    "changements": ("Changements", "Changements depuis l'exploration précédente"),
    "audit": ("Audit RGAA", "Audit d'accessibilité par critère RGAA"),
}

HEADERS: dict[str, str] = {
    "run_id": "N° d'exploration",
    "run_label": "Étiquette de l'exploration",
    "run_started_at": "Début de l'exploration (UTC)",
    "site_id": "Identifiant du site",
    "name": "Nom du site",
    "url": "Adresse",
    "type": "Type d'administration",
    "type_label": "Type d'administration (libellé)",
    "status": "État",
    "reason": "Raison de l'erreur",
    "pages_crawled": "Pages explorées",
    "errors": "Erreurs d'exploration",
    "error_kinds": "Types d'erreurs",
    "a11y_mention_value": "Mention d'accessibilité (valeur)",
    "engagement_2": "Couverture engagement 2 (part des éléments)",
    "engagement_2_found": "Engagement 2 : éléments trouvés",
    "engagement_2_counted": "Engagement 2 : éléments comptés",
    "engagement_3": "Couverture engagement 3 (part des éléments)",
    "engagement_3_found": "Engagement 3 : éléments trouvés",
    "engagement_3_counted": "Engagement 3 : éléments comptés",
    "in_coverage": "Compte dans la couverture",
    "check_id": "Identifiant de la vérification",
    "check": "Vérification",
    "engagement": "Engagement",
    "problem": "À corriger",
    "value": "Valeur trouvée",
    "evidence_url": "Page de la preuve",
    "evidence_where": "Emplacement (XPath)",
    "evidence_snippet": "Extrait",
    "pages_found": "Pages où trouvé",
    "error": "Erreur",
    "todo": "À faire",
    "reference": "Référence",
    "sites": "Sites",
    "explored": "Sites explorés",
    "found": "Trouvée",
    "absent": "Absente",
    "share": "Part des sites",
    "kind": "Type",
    "is_home": "Page d'accueil",
    "at": "Date (UTC)",
    "previous_run_id": "Exploration précédente",
    "change": "Changement",
    "before": "Avant",
    "after": "Après",
    "criterion": "Critère RGAA",
    "title": "Intitulé",
    "result": "Résultat",
    "rules": "Règles axe-core",
    "pages": "Pages",
    "elements": "Éléments",
}


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


def build_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Every table of the report as a DataFrame with machine column names."""
    run_id = data.run["id"]
    checks, errors, changes, audit = [], [], [], []
    for site in data.sites:
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
                        "status": c.status,
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
                    "at": _iso(e["at"]),
                }
            )
        ch = site.changes
        prev = ch.previous["id"] if ch.previous else None
        for word, items in (
            ("apparu", ch.appeared),
            ("corrigé", ch.fixed),
            ("non comparable", ch.not_comparable),
        ):
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
                ("à vérifier", site.audit.needs_review),
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
    return {
        "constats": data.table,
        "verifications": pd.DataFrame(checks),
        "couverture_par_type": pd.DataFrame(
            [
                {
                    "type": t.type,
                    "type_label": type_label(t.type),
                    "sites": t.sites,
                    "explored": t.explored,
                    "engagement_2": _round(t.engagement_2),
                    "engagement_3": _round(t.engagement_3),
                }
                for t in data.by_type
            ]
        ),
        "part_par_verification": pd.DataFrame(
            [
                {
                    "check_id": s.check_id,
                    "check": s.advice.label,
                    "engagement": s.advice.engagement,
                    "found": s.found,
                    "absent": s.absent,
                    "error": s.error,
                    "share": _round(s.share),
                }
                for s in data.shares
            ]
        ),
        "evolution": pd.DataFrame(
            [
                {
                    "run_id": p.run_id,
                    "run_label": p.label,
                    "run_started_at": _iso(p.started_at),
                    "sites": p.sites,
                    "explored": p.explored,
                    "engagement_2": _round(p.engagement_2),
                    "engagement_3": _round(p.engagement_3),
                }
                for p in data.trend
            ]
        ),
        "erreurs": pd.DataFrame(errors, columns=_columns("erreurs")),
        "changements": pd.DataFrame(changes, columns=_columns("changements")),
        "audit": pd.DataFrame(audit, columns=_columns("audit")),
    }


def _columns(name: str) -> list[str]:
    """Columns of the tables that may be empty (an empty export still has its header)."""
    return {
        "erreurs": ["run_id", "site_id", "url", "kind", "reason", "is_home", "at"],
        "changements": [
            "run_id",
            "site_id",
            "name",
            "previous_run_id",
            "check_id",
            "check",
            "change",
            "before",
            "after",
        ],
        "audit": [
            "run_id",
            "site_id",
            "result",
            "criterion",
            "title",
            "rules",
            "pages",
            "elements",
        ],
    }[name]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


_IMPACTS_FR = {"critical": "critiques", "serious": "sérieuses", "moderate": "modérées"}
_IMPACTS_FR["minor"] = "mineures"
HEADERS.update(
    {
        "audit_status": "État de l'audit",
        "audit_reason": "Raison (audit non fait ou en échec)",
        "pages_audited": "Pages auditées (accessibilité)",
        "audit_errors": "Pages non auditées",
        "axe_version": "Version d'axe-core",
        "axe_needs_review": "Règles axe à vérifier par une personne",
        "rgaa_criteria_violated": "Critères RGAA en violation",
        "no_critical_axe": "Aucune violation critique",
        **{f"axe_{k}": f"Règles axe en violation, {v}" for k, v in _IMPACTS_FR.items()},
        **{f"rgaa_theme_{n}": f"Règles en violation, thématique RGAA {n}" for n in range(1, 14)},
    }
)


def french_headers(df: pd.DataFrame) -> pd.DataFrame:
    """Column names a person reads: check ids become their French label."""
    names = {}
    for column in df.columns:
        if column in ADVICE:
            names[column] = advice_for(column).label
        else:
            names[column] = HEADERS.get(column, column)
    return df.rename(columns=names)


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """One sheet per table, French headers, frozen header row, filters, readable widths."""
    with xlsx_workbook(path) as book:
        for name, df in tables.items():
            out = df.copy()
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].astype(str)  # Excel has no time zones
            write_sheet(book, french_headers(out), TABLES[name][0])
    return path


def write_json(tables: dict[str, pd.DataFrame], run: dict[str, Any], path: Path) -> Path:
    """One object: the run, then every table as a list of records.

    Written table by table from pandas' own JSON text, never parsed back into Python
    objects: for a 1 000-site run those took 100 MB and most of the second this export
    cost. pandas writes ``/`` as ``\\/`` (valid JSON, awkward to read): put back, which is
    safe because pandas escapes every ``/``, so ``\\/`` in its output is always that escape.
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
            records = df.to_json(orient="records", force_ascii=False, date_format="iso", indent=2)
            out.write(f",\n  {json.dumps(name)}: " + records.replace("\\/", "/"))
        out.write("\n}\n")
    return path


def write_exports(data: ReportData, folder: Path) -> list[ExportFile]:
    """Write every format into ``folder``; return the files for the overview's links."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = build_tables(data)
    files = [
        ExportFile(
            write_xlsx(tables, folder / "vigie.xlsx"),
            "Classeur XLSX, une feuille par table",
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
