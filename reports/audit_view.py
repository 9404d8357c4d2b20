"""The accessibility-audit section of a site page: axe results regrouped by RGAA criterion.

The audit is stored by the crawl (``crawler/audit.py``), one record per audited page, in
the shape of ``AuditResult.to_dict()``: ``url``, ``error``, ``axe_version``,
``violations`` and ``needs_review`` — lists of rules ``{id, impact, help, helpUrl, rgaa,
criteria: [{criterion, title, theme, theme_title}], nodes: [{target, html}]}``. This module
reads those records through ``Store.audits_of_run(run_id)`` when the store has it (the
audit tables come with issue 3) and says "audit non réalisé" otherwise.

A web team fixes criteria, not axe rule ids: violations, then needs-review (never merged),
are grouped by RGAA criterion with its title, the pages concerned and the elements (CSS
selector and HTML snippet). Rules that axe maps to no RGAA test are grouped last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reports.axe_texts import rule_help
from reports.standards import criterion_url

MAX_ELEMENTS = 15
IMPACT_LABELS = {
    "critical": "critique",
    "serious": "sérieux",
    "moderate": "modéré",
    "minor": "mineur",
}
COVERAGE_NOTICE = (
    "Les tests automatiques ne couvrent qu'une partie du RGAA, au mieux environ un tiers "
    "des critères : l'absence de violation ne signifie pas que le site est conforme, et "
    "aucun taux de conformité n'est calculé à partir de ces résultats."
)


@dataclass(slots=True)
class Element:
    page: str
    target: str
    html: str


@dataclass(slots=True)
class CriterionIssues:
    """One RGAA criterion (or ``criterion=None``: rules outside the RGAA) and its rules."""

    criterion: str | None
    title: str
    theme_title: str | None
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    more_elements: int = 0

    @property
    def url(self) -> str | None:
        """The criterion's page in the official RGAA method."""
        return criterion_url(self.criterion) if self.criterion else None


@dataclass(slots=True)
class AuditView:
    """The audit of one site: pages audited or failed, and the grouped results.

    The counts a page shows (rules by impact, criteria) are not here: they are the
    findings table's (:mod:`reports.table`), so that every view counts the same way.
    """

    axe_version: str | None
    pages_audited: list[tuple[str, str | None]]  # (url, why it was sampled)
    pages_failed: list[tuple[str, str]]
    violations: list[CriterionIssues]
    needs_review: list[CriterionIssues]

    @property
    def criteria_violated(self) -> list[dict[str, Any]]:
        return [
            {"criterion": c.criterion, "title": c.title}
            for c in self.violations
            if c.criterion is not None
        ]


def load_audits(store: Any, run_id: int) -> dict[str, list[dict[str, Any]]] | None:
    """Audit records of the run by site; ``None`` when the run has no audit at all.

    ``None`` covers both a store without audit tables and a run crawled without audit
    (``--no-audit``): the site pages then say the audit was not carried out.
    """
    reader = getattr(store, "audits_of_run", None)
    if reader is None:
        return None
    by_site: dict[str, list[dict[str, Any]]] = {}
    for record in reader(run_id):
        by_site.setdefault(str(record.get("site_id")), []).append(dict(record))
    return by_site or None


def _criteria_of(rule: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rule's criteria, as stored, or mapped from axe's tags when only tags are kept."""
    if rule.get("criteria") is not None:
        return list(rule["criteria"])
    if rule.get("tags"):
        from checks import rgaa  # the audit's own mapping, when records keep raw tags

        return rgaa.violated_criteria([rule])
    return []


def _sort_key(issue: CriterionIssues) -> tuple[int, tuple[int, ...]]:
    if issue.criterion is None:
        return (1, ())
    try:
        return (0, tuple(int(p) for p in issue.criterion.split(".")))
    except ValueError:
        return (0, (999,))


def group_rules(pages: Iterable[tuple[str, Iterable[Mapping[str, Any]]]]) -> list[CriterionIssues]:
    """Group ``(page url, rules)`` by RGAA criterion, criteria in RGAA order."""
    groups: dict[str | None, CriterionIssues] = {}
    for page, rules in pages:
        for rule in rules:
            criteria = _criteria_of(rule) or [
                {"criterion": None, "title": "Hors RGAA (bonnes pratiques axe-core)"}
            ]
            for crit in criteria:
                key = crit.get("criterion")
                issue = groups.get(key)
                if issue is None:
                    title = crit.get("title") or "Critère sans intitulé connu"
                    issue = groups[key] = CriterionIssues(key, title, crit.get("theme_title"))
                help_text, help_lang = rule_help(rule)
                issue.rules.setdefault(
                    str(rule.get("id")),
                    {
                        "id": rule.get("id"),
                        "help": help_text,
                        "help_lang": help_lang,
                        "help_url": rule.get("helpUrl"),
                        "impact": IMPACT_LABELS.get(str(rule.get("impact")), "—"),
                    },
                )
                if page not in issue.pages:
                    issue.pages.append(page)
                for node in rule.get("nodes") or ():
                    if len(issue.elements) >= MAX_ELEMENTS:
                        issue.more_elements += 1
                        continue
                    target = node.get("target") or []
                    if isinstance(target, list):
                        target = " › ".join(
                            " ".join(map(str, t)) if isinstance(t, list) else str(t) for t in target
                        )
                    issue.elements.append(Element(page, str(target), str(node.get("html") or "")))
    return sorted(groups.values(), key=_sort_key)


def audit_view(records: list[dict[str, Any]] | None) -> AuditView | None:
    """The site's :class:`AuditView`, ``None`` when the site was not audited."""
    if not records:
        return None
    ok = [r for r in records if not r.get("error")]
    failed = [(str(r.get("url")), str(r.get("error"))) for r in records if r.get("error")]
    version = next((r.get("axe_version") for r in records if r.get("axe_version")), None)
    return AuditView(
        axe_version=version,
        pages_audited=[(str(r.get("url")), r.get("reason")) for r in ok],
        pages_failed=failed,
        violations=group_rules((str(r.get("url")), r.get("violations") or ()) for r in ok),
        needs_review=group_rules((str(r.get("url")), r.get("needs_review") or ()) for r in ok),
    )
