"""From page results to the site level, and the engagement coverage figures.

Pure functions over plain rows, so that the store, the findings table and the tests share
one definition of "found on the site" and of coverage.

Site level: ``found`` if found on any crawled page (best evidence kept: the shallowest
pages first); otherwise ``error`` if the check could not run on some page, if a key page
serving it could not be read (:mod:`checks.key_pages`), or if the site itself could not be
crawled; otherwise ``absent``. A failed crawl never reads as "absent".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks import CHECK_IDS

MAX_EVIDENCE = 3

#: Engagement coverage is a share of *elements*: one element is found when any of its checks
#: is (``email`` or ``contact_form`` count as one). These lists are the one source of both the
#: computation below and every text that explains it (reports, exports, the data dictionary).
NO_CRITICAL_AXE = "no_critical_axe"


@dataclass(frozen=True, slots=True)
class Element:
    """One element of an engagement's coverage.

    ``checks``: the check ids that can meet it (any one found is enough); empty for the
    element that is not a check, "no critical axe violation on the audited pages"
    (``key`` :data:`NO_CRITICAL_AXE`), measured by the accessibility audit.
    """

    key: str
    checks: tuple[str, ...]


COVERAGE_ELEMENTS: dict[int, tuple[Element, ...]] = {
    2: (
        Element("phone", ("phone",)),
        Element("email_or_contact_form", ("email", "contact_form")),
        Element("opening_hours", ("opening_hours",)),
        Element("appointment", ("appointment",)),
        Element("address", ("address",)),
        Element("service_public_link", ("service_public_link",)),
    ),
    3: (
        Element("a11y_mention", ("a11y_mention",)),
        Element("a11y_statement", ("a11y_statement",)),
        Element("faq", ("faq",)),
        Element("mediator", ("mediator",)),
        Element("accessible_phone", ("accessible_phone",)),
        Element(NO_CRITICAL_AXE, ()),
    ),
}
#: The check ids counted in some coverage; every other check is a complementary indicator.
COVERED_CHECKS: frozenset[str] = frozenset(
    c for elements in COVERAGE_ELEMENTS.values() for e in elements for c in e.checks
)
#: The same lists as check-id groups (the shape earlier versions exposed).
ENGAGEMENT_2: tuple[tuple[str, ...], ...] = tuple(e.checks for e in COVERAGE_ELEMENTS[2])
ENGAGEMENT_3: tuple[tuple[str, ...], ...] = tuple(
    e.checks for e in COVERAGE_ELEMENTS[3] if e.checks
)

#: States of one element: ``found`` and ``missing`` and ``error`` (a check could not run:
#: unknown, shown as such, but counted as not found so that a failure never raises the
#: figure) count in the coverage; ``not_measured`` (no page audited) and ``not_applicable``
#: (every check of the element does not apply to the site) are left out of it.
COUNTED_STATES = ("found", "missing", "error")


@dataclass(frozen=True, slots=True)
class ElementState:
    element: Element
    state: str  # found / missing / error / not_measured / not_applicable


@dataclass(frozen=True, slots=True)
class Coverage:
    """An engagement's coverage for one site, element by element.

    ``ratio`` is what the table's ``engagement_N`` column holds: found elements over
    counted ones, ``None`` when the site could not be crawled (``crawled`` false) or when
    no element could be counted.
    """

    engagement: int
    elements: tuple[ElementState, ...]
    crawled: bool = True

    @property
    def counted(self) -> list[ElementState]:
        return [e for e in self.elements if e.state in COUNTED_STATES]

    @property
    def found(self) -> int:
        return sum(1 for e in self.elements if e.state == "found")

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def ratio(self) -> float | None:
        if not self.crawled or not self.total:
            return None
        return self.found / self.total


#: The status of a check that does not apply to the site (its type, or an exception).
NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class SiteCheck:
    check_id: str
    status: str  # found / absent / error / not_applicable
    value: Any
    evidence: list[dict[str, Any]] | None
    pages_found: int
    error: str | None = None


def aggregate(
    rows: Iterable[Mapping[str, Any]],
    pages_checked: int,
    site_error: str | None = None,
    check_ids: Iterable[str] = CHECK_IDS,
    unread: Mapping[str, str] | None = None,
) -> list[SiteCheck]:
    """Site-level result of every check from page-level rows.

    ``rows`` are the stored page findings (``check_id``, ``status``, ``value``,
    ``evidence``, ``error``), shallowest pages first. ``pages_checked`` is the number of
    pages the checks ran on; with none, every check is ``error`` with ``site_error``.
    ``unread``: check id → why a key page serving it could not be read
    (:func:`checks.key_pages.unread_key_pages`); such a check found nowhere is ``error``
    with that reason, not ``absent``.
    """
    by_check: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_check.setdefault(row["check_id"], []).append(row)
    out = []
    for check_id in check_ids:
        if pages_checked == 0:
            out.append(
                SiteCheck(check_id, "error", None, None, 0, site_error or "aucune page récupérée")
            )
            continue
        mine = by_check.get(check_id, [])
        found = [r for r in mine if r["status"] == "found"]
        errors = [r for r in mine if r["status"] == "error"]
        if found:
            evidence = [e for r in found for e in (r["evidence"] or [])][:MAX_EVIDENCE]
            out.append(
                SiteCheck(
                    check_id, "found", merge_values(r["value"] for r in found), evidence, len(found)
                )
            )
        elif errors:
            out.append(
                SiteCheck(
                    check_id,
                    "error",
                    None,
                    None,
                    0,
                    f"{len(errors)} page(s) en erreur : {errors[0]['error']}",
                )
            )
        elif unread and check_id in unread:
            out.append(SiteCheck(check_id, "error", None, None, 0, unread[check_id]))
        else:
            values = [r["value"] for r in mine if r["value"] not in (None, [], {})]
            evidence = [e for r in mine for e in (r["evidence"] or [])][:MAX_EVIDENCE]
            out.append(
                SiteCheck(
                    check_id,
                    "absent",
                    merge_values(values) if values else None,
                    evidence or None,
                    0,
                )
            )
    return out


def apply_applicability(
    site_checks: Iterable[SiteCheck],
    site_type: str,
    excused: Callable[[str], str | None] = lambda _check_id: None,
) -> list[SiteCheck]:
    """Checks that do not apply to the site read ``not_applicable``, with why.

    A check does not apply to a type of administration (:func:`checks.catalog.applies`: a
    town hall is not asked for a FranceConnect login), or the programme has excused the
    site from it: ``excused(check_id)`` gives the reviewed reason, or None. Only checks not
    found change: a check found on the site stays ``found`` (what the site offers is
    worth showing). The reason goes in ``error``, where a status's explanation is kept;
    value and evidence stay, for reading.
    """
    from checks.catalog import applies

    out = []
    for sc in site_checks:
        reason = None
        if sc.status != "found":
            if not applies(sc.check_id, site_type):
                reason = f"ne s'applique pas aux sites de type « {site_type} »"
            else:
                reason = excused(sc.check_id)
        if reason is None:
            out.append(sc)
        else:
            out.append(SiteCheck(sc.check_id, NOT_APPLICABLE, sc.value, sc.evidence, 0, reason))
    return out


def merge_values(values: Iterable[Any]) -> Any:
    """Lists are concatenated without duplicates; otherwise the first page's value wins."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    if all(isinstance(v, list) for v in values):
        seen: set[str] = set()
        merged = []
        for v in values:
            for item in v:
                key = json.dumps(item, sort_keys=True, default=str)
                if key not in seen:
                    seen.add(key)
                    merged.append(item)
        return merged
    return values[0]


