"""The Annuaire cross-check as the reports show it: per site, per field, per group of sites.

What is compared, and how, is :mod:`checks.annuaire` and :mod:`crawler.annuaire.crosscheck`;
this module only words it for people. A site page reads, field by field, « Le site affiche …
; l'Annuaire indique … » with the page that shows the site's value (:func:`site_view`); a
site without a record says why (no Annuaire imported, no record with its address, several,
an unknown ``annuaire_id``). The overview counts, per group of sites, those whose contacts
differ from their record (:func:`group_counts`), from the findings table's ``annuaire_*``
columns: the number in the overview is the number in the spreadsheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from checks.annuaire import FIELD_LABELS, FIELDS, STATUS_LABELS
from reports.present import date_fr, safe_href

#: One letter per field status in the overview's rows (``data-annuaire``, read by vigie.js).
STATUS_CODES: Mapping[str, str] = {
    "consistent": "c",
    "differs": "d",
    "missing_on_site": "m",
    "no_record": "n",
    "error": "e",
}
#: « Le site n'affiche … » for a field the site does not show.
_NOTHING_SHOWN: Mapping[str, str] = {
    "phone": "aucun numéro de téléphone",
    "email": "aucune adresse électronique",
    "address": "aucune adresse postale",
    "opening_hours": "aucun horaire d'ouverture",
}
#: Shown instead of a site's record when the store holds no Annuaire import at all (a run
#: is compared with the import in force when it finished, else the first one after it).
NO_IMPORT = (
    "aucun Annuaire de l'administration n'est importé dans la base de résultats "
    "(« vigie annuaire import FICHIER », puis « vigie report ») : rien n'a été comparé"
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a sentence: plain text, a value (``kind="value"``) or a page's URL
    (``kind="url"``, a link when ``href`` is set)."""

    text: str
    kind: str = "text"
    href: str | None = None


@dataclass(frozen=True, slots=True)
class ShownValue:
    """A value the site shows and where (the attributes of the templates' evidence item)."""

    value: str
    url: str
    href: str | None
    where: str
    snippet: str
    title: str | None = None


@dataclass(slots=True)
class FieldView:
    """One compared field of one site."""

    field: str
    label: str  # French, capitalised: « Téléphone »
    status: str  # consistent / differs / missing_on_site / no_record / error
    status_label: str  # French: « diffère de l'Annuaire »
    segments: list[Segment]
    shown: list[ShownValue]
    record: list[str]
    not_on_site: list[str]
    error: str | None = None

    @property
    def sentence(self) -> str:
        """The sentence as plain text: « Le site affiche … ; l'Annuaire indique … »."""
        return "".join(s.text for s in self.segments)

    @property
    def code(self) -> str:
        return STATUS_CODES.get(self.status, "e")


@dataclass(slots=True)
class SiteView:
    """A site's cross-check: its record (or why it has none) and its fields."""

    imported: bool  # an Annuaire was imported for the run
    link_status: str  # linked / unmatched / ambiguous / unknown_id / no_import
    link_text: str  # French: which record and how, or why none
    import_text: str | None = None  # « import n° 1 du …, export du … »
    record_id: str | None = None
    record_name: str | None = None
    fields: list[FieldView] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return self.link_status == "linked"

    @property
    def differing(self) -> list[FieldView]:
        """The fields whose values on the site differ from the record's."""
        return [f for f in self.fields if f.status == "differs"]

    @property
    def disagrees(self) -> bool:
        """At least one field the site shows differs from its record."""
        return bool(self.differing)

    @property
    def codes(self) -> str:
        """``data-annuaire`` of the overview's row: ``1`` or ``0`` (linked), then one letter
        per field; empty when nothing was imported."""
        if not self.imported:
            return ""
        statuses = {f.field: f.code for f in self.fields}
        return ("1" if self.linked else "0") + "".join(statuses.get(n, "n") for n in FIELDS)


def import_text(imported: Mapping[str, Any] | None) -> str | None:
    """« import n° 2 du 01/12/2026 à 09:00 UTC, export du 30/11/2026 »."""
    if imported is None:
        return None
    exported = imported.get("export_date")
    day = exported.strftime("%d/%m/%Y") if isinstance(exported, date) else "—"
    return f"import n° {imported['id']} du {date_fr(imported.get('finished_at'))}, export du {day}"


