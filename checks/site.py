"""From page results to the site level, and the engagement coverage figures (CHECKS.md).

Pure functions over plain rows, so that the store, the findings table and the tests share
one definition of "found on the site" and of coverage.

Site level: ``found`` if found on any crawled page (best evidence kept: the shallowest
pages first); otherwise ``error`` if the check could not run on some page, or if the site
itself could not be crawled; otherwise ``absent``. A failed crawl never reads as "absent".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks import CHECK_IDS

MAX_EVIDENCE = 3

#: Engagement 2: one element each; ``email`` or ``contact_form`` count as one.
ENGAGEMENT_2: tuple[tuple[str, ...], ...] = (
    ("phone",),
    ("email", "contact_form"),
    ("opening_hours",),
    ("appointment",),
    ("address",),
    ("service_public_link",),
)
#: Engagement 3 checks; "no critical axe violation on audited pages" is added when audited.
ENGAGEMENT_3: tuple[tuple[str, ...], ...] = (
    ("a11y_mention",),
    ("a11y_statement",),
    ("faq",),
    ("mediator",),
    ("accessible_phone",),
)


@dataclass(frozen=True, slots=True)
class SiteCheck:
    check_id: str
    status: str  # found / absent / error
    value: Any
    evidence: list[dict[str, Any]] | None
    pages_found: int
    error: str | None = None


def aggregate(
    rows: Iterable[Mapping[str, Any]],
    pages_checked: int,
    site_error: str | None = None,
    check_ids: Iterable[str] = CHECK_IDS,
) -> list[SiteCheck]:
    """Site-level result of every check from page-level rows.

    ``rows`` are the stored page findings (``check_id``, ``status``, ``value``,
    ``evidence``, ``error``), shallowest pages first. ``pages_checked`` is the number of
    pages the checks ran on; with none, every check is ``error`` with ``site_error``.
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


def _element_found(statuses: Mapping[str, str], group: tuple[str, ...]) -> bool:
    return any(statuses.get(c) == "found" for c in group)


def coverage(
    statuses: Mapping[str, str],
    groups: tuple[tuple[str, ...], ...],
    extra: Iterable[bool | None] = (),
) -> float | None:
    """Share of ``groups`` found (0..1); ``None`` when the site could not be crawled.

    ``extra`` adds elements that are not checks (the axe element of engagement 3);
    ``None`` in it means "not measured" and leaves the element out.
    """
    if statuses and all(s == "error" for s in statuses.values()):
        return None
    hits = [_element_found(statuses, g) for g in groups]
    hits.extend(x for x in extra if x is not None)
    return sum(hits) / len(hits) if hits else None


def engagement_2(statuses: Mapping[str, str]) -> float | None:
    return coverage(statuses, ENGAGEMENT_2)


def engagement_3(
    statuses: Mapping[str, str], a11y_value: Any = None, no_critical_axe: bool | None = None
) -> float | None:
    """Engagement 3; a placeholder accessibility mention never counts as found."""
    statuses = dict(statuses)
    if a11y_value == "placeholder":
        statuses["a11y_mention"] = "absent"
    return coverage(statuses, ENGAGEMENT_3, extra=(no_critical_axe,))


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
