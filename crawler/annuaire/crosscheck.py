"""A run's sites cross-checked against the Annuaire: what the reports and the table read.

Which import: the one in force when the run finished (:meth:`AnnuaireReads.annuaire_import_for`
— the latest import finished before the run finished, else the first one after it), so a
run's findings never change when a later Annuaire is imported. Which record: the site's
link (:mod:`crawler.annuaire.links`). What the site shows: the site-level values of the
``phone``, ``email``, ``address`` and ``opening_hours`` checks in the run
(``site_checks``), compared by :func:`checks.annuaire.compare_record`; where each value
is shown: the page-level findings of those checks (the shallowest page that shows it).

Computed when read, never stored: it depends only on stored rows (the run's, and the
import's), so it is the same every time, and a Vigie with a better comparison gives better
answers on old runs too.

For the reports (the lead wires them):

* :func:`cross_check` → :class:`CrossCheck`, whose ``sites[site_id].fields`` is, per
  site, the list of field comparisons with both values and their evidence (see
  :meth:`SiteCrossCheck.to_dict`), and ``unmatched()`` the sites without a record;
* :meth:`CrossCheck.by_type`: per site type, how many sites have a record and how many
  disagree with it (at least one field ``differs``);
* :meth:`CrossCheck.columns`: the table's cells of one site (:data:`COLUMNS`);
* :func:`says`: one field as people read it, "le site affiche … (page) ; l'Annuaire
  indique …".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from checks.annuaire import (
    FIELD_LABELS,
    FIELDS,
    SHOWN,
    STATUS_LABELS,
    SiteSide,
    compare_record,
)
from crawler.annuaire.links import Link, SiteRef, link_sites

#: The findings table's columns (``reports/table.py``): the record, then one status per field.
COLUMNS: tuple[str, ...] = ("annuaire_id", *(f"annuaire_{name}" for name in FIELDS))


@dataclass(slots=True)
class SiteCrossCheck:
    """One site of a run against its record."""

    site_id: str
    name: str
    type: str
    url: str
    link: Link
    record_name: str | None = None
    fields: list[dict[str, Any]] = field(default_factory=list)

    @property
    def disagrees(self) -> bool:
        """At least one field the site shows differs from the record."""
        return any(f["status"] == "differs" for f in self.fields)

    def to_dict(self) -> dict[str, Any]:
        """The site's cross-check, JSON-ready: ``link`` (``status``, ``method``,
        ``record_id``, ``description`` in French) and ``fields``, each
        ``{"field", "label", "status", "status_label", "record": [...], "site":
        [{"value", "key", "url", "xpath", "snippet"}], "not_on_site": [...], "error"}``."""
        return {
            "site_id": self.site_id,
            "name": self.name,
            "type": self.type,
            "url": self.url,
            "annuaire_id": self.link.record_id if self.link.status == "linked" else None,
            "record_name": self.record_name,
            "link": {
                "status": self.link.status,
                "method": self.link.method,
                "record_id": self.link.record_id,
                "description": self.link.describe(),
            },
            "disagrees": self.disagrees,
            "fields": self.fields,
        }


@dataclass(slots=True)
class CrossCheck:
    """The cross-check of a run's sites; ``annuaire_import`` ``None``: nothing imported."""

    run_id: int
    annuaire_import: dict[str, Any] | None
    sites: dict[str, SiteCrossCheck] = field(default_factory=dict)

    def unmatched(self) -> list[SiteCrossCheck]:
        """The sites without a record, in site order (their ``link.describe()`` says why)."""
        return [s for s in self.sites.values() if s.link.status != "linked"]

    def columns(self, site_id: str) -> dict[str, Any]:
        """The table's cells (:data:`COLUMNS`) of one site; empty when no Annuaire was
        imported (nothing was compared: neither consistent nor different)."""
        site = self.sites.get(site_id)
        if self.annuaire_import is None or site is None:
            return dict.fromkeys(COLUMNS)
        cells: dict[str, Any] = {
            "annuaire_id": site.link.record_id if site.link.status == "linked" else None
        }
        for comparison in site.fields:
            cells[f"annuaire_{comparison['field']}"] = comparison["status"]
        return cells

    def by_type(self) -> dict[str, dict[str, Any]]:
        """Per site type: ``sites``, ``with_record``, ``disagree`` (sites with at least one
        field that differs) and ``fields`` (field → status → sites)."""
        out: dict[str, dict[str, Any]] = {}
        for site in self.sites.values():
            counts = out.setdefault(
                site.type,
                {
                    "sites": 0,
                    "with_record": 0,
                    "disagree": 0,
                    "fields": {name: dict.fromkeys(STATUS_LABELS, 0) for name in FIELDS},
                },
            )
            counts["sites"] += 1
            counts["with_record"] += site.link.status == "linked"
            counts["disagree"] += site.disagrees
            for comparison in site.fields:
                counts["fields"][comparison["field"]][comparison["status"]] += 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        imported = self.annuaire_import
        return {
            "run_id": self.run_id,
            "annuaire_import": None
            if imported is None
            else {
                "id": imported["id"],
                "source": imported["source"],
                "export_date": imported["export_date"].isoformat(),
                "finished_at": imported["finished_at"].isoformat(),
            },
            "by_type": self.by_type(),
            "sites": [s.to_dict() for s in self.sites.values()],
        }


