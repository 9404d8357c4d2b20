"""An Annuaire export into the store: one import among the history of imports.

Records are read as a stream (:mod:`crawler.annuaire.export`) and written in batches
(``VIGIE_ANNUAIRE_BATCH``), with their website hosts (:mod:`crawler.annuaire.links`).
The import is ``running`` until the whole file is read, then ``finished``: from then on
it is the reference of the runs that finish after it, and the earlier imports stay in the
store (the history: an earlier run keeps being compared with the import of its time). A
file that breaks in the middle, an interruption, or an export without a single valid
record leaves the import ``failed`` and the previous one in use.

Malformed records and unreadable fields are counted and listed by line (the first
``VIGIE_ANNUAIRE_PROBLEMS_LISTED``) in the import's report and its French summary.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from crawler import settings
from crawler.annuaire.export import ExportError, read_export
from crawler.annuaire.links import record_hosts

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: The formats as people read them.
FORMAT_LABELS = {
    "json": "JSON",
    "json-results": "JSON (results)",
    "jsonl": "JSON lines",
    "csv": "CSV",
}


class AnnuaireImportError(Exception):
    """The export could not be imported; the message says why, in French."""


@dataclass(slots=True)
class ImportReport:
    """What an import read, kept, rejected and met (its summary)."""

    source: str
    export_date: date
    format: str = ""
    import_id: int | None = None
    records: int = 0
    rejected: int = 0
    duplicates: int = 0
    field_problems: int = 0
    with_website: int = 0
    hosts: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    latest_modification: str = ""
    problems: list[str] = field(default_factory=list)
    problems_total: int = 0
    replaces: dict[str, Any] | None = None  # the import in use before this one
    error: str | None = None

    def note(self, problem: str) -> None:
        self.problems_total += 1
        if len(self.problems) < settings.VIGIE_ANNUAIRE_PROBLEMS_LISTED:
            self.problems.append(problem)

    def to_dict(self) -> dict[str, Any]:
        """What the store keeps (``annuaire_imports.report``)."""
        return {
            "format": self.format,
            "records": self.records,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "field_problems": self.field_problems,
            "with_website": self.with_website,
            "hosts": self.hosts,
            "by_type": dict(self.by_type.most_common()),
            "latest_modification": self.latest_modification or None,
            "problems": self.problems,
            "problems_total": self.problems_total,
            "error": self.error,
        }

    def summary(self) -> list[str]:
        """The import in French, a line each, for the command's output."""
        lines = [
            f"Annuaire importé (import n° {self.import_id}) : {_n(self.records)} fiches de "
            f"{self.source} ({FORMAT_LABELS.get(self.format, self.format)}, export du "
            f"{self.export_date.isoformat()})."
        ]
        if self.latest_modification:
            lines.append(f"  Fiche la plus récente : modifiée le {self.latest_modification}.")
        lines.append(
            f"  {_n(self.with_website)} fiches avec un site internet ({_n(self.hosts)} hôtes)."
        )
        if self.by_type:
            top = ", ".join(f"{t or '(sans type)'} {_n(n)}" for t, n in self.by_type.most_common(8))
            more = len(self.by_type) - 8
            lines.append(f"  Types : {top}" + (f" et {more} autres." if more > 0 else "."))
        if self.rejected or self.field_problems:
            lines.append(
                f"  {_n(self.rejected)} fiche(s) rejetée(s) (dont {_n(self.duplicates)} "
                f"doublon(s) d'id), {_n(self.field_problems)} champ(s) illisible(s) ignoré(s) :"
            )
            lines.extend(f"    {p}" for p in self.problems[:20])
            hidden = self.problems_total - min(len(self.problems), 20)
            if hidden > 0:
                lines.append(
                    f"    … et {_n(hidden)} autre(s) : « vigie annuaire imports "
                    f"--details {self.import_id} »"
                )
        else:
            lines.append("  Aucune fiche rejetée.")
        if self.replaces:
            lines.append(
                f"  Remplace l'import n° {self.replaces['id']} (export du "
                f"{self.replaces['export_date'].isoformat()}), gardé dans l'historique : les "
                "explorations terminées avant cet import restent comparées à celui-là."
            )
        return lines


