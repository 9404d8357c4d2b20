"""Relate axe-core results to the RGAA 4.1.2 (pure functions, no I/O beyond package data).

axe-core ≥ 4.11 tags the rules it maps to the RGAA with ``RGAAv4`` and one tag per RGAA
test, ``RGAA-<theme>.<criterion>.<test>`` (e.g. ``RGAA-1.1.1``). This module turns those
tags into criteria with their French titles, and reduces an ``axe.run`` result to what Vigie
stores and reports: violations and needs-review (axe "incomplete") kept apart, never merged,
with per-page counts by impact and by RGAA theme and the criteria with at least one
violation.

Automated tests cover only part of the RGAA (about a third of the criteria at best): a page
without violation is not "conforme", and no "taux de conformité" may be computed from this
(CHECKS.md, "Accessibility audit"). :data:`COVERAGE_NOTICE` says it in French for reports.

Criteria data: ``checks/data/rgaa-4.1.2-criteres.json`` is a byte-identical copy of
``../shared/reference/rgaa-4.1.2-criteres.json``, i.e. the RGAA 4.1.2 ``criteres.json``
published by the DINUM (Direction interministérielle du numérique) in the repository
DISIC/accessibilite.numerique.gouv.fr (folder ``RGAA/``), under the Licence Ouverte 2.0
(Etalab): reuse allowed with attribution — "Source : DINUM, RGAA 4.1.2".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from checks.result import clip

CRITERIA_FILE = "rgaa-4.1.2-criteres.json"
RGAA_ATTRIBUTION = "Source : DINUM, RGAA 4.1.2 (Licence Ouverte 2.0)"
COVERAGE_NOTICE = (
    "Les tests automatiques (axe-core) ne couvrent qu’une partie du RGAA, au mieux environ "
    "un tiers des critères : l’absence de violation ne signifie pas que la page est "
    "conforme, et aucun taux de conformité n’est calculé à partir de ces résultats."
)

IMPACTS = ("critical", "serious", "moderate", "minor")
UNKNOWN_IMPACT = "unknown"
NO_THEME = "hors_rgaa"  # by_theme key of rules that axe does not map to any RGAA test
HTML_SNIPPET_MAX = 200

_TEST_TAG = re.compile(r"^RGAA-(\d+)\.(\d+)\.(\d+)$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SPACES = re.compile(r"[ \t\r\n]+")


def plain_title(markdown: str) -> str:
    """Strip the RGAA's Markdown (glossary links, code spans) so titles read as plain text.

    The JSON titles link glossary entries (``[image porteuse d’information](#…)``); reports
    and the findings table want the sentence a person reads, escaped later by the renderer.
    """
    text = _MD_LINK.sub(r"\1", markdown).replace("`", "")
    return _SPACES.sub(" ", text).strip(" ")  # keeps French non-breaking spaces


@cache
def criteria() -> dict[str, dict[str, Any]]:
    """All RGAA criteria by number (``"1.1"``), loaded once from the shipped JSON.

    Each value: ``{criterion, title, theme, theme_title, tests}`` where ``tests`` maps the
    test number (``"1.1.1"``) to its plain-text title (first line of the test).
    """
    raw = resources.files("checks").joinpath("data", CRITERIA_FILE).read_text("utf-8")
    data = json.loads(raw)
    out: dict[str, dict[str, Any]] = {}
    for topic in data["topics"]:
        theme = int(topic["number"])
        for item in topic["criteria"]:
            crit = item["criterium"]
            number = f"{theme}.{crit['number']}"
            tests = {}
            for test_no, lines in crit.get("tests", {}).items():
                first = lines[0] if isinstance(lines, list) else lines
                tests[f"{number}.{test_no}"] = plain_title(first)
            out[number] = {
                "criterion": number,
                "title": plain_title(crit["title"]),
                "theme": theme,
                "theme_title": topic["topic"],
                "tests": tests,
            }
    return out


@cache
def themes() -> dict[int, str]:
    """The 13 RGAA themes, number → French title (``1 → "Images"``)."""
    return {c["theme"]: c["theme_title"] for c in criteria().values()}


def parse_test_tag(tag: str) -> tuple[int, int, int] | None:
    """``"RGAA-1.1.1"`` → ``(1, 1, 1)``; ``None`` for any other tag (``RGAAv4``, ``wcag2a``…)."""
    match = _TEST_TAG.match(tag)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def rgaa_tags(tags: Iterable[str]) -> list[str]:
    """The RGAA test tags of an axe rule, in axe's order, without duplicates."""
    seen: dict[str, None] = {}
    for tag in tags:
        if parse_test_tag(tag) is not None:
            seen.setdefault(tag, None)
    return list(seen)


def map_rule(tags: Iterable[str]) -> list[dict[str, Any]]:
    """Map an axe rule's tags to RGAA tests: ``[{test, criterion, title, theme, theme_title}]``.

    ``test`` is the test number (``"1.1.1"``), ``title`` the criterion's title. A tag whose
    criterion is not in RGAA 4.1.2 (a newer axe mapping, say) is kept with ``title`` and
    ``theme_title`` set to ``None`` rather than dropped, so that nothing axe says is lost.
    """
    table = criteria()
    out = []
    for tag in rgaa_tags(tags):
        parsed = parse_test_tag(tag)
        if parsed is None:  # cannot happen: rgaa_tags keeps parsable tags only
            continue
        theme, crit, test = parsed
        number = f"{theme}.{crit}"
        known = table.get(number)
        out.append(
            {
                "test": f"{number}.{test}",
                "criterion": number,
                "title": known["title"] if known else None,
                "theme": theme,
                "theme_title": known["theme_title"] if known else themes().get(theme),
            }
        )
    return out


def _criteria_of(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct criteria of a list of mapped tests, in first-seen order."""
    seen: dict[str, dict[str, Any]] = {}
    for t in tests:
        seen.setdefault(
            t["criterion"],
            {k: t[k] for k in ("criterion", "title", "theme", "theme_title")},
        )
    return list(seen.values())


def summarize_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """One axe rule result → ``{id, impact, help, helpUrl, rgaa, criteria, nodes}``.

    ``nodes`` keep only what a web team needs to find the element: the CSS selector path
    (``target``, a list because of frames and shadow roots) and an HTML snippet clipped to
    about 200 characters.
    """
    tests = map_rule(rule.get("tags") or ())
    nodes = [
        {"target": node.get("target", []), "html": clip(node.get("html") or "", HTML_SNIPPET_MAX)}
        for node in rule.get("nodes") or ()
    ]
    return {
        "id": rule["id"],
        "impact": rule.get("impact"),
        "help": rule.get("help"),
        "helpUrl": rule.get("helpUrl"),
        "rgaa": [f"RGAA-{t['test']}" for t in tests],
        "criteria": _criteria_of(tests),
        "nodes": nodes,
    }


def count(rules: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts for one result type: rules and nodes, rules by impact and by RGAA theme.

    Counted in rules (one axe rule failing on a page counts once, whatever its number of
    nodes) so that a page with 40 images without ``alt`` does not outweigh everything
    else; ``nodes`` gives the number of elements. A rule mapped to several themes counts
    once in each; a rule without RGAA tag counts under ``"hors_rgaa"``.
    """
    by_impact = dict.fromkeys(IMPACTS, 0)
    by_theme: dict[str, int] = {}
    n_rules = n_nodes = 0
    for rule in rules:
        n_rules += 1
        n_nodes += len(rule.get("nodes") or ())
        impact = rule.get("impact") or UNKNOWN_IMPACT
        by_impact[impact] = by_impact.get(impact, 0) + 1
        rule_themes = {str(t["theme"]) for t in map_rule(rule.get("tags") or ())} or {NO_THEME}
        for theme in sorted(rule_themes):
            by_theme[theme] = by_theme.get(theme, 0) + 1
    return {"rules": n_rules, "nodes": n_nodes, "by_impact": by_impact, "by_theme": by_theme}


def violated_criteria(violations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """RGAA criteria with at least one violation, sorted by theme then criterion number."""
    tests = [t for rule in violations for t in map_rule(rule.get("tags") or ())]
    found = _criteria_of(tests)
    return sorted(found, key=lambda c: tuple(int(p) for p in c["criterion"].split(".")))


def summarize(axe_results: Mapping[str, Any]) -> dict[str, Any]:
    """Reduce one page's ``axe.run`` result to Vigie's audit record.

    Takes axe's own shape (``violations`` and ``incomplete`` lists of rule results with
    ``id, impact, tags, help, helpUrl, nodes``; other keys are ignored) and returns::

        {"violations": [rule…], "needs_review": [rule…],
         "counts": {"violations": {...}, "needs_review": {...}},
         "criteria_violated": [{criterion, title, theme, theme_title}…]}

    Violations and needs-review stay two separate lists with separate counts: a rule that
    axe could not decide is not a failure, and a failure is never hidden among doubts.
    """
    violations = list(axe_results.get("violations") or ())
    incomplete = list(axe_results.get("incomplete") or ())
    return {
        "violations": [summarize_rule(r) for r in violations],
        "needs_review": [summarize_rule(r) for r in incomplete],
        "counts": {"violations": count(violations), "needs_review": count(incomplete)},
        "criteria_violated": violated_criteria(violations),
    }
