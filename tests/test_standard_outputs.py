"""The standard formats Vigie writes, each read back by a reader of that format (issue 16
point 3): ``inspect --json`` against its JSON Schema, EARL by an RDF (JSON-LD) parser, SARIF
by SARIF's object model, JUnit XML by a JUnit reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import rdflib
from junitparser import JUnitXml
from sarif_pydantic import Sarif
from support import ROOT, vigie

from checks import CHECK_IDS
from crawler.seeds import Seed
from crawler.store import Store
from reports.standards import earl, junit, sarif

SCHEMA = json.loads((ROOT / "docs" / "schemas" / "inspect.schema.json").read_text("utf-8"))

#: One page's audit record as Vigie stores it: two violations (three elements), one rule
#: to review.
RECORD = {
    "url": "https://www.mairie-exemple.fr/",
    "final_url": "https://www.mairie-exemple.fr/",
    "status": 200,
    "axe_version": "4.12.1",
    "error": None,
    "duration_s": 1.2,
    "violations": [
        {
            "id": "image-alt",
            "impact": "critical",
            "help": "Images must have alternative text",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/image-alt",
            "rgaa": ["RGAA-1.1.1"],
            "criteria": [{"criterion": "1.1", "title": "…", "theme": 1, "theme_title": "Images"}],
            "nodes": [
                {"target": ["img.logo"], "html": "<img class='logo' src='l.png'>"},
                {"target": [["iframe#carte", "img"]], "html": "<img src='c.png'>"},
            ],
        },
        {
            "id": "html-has-lang",
            "impact": "serious",
            "help": "<html> element must have a lang attribute",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/html-has-lang",
            "rgaa": ["RGAA-8.3.1"],
            "criteria": [{"criterion": "8.3", "title": "…", "theme": 8, "theme_title": "…"}],
            "nodes": [{"target": ["html"], "html": "<html>"}],
        },
    ],
    "needs_review": [
        {
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/color-contrast",
            "rgaa": ["RGAA-3.2.1"],
            "criteria": [{"criterion": "3.2", "title": "…", "theme": 3, "theme_title": "…"}],
            "nodes": [{"target": ["p.bandeau"], "html": "<p class='bandeau'>"}],
        }
    ],
}
FAILED_AUDIT = {"url": "https://www.autre.fr/", "axe_version": "4.12.1", "error": "Délai dépassé"}

EARL = rdflib.Namespace("http://www.w3.org/ns/earl#")


def test_inspect_json_follows_its_published_schema(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html lang='fr'><head><title>T</title></head><body><p>Tél. 01 23 45 67 89</p>"
        "<p>Infos : 0892 12 34 56</p></body></html>",
        encoding="utf-8",
    )
    proc = vigie("inspect", str(page), "--base-url", "https://m.fr/", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    jsonschema.validate(out, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert set(out["checks"]) == set(CHECK_IDS)
    assert out["tool"]["name"] == "vigie" and out["tool"]["version"]
    assert out["axe_version"] is None
    assert out["checks"]["premium_phone"] == {
        **out["checks"]["premium_phone"],
        "found": True,
        "bad_when_found": True,
        "engagement": 2,
    }
    assert out["checks"]["a11y_mention"]["engagement"] == 3
    broken = {**out, "checks": {"phone": {"found": "oui"}}}
    with pytest.raises(jsonschema.ValidationError):  # the schema does constrain
        jsonschema.validate(broken, SCHEMA)


def test_earl_is_rdf_with_one_assertion_per_rule_and_page():
    graph = rdflib.Graph().parse(
        data=json.dumps(earl([RECORD, FAILED_AUDIT], "0.1.0")), format="json-ld"
    )
    outcomes = sorted(
        str(o).rsplit("#", 1)[1]
        for o in graph.query(
            "SELECT ?o WHERE { ?a a earl:Assertion ; earl:result ?r . ?r earl:outcome ?o }",
            initNs={"earl": EARL},
        ).bindings
        for o in o.values()
    )
    assert outcomes == ["cantTell", "failed", "failed", "untested"]
    subjects = {str(s) for s in graph.subjects(rdflib.RDF.type, EARL.TestSubject)}
    assert subjects == {RECORD["url"], FAILED_AUDIT["url"]}
    assert set(graph.subjects(rdflib.RDF.type, EARL.Software))  # the assertor: Vigie
    pointers = list(
        graph.query(
            "SELECT ?e WHERE { ?r earl:pointer ?p . ?p <http://www.w3.org/2009/pointers#"
            "expression> ?e }",
            initNs={"earl": EARL},
        )
    )
    assert len(pointers) == 4  # one per element of each rule


def test_sarif_is_read_by_sarif_s_object_model():
    log = Sarif.model_validate(sarif([RECORD, FAILED_AUDIT], "0.1.0"))
    [run] = log.runs
    assert run.tool.driver.name == "Vigie"
    assert [rule.id for rule in run.tool.driver.rules] == [
        "image-alt",
        "html-has-lang",
        "color-contrast",
    ]
    results = run.results
    assert [r.rule_id for r in results] == [
        "image-alt",
        "image-alt",
        "html-has-lang",
        "color-contrast",
    ]
    data = sarif([RECORD], "0.1.0")["runs"][0]["results"]
    assert [r["level"] for r in data] == ["error", "error", "error", "note"]
    assert [r["kind"] for r in data] == ["fail", "fail", "fail", "review"]
    assert data[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "iframe#carte img"
    )
    assert run.invocations[0].execution_successful is False  # the failed audit is said


def test_junit_is_read_by_a_junit_reader(tmp_path):
    path = tmp_path / "r.xml"
    path.write_text(junit("vigie inspect", [("a", None), ("b", "b : absent")]), "utf-8")
    xml = JUnitXml.fromfile(str(path))
    [suite] = list(xml)
    cases = {case.name: case for case in suite}
    assert suite.tests == 2 and suite.failures == 1
    assert cases["a"].is_passed and not cases["b"].is_passed
    assert cases["b"].result[0].message == "b : absent"


def test_vigie_export_writes_a_run_s_audits(tmp_path):
    from crawler.aggregation import finish_run

    db = f"sqlite:///{tmp_path / 'v.db'}"
    store = Store(db)
    run_id = store.start_run([Seed("m", "Mairie", RECORD["url"], "mairie")])
    store.write_audit(run_id, "m", None, "accueil", RECORD)
    finish_run(store, run_id)
    out = tmp_path / "audits.sarif"
    proc = vigie("export", "--db", db, "--format", "sarif", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(Sarif.model_validate(json.loads(out.read_text("utf-8"))).runs[0].results) == 4
    earl_out = vigie("export", "--db", db, "--format", "earl", "-o", "-")
    assert earl_out.returncode == 0
    graph = rdflib.Graph().parse(data=earl_out.stdout, format="json-ld")
    assert len(set(graph.subjects(rdflib.RDF.type, EARL.Assertion))) == 3


def test_inspect_render_writes_sarif_earl_and_a_failing_junit(tmp_path):
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("chromium absent (paquet Debian « chromium »)")
    page = tmp_path / "p.html"
    page.write_text(
        "<!doctype html><html lang='fr'><head><title>Accueil</title></head><body><main>"
        "<h1>Mairie</h1><img src='logo.png'><p>Tél. 01 23 45 67 89</p></main></body></html>",
        encoding="utf-8",
    )
    files = {name: tmp_path / name for name in ("a.sarif", "a.jsonld", "r.xml")}
    proc = vigie(
        "inspect",
        str(page),
        "--render",
        "--sarif",
        str(files["a.sarif"]),
        "--earl",
        str(files["a.jsonld"]),
        "--fail-on",
        "critical",
        "--fail-on",
        "phone",
        "--junit",
        str(files["r.xml"]),
    )
    assert proc.returncode == 5, proc.stderr  # image-alt is critical
    log = Sarif.model_validate(json.loads(files["a.sarif"].read_text("utf-8")))
    assert "image-alt" in [rule.id for rule in log.runs[0].tool.driver.rules]
    rdflib.Graph().parse(data=files["a.jsonld"].read_text("utf-8"), format="json-ld")
    [suite] = list(JUnitXml.fromfile(str(files["r.xml"])))
    outcome = {case.name: case.is_passed for case in suite}
    assert outcome == {
        "vérification phone trouvée": True,
        "aucune règle axe d'impact critical ou plus grave": False,
    }