def _site_crawled(statuses: Mapping[str, str]) -> bool:
    """A site none of whose checks could run was not crawled: no coverage at all (checks
    that do not apply to it say nothing either way)."""
    return not (statuses and all(s in ("error", NOT_APPLICABLE) for s in statuses.values()))


def _element_state(element: Element, statuses: Mapping[str, str], axe: bool | None) -> str:
    if not element.checks:  # the audit's element
        return "not_measured" if axe is None else ("found" if axe else "missing")
    states = [statuses.get(c, "error") for c in element.checks]
    if "found" in states:
        return "found"
    applicable = [s for s in states if s != "not_applicable"]
    if not applicable:
        return "not_applicable"
    return "error" if "error" in applicable else "missing"


def engagement_coverage(
    engagement: int,
    statuses: Mapping[str, str],
    a11y_value: Any = None,
    no_critical_axe: bool | None = None,
) -> Coverage:
    """The :class:`Coverage` of ``engagement`` (2 or 3) from a site's check statuses.

    A placeholder accessibility mention (``a11y_value == "placeholder"``) never counts as
    found; ``no_critical_axe`` is the audit's element (``None``: no page audited).
    """
    statuses = dict(statuses)
    if a11y_value == "placeholder" and statuses.get("a11y_mention") == "found":
        statuses["a11y_mention"] = "absent"
    return Coverage(
        engagement,
        tuple(
            ElementState(e, _element_state(e, statuses, no_critical_axe))
            for e in COVERAGE_ELEMENTS[engagement]
        ),
        crawled=_site_crawled(statuses),
    )