def cross_check(
    store: Any,
    run_id: int,
    *,
    site_checks: Iterable[Mapping[str, Any]] | None = None,
    evidence: bool = True,
    import_id: int | None = None,
) -> CrossCheck:
    """The cross-check of every site of run ``run_id``.

    ``site_checks``: the run's site-level rows when the caller has them already (the
    table does); ``evidence=False`` leaves out where each value is shown (one read fewer:
    the table needs only the statuses); ``import_id``: compare with that import instead of
    the one in force when the run finished.
    """
    run = store.run(run_id)
    if run is None:
        raise ValueError(f"exploration n° {run_id} inconnue")
    if import_id is not None:
        imported = store.annuaire_import(import_id)
        if imported is None or imported["status"] != "finished":
            raise ValueError(f"import de l'Annuaire n° {import_id} inconnu ou inachevé")
    else:
        imported = store.annuaire_import_for(run["finished_at"])
    result = CrossCheck(run_id, imported)
    sites = store.sites_of_run(run_id)
    if imported is None:
        for site in sites:
            ref = SiteRef.from_run_site(site)
            result.sites[ref.site_id] = SiteCrossCheck(
                ref.site_id,
                site["name"],
                site["type"],
                site["url"],
                Link(ref.site_id, "unmatched", "none"),
            )
        return result
    refs = [SiteRef.from_run_site(site) for site in sites]
    links = {link.site_id: link for link in link_sites(store, imported["id"], refs)}
    linked = [link for link in links.values() if link.status == "linked"]
    records = store.annuaire_records(imported["id"], [link.record_id for link in linked])
    if site_checks is None:
        site_checks = store.site_checks_of(run_id, FIELDS)
    sides: dict[str, dict[str, SiteSide]] = {}
    for row in site_checks:
        if row["check_id"] in FIELDS:
            sides.setdefault(row["site_id"], {})[row["check_id"]] = SiteSide(
                row["status"], row["value"], row.get("error")
            )
    where = (
        _where_shown(store, run_id, [link.site_id for link in linked])
        if evidence and linked
        else {}
    )
    for site in sites:
        link = links[site["site_id"]]
        record = records.get(link.record_id) if link.status == "linked" else None
        comparisons = compare_record(
            record["data"] if record else None, sides.get(site["site_id"], {})
        )
        result.sites[site["site_id"]] = SiteCrossCheck(
            site["site_id"],
            site["name"],
            site["type"],
            site["url"],
            link,
            record["name"] if record else None,
            [_field(c.to_dict(), where.get(site["site_id"], {})) for c in comparisons],
        )
    return result


def with_evidence(store: Any, run_id: int, sites: Sequence[SiteCrossCheck]) -> list[SiteCrossCheck]:
    """Copies of ``sites`` (a :func:`cross_check` made with ``evidence=False``) whose fields
    say where each value the site shows is written, read for these sites only.

    A national report compares every site at once for the overview's counts, which need no
    evidence, and reads where values are shown a chunk of sites at a time, for their pages:
    about 10 ms a linked site, which in one go held up everything else.
    """
    linked = [s.site_id for s in sites if s.link.status == "linked"]
    where = _where_shown(store, run_id, linked) if linked else {}
    return [
        replace(
            s,
            fields=[
                _field({**f, "site": [dict(v) for v in f["site"]]}, where.get(s.site_id, {}))
                for f in s.fields
            ],
        )
        for s in sites
    ]


def _field(comparison: dict[str, Any], where: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A comparison with its labels and, for each value the site shows, where it is shown."""
    shown_at = where.get(comparison["field"], {})
    for shown in comparison["site"]:
        evidence = shown_at.get(shown["key"]) or shown_at.get(shown["value"]) or {}
        shown.update(
            url=evidence.get("url"), xpath=evidence.get("xpath"), snippet=evidence.get("snippet")
        )
    return {
        **comparison,
        "label": FIELD_LABELS[comparison["field"]],
        "status_label": STATUS_LABELS[comparison["status"]],
    }


def _where_shown(
    store: Any, run_id: int, site_ids: Sequence[str]
) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """site → field → value key → the evidence of the shallowest page that shows it.

    A page-level value lists what the page shows, its evidence the same things in the same
    order when the check gives one evidence per value; otherwise the page's first evidence
    stands for all (the page is right, the snippet approximate).
    """
    out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for row in store.page_findings_of(run_id, site_ids, FIELDS):
        value, evidence = row["value"], row["evidence"] or []
        if value is None:
            continue
        entries = value if isinstance(value, list) else [value]
        aligned = isinstance(value, list) and len(evidence) == len(entries)
        keys = out.setdefault(row["site_id"], {}).setdefault(row["check_id"], {})
        for index, entry in enumerate(entries):
            proof = dict(evidence[index] if aligned else (evidence[0] if evidence else {}))
            proof.setdefault("url", row["url"])
            for shown in SHOWN[row["check_id"]]([entry] if isinstance(value, list) else entry):
                keys.setdefault(shown.key or shown.value, proof)
    return out


def says(comparison: Mapping[str, Any]) -> str:
    """One field of :meth:`SiteCrossCheck.to_dict` as a French sentence: "le site affiche
    02 61 91 00 99 (https://…/contact) ; l'Annuaire indique 02 61 91 00 10"."""
    shown = " ; ".join(
        str(s["value"]) + (f" ({s['url']})" if s.get("url") else "") for s in comparison["site"]
    )
    record = " ; ".join(comparison["record"]) or "rien"
    return f"le site affiche {shown or 'rien'} ; l'Annuaire indique {record}"
