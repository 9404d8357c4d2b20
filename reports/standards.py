"""Accessibility results in the formats other tools read: W3C EARL, SARIF, JUnit XML.

* **EARL** (Evaluation and Report Language, W3C, as JSON-LD): the W3C's format for
  evaluation results, read by accessibility dashboards and the ACT rules' test harness;
  one assertion per axe rule and page (``earl:failed`` for a violation, ``earl:cantTell``
  for "needs review", ``earl:untested`` for a page whose audit failed).
* **SARIF 2.1.0** (OASIS): what code-scanning dashboards (GitHub, GitLab, Azure DevOps)
  show; one result per rule, page and element, the rule's RGAA criteria in its properties.
* **JUnit XML**: what every CI server shows as test results; one test case per condition
  of ``vigie inspect --fail-on``.

Input is Vigie's audit record as stored and printed (``AuditResult.to_dict()``: ``url``,
``axe_version``, ``error``, ``violations`` and ``needs_review`` rule lists with ``id``,
``impact``, ``help``, ``helpUrl``, ``criteria``, ``nodes[{target, html}]``). Automated
tests cover only part of the RGAA: no format here says "passed" for a page, since axe's
passes are not kept; each says which tool and axe version produced it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

INFORMATION_URI = "https://github.com/vigie-services-publics/vigie"
#: The official RGAA method: one anchor per criterion (``#1.1``).
RGAA_CRITERION_URL = "https://accessibilite.numerique.gouv.fr/methode/criteres-et-tests/#{}"
#: axe impacts read as SARIF levels: what blocks users is an error.
SARIF_LEVELS = {"critical": "error", "serious": "error", "moderate": "warning", "minor": "note"}

Record = Mapping[str, Any]


def criterion_url(criterion: str) -> str:
    return RGAA_CRITERION_URL.format(criterion)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _selector(target: Sequence[Any]) -> str:
    """axe's target (a list: frames and shadow roots) as one selector path."""
    return " >>> ".join(
        " ".join(str(t) for t in part) if isinstance(part, list) else str(part) for part in target
    )


# -- EARL ---------------------------------------------------------------------------------

EARL_CONTEXT: dict[str, Any] = {
    "earl": "http://www.w3.org/ns/earl#",
    "dct": "http://purl.org/dc/terms/",
    "sch": "https://schema.org/",
    "ptr": "http://www.w3.org/2009/pointers#",
    "assertedBy": {"@id": "earl:assertedBy", "@type": "@id"},
    "subject": "earl:subject",
    "test": "earl:test",
    "result": "earl:result",
    "mode": {"@id": "earl:mode", "@type": "@id"},
    "outcome": {"@id": "earl:outcome", "@type": "@id"},
    "pointer": "earl:pointer",
    "info": "earl:info",
    "title": "dct:title",
    "description": "dct:description",
    "date": "dct:date",
    "source": {"@id": "dct:source", "@type": "@id"},
    "isPartOf": {"@id": "dct:isPartOf", "@type": "@id"},
    "hasVersion": "dct:hasVersion",
    "expression": "ptr:expression",
}


def earl(records: Iterable[Record], tool_version: str) -> dict[str, Any]:
    """An EARL report (JSON-LD) of the audits ``records``."""
    records = list(records)
    axe = next((r.get("axe_version") for r in records if r.get("axe_version")), None)
    assertor = {
        "@id": f"{INFORMATION_URI}#vigie-{tool_version}",
        "@type": ["earl:Assertor", "earl:Software"],
        "title": "Vigie",
        "hasVersion": tool_version,
        "description": f"Vigie, audit automatique axe-core {axe or '?'} "
        "(une partie seulement des critères du RGAA)",
    }
    graph: list[dict[str, Any]] = [assertor]
    for record in records:
        subject = {"@id": record["url"], "@type": ["earl:TestSubject", "sch:WebPage"]}
        subject["source"] = record["url"]
        if record.get("error"):
            graph.append(
                _assertion(
                    assertor["@id"],
                    subject,
                    {"@id": f"{INFORMATION_URI}#audit-axe", "@type": "earl:TestCase"},
                    "earl:untested",
                    info=f"audit impossible : {record['error']}",
                )
            )
            continue
        for kind, outcome in (("violations", "earl:failed"), ("needs_review", "earl:cantTell")):
            for rule in record.get(kind) or ():
                graph.append(
                    _assertion(assertor["@id"], subject, _earl_test(rule), outcome, rule=rule)
                )
    return {"@context": EARL_CONTEXT, "@graph": graph}