def engagement_2(statuses: Mapping[str, str]) -> float | None:
    return engagement_coverage(2, statuses).ratio


def engagement_3(
    statuses: Mapping[str, str], a11y_value: Any = None, no_critical_axe: bool | None = None
) -> float | None:
    """Engagement 3; a placeholder accessibility mention never counts as found."""
    return engagement_coverage(3, statuses, a11y_value, no_critical_axe).ratio


IMPACTS = ("critical", "serious", "moderate", "minor")


def audit_summary(audit_rows: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """A site's accessibility audit from its pages' audit records; ``None`` if none ran.

    Counted in distinct axe rules over the site's audited pages (a rule failing on five
    pages is one problem to fix, and sites audited on more pages stay comparable), by
    impact and by RGAA theme; violations and needs-review apart, never merged. Pages whose
    audit failed are listed in ``errors`` and count in neither. ``no_critical`` is the
    engagement 3 element "no critical axe violation on audited pages" (``None`` when no
    page could be audited: not measured is not a pass).
    """
    rows = list(audit_rows)
    if not rows:
        return None
    ok = [r for r in rows if r.get("error") is None]
    summary: dict[str, Any] = {
        "axe_version": next((r["axe_version"] for r in rows if r.get("axe_version")), None),
        "pages_audited": len(ok),
        "errors": [{"url": r["url"], "error": r["error"]} for r in rows if r.get("error")],
    }
    for kind in ("violations", "needs_review"):
        rules: dict[str, Mapping[str, Any]] = {}
        for r in ok:
            for rule in r.get(kind) or ():
                rules.setdefault(rule["id"], rule)
        by_impact = dict.fromkeys(IMPACTS, 0)
        by_theme: dict[str, int] = {}
        for rule in rules.values():
            impact = rule.get("impact") or "unknown"
            by_impact[impact] = by_impact.get(impact, 0) + 1
            for theme in sorted({str(c["theme"]) for c in rule.get("criteria") or ()}):
                by_theme[theme] = by_theme.get(theme, 0) + 1
        summary[kind] = {"rules": sorted(rules), "by_impact": by_impact, "by_theme": by_theme}
    criteria: dict[str, Mapping[str, Any]] = {}
    for r in ok:
        for c in r.get("criteria_violated") or ():
            criteria.setdefault(c["criterion"], c)
    summary["criteria_violated"] = [
        criteria[k] for k in sorted(criteria, key=lambda c: tuple(int(p) for p in c.split(".")))
    ]
    summary["no_critical"] = summary["violations"]["by_impact"]["critical"] == 0 if ok else None
    return summary


def site_outcome(pages: int, errors: Sequence[Mapping[str, Any]]) -> tuple[str, str | None]:
    """A site's status in a run, ``ok`` or ``error``, and why it is in error.

    A site with no page read is in error, with the reason of its home page's failure (the
    first failure met otherwise): "down", "robots.txt forbids"… is what its row must say.
    """
    if pages:
        return "ok", None
    home = [e for e in errors if e.get("is_home")] or list(errors)
    if not home:
        return "error", "aucune page récupérée"
    return "error", f"{home[0]['reason']} ({home[0]['url']})"


#: Why a rendered check has no site-level figure when no page of the site was rendered.
NOT_RENDERED = "non mesuré : aucune page du site rendue (audit non réalisé)"


def aggregate_rendered(
    rows: Iterable[Mapping[str, Any]], pages_checked: int, site_error: str | None = None
) -> list[SiteCheck]:
    """Site-level results of the rendered checks (``checks/rendered.py``) from the
    findings of the site's rendered pages (``check_id``, ``status``, ``value``,
    ``evidence``, ``error``, ``url``), shallowest pages first.

    Not the "found on any page" rule of :func:`aggregate`: each is a figure of the pages
    the audit rendered.

    * ``ecoindex``: the median of the pages' scores and its grade
      (:func:`checks.ecoindex.site_median`), ``found`` once a page was measured;
    * ``mobile_ready``: ``found`` when every measured page is ready for mobiles, ``absent``
      when one is not (the value counts them and lists the pages that are not);
    * ``plain_language``: the medians of the pages' readability figures, an indicator
      (``found``: measured); pages with too little text are not counted.

    A site no page of which was rendered, or whose rendered pages all failed, reads
    ``error`` with why — never ``absent``.
    """
    from checks.ecoindex import site_median
    from checks.plain_language import kandel_moles_band, lix_band
    from checks.rendered import RENDERED_CHECK_IDS

    by_check: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_check.setdefault(row["check_id"], []).append(row)
    out = []
    for check_id in RENDERED_CHECK_IDS:
        if pages_checked == 0:
            reason = site_error or "aucune page récupérée"
            out.append(SiteCheck(check_id, "error", None, None, 0, reason))
            continue
        mine = by_check.get(check_id, [])
        measured = [r for r in mine if r["status"] != "error"]
        errors = [r for r in mine if r["status"] == "error"]
        if not mine:
            out.append(SiteCheck(check_id, "error", None, None, 0, NOT_RENDERED))
            continue
        if not measured:
            reason = f"{len(errors)} page(s) rendue(s) en erreur : {errors[0]['error']}"
            out.append(SiteCheck(check_id, "error", None, None, 0, reason))
            continue
        found = [r for r in measured if r["status"] == "found"]
        if check_id == "ecoindex":
            value = site_median(r["value"]["score"] for r in found)
            evidence = [e for r in found for e in (r["evidence"] or [])][:MAX_EVIDENCE]
            out.append(SiteCheck(check_id, "found", value, evidence, len(found)))
        elif check_id == "mobile_ready":
            not_ready = [r for r in measured if r["status"] != "found"]
            value = {
                "pages_ready": len(found),
                "pages_measured": len(measured),
                "not_ready": [r.get("url") for r in not_ready],
            }
            shown = not_ready or found
            evidence = [e for r in shown for e in (r["evidence"] or [])][:MAX_EVIDENCE]
            status = "absent" if not_ready else "found"
            out.append(SiteCheck(check_id, status, value, evidence, len(found)))
        else:  # plain_language
            if not found:
                reason = f"non mesuré : texte trop court sur les {len(measured)} page(s) rendue(s)"
                out.append(SiteCheck(check_id, "error", None, None, 0, reason))
                continue
            value = {
                key: _median([r["value"][key] for r in found])
                for key in ("kandel_moles", "lix", "words_per_sentence", "long_word_share")
            }
            value["band"] = kandel_moles_band(value["kandel_moles"])
            value["lix_band"] = lix_band(value["lix"])
            value["pages"] = len(found)
            evidence = [e for r in found for e in (r["evidence"] or [])][:MAX_EVIDENCE]
            out.append(SiteCheck(check_id, "found", value, evidence, len(found)))
    return out


def _median(values: Sequence[float]) -> float:
    import statistics

    return round(float(statistics.median(values)), 2)
