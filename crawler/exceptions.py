"""Reviewed exceptions: a site excused from a check, for a reason, until a date.

Some findings are known and accepted by the programme: a body with no reception desk has
no opening hours, a site being rebuilt has a dated plan. The programme keeps them in a
small CSV file that people edit by hand (in a spreadsheet or a text editor)::

    site_id,check,reason,until
    pref-loiret,chat,Pas de centre d'appels : contact par formulaire,2027-06-30
    mairie-senas,appointment,Accueil sans rendez-vous,

``until`` is the last day the exception holds (empty: no end); once passed, the check comes
back by itself. An excepted check reads ``not_applicable`` with its reason, stays visible
in the reports and exports, and does not count in coverage. Bad lines are reported with
their number and skipped, like the seed list's (:mod:`crawler.seeds`); the file is found
with ``--exceptions``, or as ``exceptions.csv`` beside the seed list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checks.catalog import BY_ID

#: The file looked for beside the seed list when ``--exceptions`` is not given.
DEFAULT_NAME = "exceptions.csv"
REQUIRED = ("site_id", "check", "reason")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class ExceptionsError(Exception):
    """The exceptions file cannot be used at all (unreadable, no header)."""


@dataclass(frozen=True, slots=True)
class Exemption:
    """One site excused from one check, for ``reason``, until ``until`` (inclusive)."""

    site_id: str
    check_id: str
    reason: str
    until: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.until is None or day <= self.until

    def to_dict(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "check": self.check_id,
            "reason": self.reason,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exemption:
        until = data.get("until")
        return cls(
            data["site_id"],
            data["check"],
            data["reason"],
            date.fromisoformat(until) if until else None,
        )


def load_exemptions(path: str | Path) -> tuple[list[Exemption], list[str]]:
    """The exemptions of a file, and the French problems of its bad lines."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ExceptionsError(
            f"fichier d'exceptions illisible : {path} ({exc.strerror or exc})"
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel exports in France
    return parse_exemptions(text, source=str(path))


def parse_exemptions(text: str, source: str = "<exceptions>") -> tuple[list[Exemption], list[str]]:
    """Parse the CSV (comma or semicolon separated, as Excel writes it in France)."""
    lines = text.lstrip().splitlines()
    if not lines:
        return [], []
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ExceptionsError(
            f"{source} : en-tête invalide, colonnes manquantes : {', '.join(missing)} "
            "(attendu : site_id,check,reason,until)"
        )
    exemptions: list[Exemption] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) != len(header):
            problems.append(f"ligne {line} : {len(row)} colonnes au lieu de {len(header)}, ignorée")
            continue
        rec = {h: v.strip() for h, v in zip(header, row, strict=True)}
        problem = _problem(rec)
        if problem:
            problems.append(f"ligne {line} : {problem}, ignorée")
            continue
        until = date.fromisoformat(rec["until"]) if rec.get("until") else None
        exemptions.append(Exemption(rec["site_id"], rec["check"], rec["reason"], until))
    return exemptions, problems


def _problem(rec: dict[str, str]) -> str | None:
    if not _ID.match(rec["site_id"]):
        return f"identifiant de site invalide {rec['site_id']!r}"
    if rec["check"] not in BY_ID:
        return f"vérification inconnue {rec['check']!r} (voir « vigie checks »)"
    if not rec["reason"]:
        return "raison manquante (une exception se justifie)"
    if rec.get("until"):
        try:
            date.fromisoformat(rec["until"])
        except ValueError:
            return f"date de fin invalide {rec['until']!r} (attendu AAAA-MM-JJ)"
    return None


def exemption_for(
    exemptions: Iterable[Exemption], site_id: str, check_id: str, day: date
) -> Exemption | None:
    """The exemption that excuses ``site_id`` from ``check_id`` on ``day``, if any."""
    for exemption in exemptions:
        same = exemption.site_id == site_id and exemption.check_id == check_id
        if same and exemption.holds_on(day):
            return exemption
    return None