def site_view(
    cross: Mapping[str, Any] | None,
    imported: Mapping[str, Any] | None,
    titles: Mapping[str, str] | None = None,
) -> SiteView:
    """A site's :class:`SiteView` from its ``SiteCrossCheck.to_dict()`` (``cross``; None when
    the cross-check does not know the site) and the run's import (None: nothing imported).
    ``titles``: url → the page's ``<title>``, to recognise the page that shows a value."""
    if imported is None:
        return SiteView(False, "no_import", NO_IMPORT)
    if cross is None:
        return SiteView(True, "unmatched", "site absent de la comparaison", import_text(imported))
    link = cross["link"]
    return SiteView(
        imported=True,
        link_status=link["status"],
        link_text=link["description"],
        import_text=import_text(imported),
        record_id=link["record_id"] if link["status"] == "linked" else None,
        record_name=cross.get("record_name"),
        fields=[field_view(c, titles) for c in cross["fields"]],
    )


def field_view(comparison: Mapping[str, Any], titles: Mapping[str, str] | None = None) -> FieldView:
    """One field of ``SiteCrossCheck.to_dict()["fields"]`` with its sentence and evidence."""
    name = comparison["field"]
    shown = [
        ShownValue(
            value=str(s["value"]),
            url=str(s.get("url") or ""),
            href=safe_href(s.get("url")),
            where=str(s.get("xpath") or ""),
            snippet=str(s.get("snippet") or ""),
            title=(titles or {}).get(str(s.get("url"))),
        )
        for s in comparison.get("site") or []
    ]
    record = [str(v) for v in comparison.get("record") or []]
    label = FIELD_LABELS.get(name, name)
    return FieldView(
        field=name,
        label=label[:1].upper() + label[1:],
        status=comparison["status"],
        status_label=STATUS_LABELS.get(comparison["status"], comparison["status"]),
        segments=segments(name, shown, record, comparison["status"]),
        shown=shown,
        record=record,
        not_on_site=[str(v) for v in comparison.get("not_on_site") or []],
        error=comparison.get("error"),
    )


def segments(
    name: str, shown: Sequence[ShownValue], record: Sequence[str], status: str = ""
) -> list[Segment]:
    """« Le site affiche « A » (page) et « B » (page) ; l'Annuaire indique « X ». », or
    « Le site n'affiche aucun … » / « l'Annuaire n'indique rien » for an empty side, and
    « Le site n'a pas pu être vérifié » when its check could not run (never "nothing")."""
    out: list[Segment] = []
    if shown:
        out.append(Segment("Le site affiche "))
        for i, value in enumerate(shown):
            out.extend(_joiner(i, len(shown)))
            out.extend(_quoted(value.value))
            if value.url:
                out.extend([Segment(" ("), Segment(value.url, "url", value.href), Segment(")")])
    elif status == "error":
        out.append(Segment("Le site n'a pas pu être vérifié"))
    else:
        out.append(Segment(f"Le site n'affiche {_NOTHING_SHOWN.get(name, 'rien')}"))
    if record:
        out.append(Segment(" ; l'Annuaire indique "))
        for i, value in enumerate(record):
            out.extend(_joiner(i, len(record)))
            out.extend(_quoted(value))
        out.append(Segment("."))
    else:
        out.append(Segment(" ; l'Annuaire n'indique rien."))
    return out


def _joiner(index: int, count: int) -> list[Segment]:
    if index == 0:
        return []
    return [Segment(" et " if index == count - 1 else ", ")]


def _quoted(value: str) -> list[Segment]:
    return [Segment("« "), Segment(value, "value"), Segment(" »")]


@dataclass(slots=True)
class GroupCounts:
    """The cross-check of one group of sites (a value of a dimension, or all of them)."""

    group: str
    label: str
    sites: int
    with_record: int
    disagree: int
    #: field → sites where it differs from the record.
    differs: dict[str, int] = field(default_factory=dict)


def counts(rows: pd.DataFrame, group: str = "", label: str = "Toute la liste") -> GroupCounts:
    """Sites, sites with a record, sites whose contacts differ (at least one field
    ``differs``) and, per field, sites where it differs, among the findings table's ``rows``."""
    differs = {
        name: int((rows[f"annuaire_{name}"] == "differs").sum())
        if f"annuaire_{name}" in rows
        else 0
        for name in FIELDS
    }
    columns = [f"annuaire_{name}" for name in FIELDS if f"annuaire_{name}" in rows]
    disagree = int((rows[columns] == "differs").any(axis=1).sum()) if columns else 0
    with_record = int(rows["annuaire_id"].notna().sum()) if "annuaire_id" in rows else 0
    return GroupCounts(group, label, len(rows), with_record, disagree, differs)


def group_counts(
    table: pd.DataFrame, column: str, values: Sequence[tuple[str, str]]
) -> list[GroupCounts]:
    """:func:`counts` of each group of ``column`` (``values``: (value, label), ``""`` for
    "not given"), in the order given."""
    from reports.table import group_rows  # (reports.table reads the cross-check's module)

    needed = ["annuaire_id", *(f"annuaire_{name}" for name in FIELDS)]
    return [counts(rows, v, label) for v, label, rows in group_rows(table, column, values, needed)]