def import_export(
    store: Any, path: str | Path, export_date: date | None = None, batch: int | None = None
) -> ImportReport:
    """Import the export at ``path`` into ``store``; :class:`AnnuaireImportError` if it cannot be.

    ``export_date``: the date of the export (default: the file's modification date).
    """
    path = Path(path)
    batch = batch or settings.VIGIE_ANNUAIRE_BATCH
    try:
        kind, entries = read_export(path)
        when = export_date or date.fromtimestamp(path.stat().st_mtime)
    except ExportError as exc:
        raise AnnuaireImportError(str(exc)) from exc
    except OSError as exc:
        raise AnnuaireImportError(f"export illisible : {path} ({exc.strerror or exc})") from exc
    report = ImportReport(source=str(path), export_date=when, format=kind)
    report.replaces = store.annuaire_import_for(None)
    import_id = store.start_annuaire_import(str(path), when)
    report.import_id = import_id
    try:
        _read_into(store, import_id, entries, report, batch)
    except ExportError as exc:
        report.error = str(exc)
        store.fail_annuaire_import(import_id, report.to_dict())
        raise AnnuaireImportError(
            f"{path} : {exc} ; import n° {import_id} abandonné, l'Annuaire en place reste "
            f"utilisé ({_n(report.records)} fiches lues avant l'erreur)"
        ) from exc
    except BaseException as exc:  # interrupted, store failure: never a half import in use
        report.error = f"interrompu : {exc.__class__.__name__} {exc}".strip()
        store.fail_annuaire_import(import_id, report.to_dict())
        raise
    if not report.records:
        report.error = "aucune fiche valide"
        store.fail_annuaire_import(import_id, report.to_dict())
        first = f" ({report.problems[0]})" if report.problems else ""
        raise AnnuaireImportError(
            f"{path} : aucune fiche valide de l'Annuaire{first} ; attendu l'export JSON "
            '(une liste de fiches, ou {"results": […]}) ou CSV de l\'Annuaire'
        )
    store.finish_annuaire_import(import_id, report.records, report.rejected, report.to_dict())
    return report


def _read_into(store: Any, import_id: int, entries: Any, report: ImportReport, batch: int) -> None:
    seen: dict[str, str] = {}  # record id → where first read (duplicates are rejected)
    records: list[dict[str, Any]] = []
    hosts: list[dict[str, Any]] = []
    for entry in entries:
        record = entry.record
        if record is None:
            report.rejected += 1
            for problem in entry.problems:
                report.note(problem)
            continue
        if record["id"] in seen:
            report.rejected += 1
            report.duplicates += 1
            report.note(
                f"{entry.where} : id {record['id']} déjà lu ({seen[record['id']]}), fiche rejetée"
            )
            continue
        seen[record["id"]] = entry.where
        report.field_problems += len(entry.problems)
        for problem in entry.problems:
            report.note(problem)
        pivots = [str(p.get("type_service_local") or "") for p in record["pivot"]]
        pivot = next((p for p in pivots if p), None)
        report.by_type[pivot or ""] += 1
        modified = record.get("date_modification") or ""
        if _DATE.match(modified) and modified > report.latest_modification:
            report.latest_modification = modified
        records.append(
            {
                "record_id": record["id"],
                "name": record.get("nom") or record["id"],
                "pivot_type": pivot[:60] if pivot else None,
                "data": record,
            }
        )
        found = record_hosts(record)
        if found:
            report.with_website += 1
            report.hosts += len(found)
        hosts.extend(
            {"host": host[:255], "domain": domain[:255], "record_id": record["id"]}
            for host, domain in found
        )
        report.records += 1
        if len(records) >= batch:
            store.write_annuaire_batch(import_id, records, hosts)
            records, hosts = [], []
    store.write_annuaire_batch(import_id, records, hosts)


def parse_date(text: str) -> date:
    """``--date``: an export date written ``AAAA-MM-JJ`` (or ``JJ/MM/AAAA``)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"date attendue sous la forme AAAA-MM-JJ, pas {text!r}")


def _n(number: int) -> str:
    """A count as French writes it: 79 812."""
    return f"{number:,}".replace(",", " ")