def _earl_test(rule: Mapping[str, Any]) -> dict[str, Any]:
    test: dict[str, Any] = {
        "@id": rule.get("helpUrl") or f"{INFORMATION_URI}#axe-{rule['id']}",
        "@type": "earl:TestCase",
        "title": rule.get("help") or rule["id"],
    }
    criteria = [criterion_url(c["criterion"]) for c in rule.get("criteria") or ()]
    if criteria:
        test["isPartOf"] = criteria
    return test


def _assertion(
    assertor: str,
    subject: dict[str, Any],
    test: dict[str, Any],
    outcome: str,
    rule: Mapping[str, Any] | None = None,
    info: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {"@type": "earl:TestResult", "outcome": outcome, "date": _now()}
    if rule is not None:
        result["pointer"] = [
            {"@type": "ptr:CSSSelectorPointer", "expression": _selector(node.get("target") or [])}
            for node in rule.get("nodes") or ()
        ]
        result["info"] = f"axe {rule['id']} ({rule.get('impact') or 'impact inconnu'})"
    if info:
        result["info"] = info
    return {
        "@type": "earl:Assertion",
        "assertedBy": assertor,
        "subject": subject,
        "test": test,
        "result": result,
        "mode": "earl:automatic",
    }


# -- SARIF --------------------------------------------------------------------------------


def sarif(records: Iterable[Record], tool_version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the audits ``records`` (one run, Vigie as the tool)."""
    records = list(records)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for record in records:
        if record.get("error"):
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{record['url']} : audit impossible : {record['error']}"},
                }
            )
            continue
        for kind in ("violations", "needs_review"):
            for rule in record.get(kind) or ():
                index = _sarif_rule(rules, rule)
                for node in rule.get("nodes") or [{}]:
                    results.append(_sarif_result(record["url"], rule, index, kind, node))
    axe = next((r.get("axe_version") for r in records if r.get("axe_version")), None)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Vigie",
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                        "properties": {"axeVersion": axe},
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }


def _sarif_rule(rules: dict[str, dict[str, Any]], rule: Mapping[str, Any]) -> int:
    if rule["id"] not in rules:
        criteria = [c["criterion"] for c in rule.get("criteria") or ()]
        entry: dict[str, Any] = {
            "id": rule["id"],
            "shortDescription": {"text": rule.get("help") or rule["id"]},
            "properties": {"rgaa": criteria, "impact": rule.get("impact")},
        }
        if rule.get("helpUrl"):
            entry["helpUri"] = rule["helpUrl"]
        if criteria:
            entry["help"] = {
                "text": "Critères RGAA : " + ", ".join(criteria),
                "markdown": "Critères RGAA : "
                + ", ".join(f"[{c}]({criterion_url(c)})" for c in criteria),
            }
        rules[rule["id"]] = entry
    return list(rules).index(rule["id"])


def _sarif_result(
    url: str, rule: Mapping[str, Any], index: int, kind: str, node: Mapping[str, Any]
) -> dict[str, Any]:
    review = kind == "needs_review"
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": url}}}
    if node.get("html"):
        location["physicalLocation"]["region"] = {"snippet": {"text": node["html"]}}
    if node.get("target"):
        location["logicalLocations"] = [
            {"fullyQualifiedName": _selector(node["target"]), "kind": "element"}
        ]
    prefix = "À vérifier : " if review else ""
    return {
        "ruleId": rule["id"],
        "ruleIndex": index,
        "kind": "review" if review else "fail",
        "level": "note" if review else SARIF_LEVELS.get(rule.get("impact") or "", "warning"),
        "message": {"text": prefix + (rule.get("help") or rule["id"])},
        "locations": [location],
    }


# -- JUnit XML ----------------------------------------------------------------------------


def junit(name: str, cases: Sequence[tuple[str, str | None]], timestamp: str | None = None) -> str:
    """A JUnit XML report: one test case per ``(name, failure message or None)``."""
    failures = sum(1 for _, failure in cases if failure)
    suite = ET.Element(
        "testsuite",
        {
            "name": name,
            "tests": str(len(cases)),
            "failures": str(failures),
            "errors": "0",
            "timestamp": timestamp or _now(),
        },
    )
    for case_name, failure in cases:
        case = ET.SubElement(suite, "testcase", {"classname": "vigie", "name": case_name})
        if failure:
            ET.SubElement(case, "failure", {"message": failure}).text = failure
    suites = ET.Element("testsuites", {"tests": str(len(cases)), "failures": str(failures)})
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


__all__ = ["RGAA_CRITERION_URL", "criterion_url", "dumps", "earl", "junit", "sarif"]
