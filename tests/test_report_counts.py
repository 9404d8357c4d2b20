"""One way to count (issue 13 point 1), coverage that explains itself (13.2), a failed audit
that never reads as zero (12.6), and crawled text that cannot reverse the report's (12.5).

The figures are recomputed here from the store with plain SQL, by the contract's own
definitions (CHECKS.md, "Site level and engagement coverage"), never through the reports'
code, then compared with every view: the table and its exports (CSV, XLSX, JSON), the
overview, the site pages and the terminal summary.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest
from lxml import html
from sqlalchemy import create_engine, text

from checks.site import COVERAGE_ELEMENTS
from crawler.aggregation import finish_run
from crawler.store import Store
from reports.advice import element_label
from reports.bidi import balance, terminal
from reports.html import write_report
from reports.summary import crawl_summary
from reports.table import findings_table

NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
RLO = "\u202e"
BIDI_OPENERS = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"

#: The contract's elements (CHECKS.md), written here again on purpose.
CONTRACT = {
    2: [
        ("phone",),
        ("email", "contact_form"),
        ("opening_hours",),
        ("appointment",),
        ("address",),
        ("service_public_link",),
    ],
    3: [("a11y_mention",), ("a11y_statement",), ("faq",), ("mediator",), ("accessible_phone",)],
}
IMPACTS = ("critical", "serious", "moderate", "minor")
IMPACT_FR = {"critical": "critique", "serious": "sérieux", "moderate": "modéré", "minor": "mineur"}

# -- a store written by hand -----------------------------------------------------------------


def _rule(rule_id: str, impact: str, criterion: str | None) -> dict[str, Any]:
    criteria = (
        [{"criterion": criterion, "title": f"Critère {criterion}", "theme": 1, "theme_title": "T"}]
        if criterion
        else []
    )
    return {
        "id": rule_id,
        "impact": impact,
        "help": f"aide {rule_id}",
        "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/" + rule_id,
        "criteria": criteria,
        "nodes": [{"target": [f".{rule_id}"], "html": f"<p class='{rule_id}'>"}],
    }


def _audit(site: str, path: str, rules: list[dict[str, Any]] | None, error: str | None = None):
    return {
        "site_id": site,
        "url": f"https://{site}.example.fr{path}",
        "axe_version": None if error else "4.12.1",
        "error": error,
        "violations": rules if rules is not None else None,
        "needs_review": [] if rules is not None else None,
        "criteria_violated": [
            {"criterion": c["criterion"], "title": c["title"]}
            for r in rules or []
            for c in r["criteria"]
        ],
    }


def _page(run_id: int, site: str, path: str, title: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "site_id": site,
        "url": f"https://{site}.example.fr{path}",
        "status_code": 200,
        "depth": 0 if path == "/" else 1,
        "bytes": 100,
        "fetched_at": NOW,
        "duration_s": 0.1,
        "rendered": False,
        "js_shell": False,
        "title": title,
        "problems": None,
    }


def _finding(site: str, check_id: str, value: Any = True, status: str = "found"):
    return {
        "check_id": check_id,
        "status": status,
        "value": value,
        "evidence": [
            {"url": f"https://{site}.example.fr/", "xpath": "/html/body/p", "snippet": "vu"}
        ],
        "error": "ValueError: boom" if status == "error" else None,
    }


SITES = {
    # Two critical rules failing on two pages each, one serious rule on one page.
    "commune": f"Mairie {RLO}esrevne emon",
    # Every audit failed: unknown, never 0.
    "caisse": "بلدية الاختبار",
    "panne": "Site en panne",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("comptes")
    db = f"sqlite:///{tmp / 'v.db'}"
    store = Store(db)
    seeds = [
        SimpleNamespace(id=s, name=n, url=f"https://{s}.example.fr/", type="mairie", extra=None)
        for s, n in SITES.items()
    ]
    run_id = store.start_run(seeds, label=f"essai {RLO}lebal")
    commune = [
        (
            _page(run_id, "commune", "/", f"Accueil {RLO}eriam"),
            [
                _finding("commune", "phone", [{"display": "01 23 45 67 89"}]),
                _finding("commune", "contact_form"),
                _finding("commune", "a11y_mention", "placeholder"),
                _finding("commune", "faq", ["https://commune.example.fr/faq"]),
                _finding("commune", "address", status="error"),
            ],
        ),
        (_page(run_id, "commune", "/contact", "Contact"), [_finding("commune", "opening_hours")]),
    ]
    caisse = [
        (
            _page(run_id, "caisse", "/", "الصفحة الرئيسية"),
            [_finding("caisse", "a11y_statement"), _finding("caisse", "mediator")],
        )
    ]
    errors = [
        {
            "run_id": run_id,
            "site_id": "panne",
            "url": "https://panne.example.fr/",
            "kind": "connexion refusée",
            "reason": f"connexion refusée {RLO}\x1b[2J",
            "is_home": True,
            "at": NOW,
        }
    ]
    store.write_batch([*commune, *caisse], errors)
    img, label, region = (
        _rule("image-alt", "critical", "1.1"),
        _rule("label", "critical", "11.1"),
        _rule("region", "serious", None),
    )
    for record in (
        _audit("commune", "/", [img, label, region]),
        _audit("commune", "/contact", [img, label]),
        *(_audit("caisse", p, None, "Délai dépassé") for p in ("/", "/a", "/b", "/c")),
    ):
        store.write_audit(run_id, record["site_id"], None, "accueil", record)
    finish_run(store, run_id)
    out = tmp / "rapport"
    write_report(store, out)
    return {"store": store, "db": db, "run_id": run_id, "out": out}


def _expected(db: str, run_id: int) -> dict[str, dict[str, Any]]:
    """Every figure of every site, from the store by plain SQL and the contract."""
    engine = create_engine(db)
    with engine.connect() as conn:
        sites = [
            r[0]
            for r in conn.execute(
                text("SELECT site_id FROM run_sites WHERE run_id=:r"), {"r": run_id}
            )
        ]
        pages = dict(
            conn.execute(
                text("SELECT site_id, count(*) FROM pages WHERE run_id=:r GROUP BY site_id"),
                {"r": run_id},
            ).all()
        )
        checks: dict[str, dict[str, tuple[str, Any]]] = {s: {} for s in sites}
        for site, check, status, value in conn.execute(
            text("SELECT site_id, check_id, status, value FROM site_checks WHERE run_id=:r"),
            {"r": run_id},
        ):
            checks[site][check] = (status, json.loads(value) if value else None)
        audits: dict[str, list[tuple[Any, Any, Any]]] = {s: [] for s in sites}
        for site, error, violations, criteria in conn.execute(
            text(
                "SELECT site_id, error, violations, criteria_violated FROM audits WHERE run_id=:r"
            ),
            {"r": run_id},
        ):
            audits[site].append((error, json.loads(violations or "null"), criteria))
    engine.dispose()
    out: dict[str, dict[str, Any]] = {}
    for site in sites:
        n_pages = pages.get(site, 0)
        found = {c for c, (st, value) in checks[site].items() if st == "found"}
        if checks[site].get("a11y_mention", (None, None))[1] == "placeholder":
            found.discard("a11y_mention")
        ok = [v for error, v, _ in audits[site] if error is None]
        rules: dict[str, str] = {}
        criteria: set[str] = set()
        for violations in ok:
            for rule in violations:
                rules[rule["id"]] = rule["impact"]
                criteria |= {c["criterion"] for c in rule["criteria"]}
        axe = {i: sum(1 for v in rules.values() if v == i) for i in IMPACTS} if ok else None
        # An element whose every check does not apply to the site (its type, an exception)
        # is not counted (issue 13.3).
        excused = {c for c, (st, _) in checks[site].items() if st == "not_applicable"}
        e2 = [any(c in found for c in g) for g in CONTRACT[2] if not set(g) <= excused]
        e3 = [any(c in found for c in g) for g in CONTRACT[3] if not set(g) <= excused]
        if ok:
            e3.append(axe["critical"] == 0)  # type: ignore[index]
        out[site] = {
            "status": "ok" if n_pages else "error",
            "pages": n_pages,
            "e2": (sum(e2), len(e2)) if n_pages else None,
            "e3": (sum(e3), len(e3)) if n_pages else None,
            "axe": axe,
            "criteria": len(criteria) if ok else None,
            "audit": "ok" if ok else ("error" if audits[site] else "not_run"),
        }
    return out


def test_the_hand_written_store_has_the_cases_it_claims(report):
    expected = _expected(report["db"], report["run_id"])
    commune = expected["commune"]
    # A rule failing on two pages counts once: 2 critical rules, not 4.
    assert commune["axe"] == {"critical": 2, "serious": 1, "moderate": 0, "minor": 0}
    # phone, contact form (for the e-mail-or-form pair), opening hours; the address check
    # failed (counted as not found); FAQ only for engagement 3 (placeholder mention, and
    # critical rules failing).
    assert commune["e2"] == (3, 6) and commune["e3"] == (1, 6)
    assert expected["caisse"]["axe"] is None and expected["caisse"]["audit"] == "error"
    assert expected["panne"]["status"] == "error"


# -- every view against the store --------------------------------------------------------------


def views_agree(db: str, run_id: int, out: Path, summary: str) -> dict[str, dict[str, Any]]:
    """Compare every view of run ``run_id`` (report in ``out``) with the store's figures;
    returns them. Used on the demo crawl too (test_report_e2e)."""
    expected = _expected(db, run_id)
    folder = out / "donnees"
    csv = pd.read_csv(folder / "constats.csv").set_index("site_id")
    excel = pd.read_csv(
        folder / "constats-excel.csv", sep=";", decimal=",", encoding="utf-8-sig"
    ).set_index("site_id")
    records = {r["site_id"]: r for r in json.loads((folder / "vigie.json").read_text())["constats"]}
    sheet = openpyxl.load_workbook(folder / "vigie.xlsx", read_only=True)["Constats"]
    rows = list(sheet.iter_rows(values_only=True))
    xlsx = {
        r[rows[0].index("Identifiant du site")]: dict(zip(rows[0], r, strict=True))
        for r in rows[1:]
    }
    overview = html.parse(str(out / "index.html"))
    lines = {m.group(1): m.group(0) for m in re.finditer(r"^  (\S+)\s.*$", summary, re.M)}
    for site, exp in expected.items():
        where = f"site {site}"
        for table in (csv, excel):
            row = table.loc[site]
            assert row["status"] == exp["status"], where
            assert row["pages_crawled"] == exp["pages"], where
            assert row["audit_status"] == exp["audit"], where
            for n in (2, 3):
                cells = (row[f"engagement_{n}_found"], row[f"engagement_{n}_counted"])
                if exp[f"e{n}"] is None:
                    assert all(pd.isna(c) for c in cells) and pd.isna(row[f"engagement_{n}"])
                else:
                    assert tuple(int(c) for c in cells) == exp[f"e{n}"], where
                    found, counted = exp[f"e{n}"]
                    assert row[f"engagement_{n}"] == pytest.approx(found / counted, abs=5e-4)
            for i in IMPACTS:
                value = row[f"axe_{i}"]
                assert pd.isna(value) if exp["axe"] is None else value == exp["axe"][i], where
        rec, cells = records[site], xlsx[site]
        assert rec["pages_crawled"] == cells["Pages explorées"] == exp["pages"], where
        for i in IMPACTS:
            want = None if exp["axe"] is None else exp["axe"][i]
            assert rec[f"axe_{i}"] == want, where
        assert cells["Règles axe en violation, critiques"] == (exp["axe"] or {}).get("critical")
        # The overview's row.
        tr = overview.xpath(f"//table[@id='tableau-constats']/tbody/tr[@data-site='{site}']")[0]
        assert int(tr.xpath("string(td[@data-figure='pages'])")) == exp["pages"], where
        for n in (2, 3):
            cell = tr.xpath(f"td[@data-figure='engagement_{n}']")[0]
            if exp[f"e{n}"] is None:
                assert cell.get("data-found") is None and cell.text_content().strip() == "—"
            else:
                found, counted = exp[f"e{n}"]
                assert (int(cell.get("data-found")), int(cell.get("data-counted"))) == exp[f"e{n}"]
                assert cell.text_content().startswith(f"{found}/{counted} ")
        if overview.xpath("//td[@data-figure='axe_critical']"):
            axe_cell = tr.xpath("string(td[@data-figure='axe_critical'])").strip()
            if exp["axe"] is None:
                assert not axe_cell[:1].isdigit(), (where, axe_cell)  # never 0 for unknown
            else:
                assert axe_cell == str(exp["axe"]["critical"]), where
        # The site page.
        page = html.parse(str(out / "sites" / f"{site}.html"))
        text_ = page.xpath("string(//main)")
        assert f"{exp['pages']} page" in text_, where
        for n in (2, 3):
            li = page.xpath(f"//li[@data-figure='engagement_{n}']")
            if exp[f"e{n}"] is None:
                assert not li, where
            else:
                found, counted = exp[f"e{n}"]
                assert li[0].xpath("string(span[1])") == f"{found}/{counted}", where
        impacts = {
            s.get("data-impact"): s.text_content() for s in page.xpath("//span[@data-impact]")
        }
        if exp["axe"] is None:
            assert not impacts, where
            assert "Aucune violation détectée" not in text_, where
        else:
            assert impacts == {i: f"{IMPACT_FR[i]} {exp['axe'][i]}" for i in IMPACTS}, where
            assert (
                int(page.xpath("//h3[@id='audit-violations']/@data-criteria")[0])
                == (exp["criteria"])
            ), where
        # The terminal summary.
        line = lines[site]
        if exp["status"] == "ok":
            assert re.search(rf"\b{exp['pages']} pages?\b", line), line
            for n in (2, 3):
                found, counted = exp[f"e{n}"]
                assert f"engagement {n} : {found}/{counted} éléments" in line, line
            if exp["axe"] is None:
                assert "règle" not in line, line
            else:
                assert re.search(rf"\b{exp['axe']['critical']} règles? axe critiques?", line)
        else:
            assert "ERREUR" in line
    return expected


def test_every_view_shows_the_stores_figures(report):
    summary = crawl_summary(report["store"], report["run_id"])
    views_agree(report["db"], report["run_id"], report["out"], summary)


# -- a failed audit is unknown, never zero (12.6) -----------------------------------------------


def test_a_failed_audit_is_empty_and_says_why(report):
    df = findings_table(report["store"], report["run_id"]).set_index("site_id")
    row = df.loc["caisse"]
    assert row["audit_status"] == "error" and row["pages_audited"] == 0
    assert row["audit_errors"] == 4 and "aucune page auditée" in row["audit_reason"]
    assert "Délai dépassé" in row["audit_reason"]
    for column in [c for c in df.columns if c.startswith(("axe_", "rgaa_theme_"))]:
        if column != "axe_version":
            assert pd.isna(row[column]), column
    assert pd.isna(row["no_critical_axe"]) and pd.isna(row["rgaa_criteria_violated"])
    assert row["engagement_3_counted"] == 5  # the audit's element is not counted
    page = html.parse(str(report["out"] / "sites" / "caisse.html"))
    audit = page.xpath("string(//section[@aria-labelledby='audit'])")
    assert "Audit impossible" in audit and "inconnues, pas nulles" in audit
    assert "Aucune violation" not in audit
    axe = page.xpath("//li[@data-element='no_critical_axe']/@data-state")
    assert axe == ["not_measured"]
    overview = html.parse(str(report["out"] / "index.html"))
    cell = overview.xpath("//tr[@data-site='caisse']/td[@data-figure='axe_critical']")[0]
    assert cell.text_content() == "audit en échec" and cell.get("data-sort") == ""
    not_run = df.loc["panne"]
    assert not_run["audit_status"] == "not_run" and not_run["audit_reason"] == "site non exploré"


# -- coverage explains itself (13.2) ------------------------------------------------------------


def test_coverage_lists_what_counts_and_links_each_item(report):
    page = html.parse(str(report["out"] / "sites" / "commune.html"))
    ids = set(page.xpath("//@id"))
    for n in (2, 3):
        items = page.xpath(f"//h3[@id='couverture-{n}']/following-sibling::ul[1]/li")
        keys = [li.get("data-element") for li in items]
        assert keys == [e.key for e in COVERAGE_ELEMENTS[n]]
        for li in items:
            targets = [h.lstrip("#") for h in li.xpath(".//a/@href")]
            assert targets and all(t in ids for t in targets), li.get("data-element")
    states = {
        li.get("data-element"): li.get("data-state")
        for li in page.xpath("//ul[@class='vigie-elements']/li")
    }
    assert states["email_or_contact_form"] == "found"  # the form counts for the pair
    assert states["a11y_mention"] == "missing"  # a placeholder mention is not found
    assert states["address"] == "error" and states["no_critical_axe"] == "missing"
    heading = page.xpath("string(//h3[@id='couverture-2'])")
    assert "3 éléments trouvés sur 6" in heading
    todo = page.xpath("//section[@aria-labelledby='a-traiter']//li/@data-element")
    assert set(todo) == {k for k, s in states.items() if s in ("missing", "error")}
    main = page.xpath("string(//main)")
    assert not re.search(r"absent \(engagement \d\)", main)
    extra = page.xpath("//section[@aria-labelledby='complementaires']//li/@data-check")
    assert "peak_hours" in extra and "phone" not in extra
    # A town hall is not asked for a live chat: shown as such, never a point to fix.
    assert "chat" not in extra
    chat = page.xpath("string(//article[@id='verif-chat']//p[@data-not-applicable])")
    assert "Non applicable (justifié : ne s'applique pas aux sites de type « mairie »" in chat


def test_the_explanation_lists_exactly_the_computed_elements(report):
    overview = html.parse(str(report["out"] / "index.html"))
    explanation = overview.xpath("string(//p[@id='explication-couverture'])")
    for n, elements in COVERAGE_ELEMENTS.items():
        assert f"engagement {n}, {len(elements)} éléments" in explanation
        for element in elements:
            label = element_label(element)
            assert label[0].lower() + label[1:] in explanation
    # engagement 3's sixth element, the one the old text forgot
    assert "aucune violation axe critique sur les pages auditées" in explanation
    assert [sorted(c for e in COVERAGE_ELEMENTS[n] for c in e.checks) for n in (2, 3)] == [
        sorted(c for group in CONTRACT[n] for c in group) for n in (2, 3)
    ]


# -- bidirectional text stays in its place (12.5) ----------------------------------------------


def _unbalanced(chunk: str) -> bool:
    return balance(chunk) != chunk


def test_bidi_controls_from_sites_are_closed_and_isolated(report):
    for path in [report["out"] / "index.html", *(report["out"] / "sites").glob("*.html")]:
        doc = html.parse(str(path))
        for element in doc.iter():
            for chunk, owner in ((element.text, element), (element.tail, element.getparent())):
                if not chunk or not any(c in chunk for c in BIDI_OPENERS):
                    continue
                assert not _unbalanced(chunk), (path.name, chunk)
                if owner is None or owner.tag == "title":
                    continue  # the tab title: balanced, cannot hold an isolate
                outside = re.sub("\u2068[^\u2069]*\u2069", "", chunk)  # isolated in the text
                if not any(c in outside for c in BIDI_OPENERS):
                    continue
                isolated = [
                    a
                    for a in [owner, *owner.iterancestors()]
                    if a.tag == "bdi" or a.get("dir") is not None
                ]
                assert isolated, (path.name, owner.tag, chunk)
    page = (report["out"] / "sites" / "commune.html").read_text(encoding="utf-8")
    assert f"<h1><bdi>Mairie {RLO}esrevne emon\u202c</bdi></h1>" in page
    assert "<bdi>بلدية الاختبار</bdi>" in (report["out"] / "index.html").read_text("utf-8")


def test_the_terminal_summary_is_inert(report):
    summary = crawl_summary(report["store"], report["run_id"])
    assert "\x1b" not in summary and "\ufffd[2J" in summary
    for line in summary.splitlines():
        assert not _unbalanced(line), line
    assert terminal("a\x1b[31mb\nc") == "a\ufffd[31mb c"
