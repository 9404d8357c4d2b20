"""The reports without a crawl: a small store written by hand, then every piece checked.

Fast and deterministic: the store is filled through :class:`crawler.store.Store`'s own
writing methods, so the reports read exactly what a crawl would have stored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest
from lxml import etree, html

from checks import CHECK_IDS, ENGAGEMENT
from crawler.aggregation import finish_run
from crawler.store import Store
from reports import assets, charts
from reports.advice import ADVICE, advice_for
from reports.audit_view import audit_view
from reports.changes import diff_statuses, is_problem
from reports.data import load_report
from reports.exports import TABLES
from reports.html import CSP, write_report
from reports.present import safe_href, site_filename, value_lines
from reports.table import TableError

# -- pure helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.mairie.fr/contact",
        "http://127.0.0.1:8000/",
        "HTTPS://EXEMPLE.GOUV.FR/a?b=c#d",
    ],
)
def test_http_urls_become_links(url):
    assert safe_href(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "java\nscript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/contact",
        "//evil.example/x",
        "https:///nohost",
        "",
        None,
        42,
    ],
)
def test_other_urls_never_become_links(url):
    assert safe_href(url) is None


def test_values_read_as_french_lines():
    phones = [
        {"display": "01 23 45 67 89", "kind": "fixed", "purpose": "standard", "surcharged": False},
        {"display": "0 821 99 00 12", "kind": "shared_cost", "purpose": None, "surcharged": True},
    ]
    assert value_lines(phones) == [
        "01 23 45 67 89 — fixe — « standard »",
        "0 821 99 00 12 — coût partagé — surtaxé",
    ]
    assert value_lines([{"address": "a@b.fr", "purpose": "accueil"}]) == ["a@b.fr (« accueil »)"]
    hours = value_lines({"osm": "Mo-Fr 09:00-12:00", "raw": "du lundi au vendredi de 9h à 12h"})
    assert hours[0] == "Format OpenStreetMap : Mo-Fr 09:00-12:00"
    anchor = value_lines([{"url": "https://x.fr/#rdv", "booking_link": False, "platform": None}])
    assert "sans outil de réservation" in anchor[0]
    many = value_lines([f"https://x.fr/{i}" for i in range(20)])
    assert len(many) == 9 and many[-1].startswith("… et 12")
    assert value_lines(None) == [] and value_lines("partiellement") == ["partiellement"]


def test_site_file_names_stay_inside_the_sites_folder():
    assert site_filename("mairie-senas") == "mairie-senas.html"
    for hostile in ("../../etc/passwd", "a/b", "<script>", "..", ""):
        name = site_filename(hostile)
        assert "/" not in name and not name.startswith(".") and name.endswith(".html")
    assert site_filename("a/b") != site_filename("a-b")


def test_every_check_has_advice_with_a_reference():
    for check_id in CHECK_IDS:
        advice = ADVICE[check_id]
        assert advice.label and advice.short and advice.todo.endswith(".")
        assert advice.reference, check_id
        assert advice.engagement == ENGAGEMENT[check_id], check_id
    for check_id in ("a11y_mention", "a11y_statement"):
        assert "2005-102" in ADVICE[check_id].reference
        assert "2019-768" in ADVICE[check_id].reference
    assert advice_for("nouvelle_verif").label == "nouvelle_verif"


def test_problems_and_changes_follow_each_checks_polarity():
    assert is_problem("phone", "absent") and not is_problem("phone", "found")
    assert is_problem("premium_phone", "found") and not is_problem("premium_phone", "absent")
    assert is_problem("phone", "error") is None
    before = {"phone": "found", "email": "absent", "premium_phone": "absent", "faq": "error"}
    after = {"phone": "absent", "email": "found", "premium_phone": "found", "faq": "found"}
    appeared, fixed, unknown = diff_statuses(before, after, CHECK_IDS)
    assert [c.check_id for c in appeared] == ["phone", "premium_phone"]
    assert [c.check_id for c in fixed] == ["email"]
    assert [c.check_id for c in unknown] == ["faq"]


def test_charts_are_svg_with_escaped_labels():
    svg = charts.bar_chart(
        ["Mairies", '<script>alert("x")</script>'],
        [
            charts.Series("Engagement 2", "vigie-series-1", [0.5, None]),
            charts.Series("Engagement 3", "vigie-series-2", [1.0, 0.25]),
        ],
    )
    tree = etree.fromstring(str(svg).encode())
    assert tree.get("aria-hidden") == "true"
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert '<script>alert("x")</script>' in texts and "50 %" in texts and "—" in texts
    assert not list(tree.iter("{http://www.w3.org/2000/svg}script"))
    line = etree.fromstring(
        str(charts.line_chart(["n° 1", "n° 2"], [charts.Series("E2", "a", [0.5, 0.75])])).encode()
    )
    assert len(list(line.iter("{http://www.w3.org/2000/svg}circle"))) == 2
    assert len(list(line.iter("{http://www.w3.org/2000/svg}polyline"))) == 1


# -- DSFR set-up -----------------------------------------------------------------------------


def test_dsfr_selection_inlines_icons_and_refuses_odd_paths():
    css = (
        "@font-face{src:url(fonts/Marianne-Regular.woff2)}"
        ".a{mask-image:url(icons/system/x.svg)}.b{background:url('icons/y.svg')}"
        ".c{background:url(data:image/png;base64,AAAA)}"
    )
    members = {
        "dsfr.min.css": css.encode(),
        "fonts/Marianne-Regular.woff2": b"font",
        "icons/system/x.svg": b"<svg/>",
        "icons/y.svg": b"<svg></svg>",
        "../evil.woff2": b"no",
        "component/big.css": b"not wanted",
    }
    chosen = assets._select(members)
    assert set(map(str, chosen)) == {"dsfr.min.css", "fonts/Marianne-Regular.woff2"}
    out = chosen[PurePosixPath("dsfr.min.css")].decode()
    assert "icons/" not in out and out.count("data:image/svg+xml;base64,") == 2
    assert "url(fonts/Marianne-Regular.woff2)" in out


# -- a store written by hand --------------------------------------------------------------

NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def _seed(site_id: str, name: str, kind: str = "mairie") -> SimpleNamespace:
    return SimpleNamespace(
        id=site_id, name=name, url=f"https://{site_id}.example.fr/", type=kind, extra=None
    )


def _page(run_id: int, site_id: str, path: str, title: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "site_id": site_id,
        "url": f"https://{site_id}.example.fr{path}",
        "status_code": 200,
        "depth": 0,
        "bytes": 1000,
        "fetched_at": NOW,
        "duration_s": 0.1,
        "rendered": False,
        "js_shell": False,
        "title": title,
        "problems": None,
    }


def _found(check_id: str, site_id: str, value: Any, snippet: str) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "status": "found",
        "value": value,
        "evidence": [
            {"url": f"https://{site_id}.example.fr/", "xpath": "/html/body/p", "snippet": snippet}
        ],
        "error": None,
    }


def _run(
    store: Store,
    label: str,
    alpha_checks: list[dict[str, Any]],
    beta_up: bool,
    audits: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> int:
    """One run of alpha and beta; ``audits``: records (``AuditResult.to_dict()`` shape,
    plus ``site_id`` and ``reason``) stored before the run is aggregated."""
    seeds = [_seed("alpha", "Mairie d'Alpha"), _seed("beta", "CAF de Bêta", "caf")]
    run_id = store.start_run(seeds, label=label)
    rows = [(_page(run_id, "alpha", "/", "Accueil — Alpha"), alpha_checks)]
    errors = []
    if beta_up:
        rows.append((_page(run_id, "beta", "/", "Bêta"), []))
    else:
        errors.append(
            {
                "run_id": run_id,
                "site_id": "beta",
                "url": "https://beta.example.fr/",
                "kind": "connection_refused",
                "reason": "connexion refusée : le site ne répond pas",
                "is_home": True,
                "at": NOW,
            }
        )
    store.write_batch(rows, errors)
    for record in audits:
        store.write_audit(run_id, record["site_id"], None, record.get("reason"), record)
    finish_run(store, run_id)
    return run_id


IMG_RULE = {
    "id": "image-alt",
    "impact": "critical",
    "help": "Les images doivent avoir un texte alternatif",
    "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/image-alt",
    "rgaa": ["RGAA-1.1.1"],
    "criteria": [
        {
            "criterion": "1.1",
            "title": "Chaque image porteuse d'information a-t-elle une alternative textuelle ?",
            "theme": 1,
            "theme_title": "Images",
        }
    ],
    "nodes": [{"target": ["img.logo"], "html": '<img class="logo" src="logo.png">'}],
}
REGION_RULE = {
    "id": "region",
    "impact": "moderate",
    "help": "Le contenu doit être dans des régions",
    "helpUrl": "javascript:alert(1)",
    "rgaa": [],
    "criteria": [],
    "nodes": [{"target": ["div.x"], "html": "<div class='x'><script>alert(1)</script>"}],
}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run 1: alpha has a phone, no FAQ; beta is down. Run 2: phone gone, FAQ there."""
    tmp = tmp_path_factory.mktemp("store")
    store = Store(f"sqlite:///{tmp / 'v.db'}")
    phone = _found(
        "phone",
        "alpha",
        [{"display": "01 23 45 67 89", "kind": "fixed", "purpose": None, "surcharged": False}],
        "Standard : 01 23 45 67 89",
    )
    faq = _found("faq", "alpha", ["https://alpha.example.fr/faq"], '<a href="/faq">FAQ</a>')
    formula = _found("address", "alpha", ['=HYPERLINK("https://x")'], "=HYPERLINK(1)")
    first = _run(store, "un", [phone, formula], beta_up=False)
    url = "https://alpha.example.fr/"
    audits = [
        {
            "site_id": "alpha",
            "url": url,
            "reason": "accueil",
            "axe_version": "4.12.1",
            "error": None,
            "violations": [IMG_RULE, REGION_RULE],
            "needs_review": [dict(IMG_RULE, id="color-contrast", impact="serious")],
            "criteria_violated": [{"criterion": "1.1", "title": IMG_RULE["criteria"][0]["title"]}],
        },
        {"site_id": "alpha", "url": url + "x", "error": "Délai dépassé", "axe_version": None},
    ]
    second = _run(store, "deux", [faq, formula], beta_up=True, audits=audits)
    out = tmp / "rapport"
    written = write_report(store, out)
    return store, first, second, out, written


def test_site_page_lists_what_appeared_and_what_was_fixed(two_runs):
    store, first, second, out, written = two_runs
    assert written.run_id == second
    doc = html.parse(str(out / "sites" / "alpha.html"))
    appeared = doc.xpath("//ul[@aria-labelledby='apparus']/li/@data-check")
    fixed = doc.xpath("//ul[@aria-labelledby='corriges']/li/@data-check")
    assert appeared == ["phone"] and fixed == ["faq"]
    beta = (out / "sites" / "beta.html").read_text(encoding="utf-8")
    assert "n'avait pas pu être exploré" in beta and "apparus" not in beta
    report = load_report(store, first)
    site = next(s for s in report.sites if s.site_id == "beta")
    assert site.status == "error" and site.changes.previous is None


def test_site_page_shows_evidence_advice_and_errors(two_runs):
    store, first, _, out, _ = two_runs
    page = (out / "sites" / "alpha.html").read_text(encoding="utf-8")
    assert "Accueil — Alpha" in page  # the evidence page's title
    assert "/html/body/p" in page and "&lt;a href=&#34;/faq&#34;&gt;FAQ&lt;/a&gt;" in page
    assert ADVICE["a11y_mention"].todo in page and "2005-102" in page
    assert 'http-equiv="Content-Security-Policy"' in page and CSP.replace("'", "&#39;") in page
    old = out.parent / "rapport-1"
    write_report(store, old, first)
    beta = (old / "sites" / "beta.html").read_text(encoding="utf-8")
    assert "connexion refusée : le site ne répond pas" in beta
    assert "Le site n'a pas pu être exploré" in beta and "Non vérifié" in beta


def test_audit_section_groups_results_by_rgaa_criterion(two_runs):
    *_, out, _ = two_runs
    doc = html.parse(str(out / "sites" / "alpha.html"))
    section = doc.xpath("//section[@aria-labelledby='audit']")[0]
    text = section.text_content()
    assert "Critère 1.1" in text and "alternative textuelle" in text
    assert "Hors RGAA" in text and "À vérifier par une personne" in text
    assert "ne couvrent qu'une partie du RGAA" in text and "taux de conformité" in text
    assert "Délai dépassé" in text
    hrefs = section.xpath(".//a/@href")
    assert "https://dequeuniversity.com/rules/axe/4.12/image-alt" in hrefs
    assert not [h for h in hrefs if "javascript" in h.lower()]
    assert not section.xpath(".//script")
    beta = html.parse(str(out / "sites" / "beta.html")).xpath("//section[@aria-labelledby='audit']")
    assert "Audit non réalisé" in beta[0].text_content()


def test_audit_view_without_records_is_none():
    assert audit_view(None) is None and audit_view([]) is None


def test_overview_has_trend_table_and_findings(two_runs):
    _, _, _, out, _ = two_runs
    doc = html.parse(str(out / "index.html"))
    assert len(doc.xpath("//table[@id='tableau-evolution']/tbody/tr")) == 2
    rows = doc.xpath("//table[@id='tableau-constats']/tbody/tr")
    assert [r.get("data-type") for r in rows] == ["mairie", "caf"]
    assert doc.xpath("//table[@id='tableau-constats']//a/@href") == [
        "sites/alpha.html",
        "sites/beta.html",
    ]
    assert doc.xpath("//form[@data-vigie-filter][@hidden]")  # shown by the script only
    assert doc.xpath("//script/@src") == ["assets/vigie.js"] and not doc.xpath("//script/text()")


def test_exports_have_every_table_in_every_format(two_runs):
    *_, out, written = two_runs
    folder = out / "donnees"
    book = openpyxl.load_workbook(folder / "vigie.xlsx")
    assert book.sheetnames == [
        *(sheet for sheet, _ in TABLES.values()),
        "Dictionnaire des colonnes",
        "Dictionnaire des vérifications",
    ]
    sheet = book["Constats"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    headers = [c.value for c in sheet[1]]
    assert "Nom du site" in headers and "Numéro de téléphone" in headers
    assert "Couverture engagement 2" in headers
    checks = book["Vérifications"]
    cells = [c for row in checks.iter_rows(min_row=2) for c in row]
    planted = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert planted and all(c.data_type == "s" for c in planted)
    for name in TABLES:
        csv = pd.read_csv(folder / f"{name}.csv")
        parquet = pd.read_parquet(folder / f"{name}.parquet")
        assert list(csv.columns) == list(parquet.columns)
    assert len(pd.read_csv(folder / "evolution.csv")) == 2
    changes = pd.read_parquet(folder / "changements.parquet")
    assert set(zip(changes["check_id"], changes["change"], strict=True)) == {
        ("phone", "appeared"),
        ("faq", "fixed"),
    }
    raw = (folder / "vigie.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert "https://alpha.example.fr/" in raw and "\\/" not in raw  # slashes as written
    assert set(data) == {"run", *TABLES} and data["run"]["label"] == "deux"
    assert {r["site_id"] for r in data["constats"]} == {"alpha", "beta"}
    assert {e.path.name for e in written.exports} >= {"vigie.xlsx", "vigie.json", "audit.csv"}


def test_json_export_keeps_every_character(tmp_path):
    from reports.exports import write_json

    tricky = ["a/b", "c\\/d", "\\", "e\\\\/f", "« é »", '"=x"', "\n", None]
    tables = {"constats": pd.DataFrame({"value": tricky, "n": range(len(tricky))})}
    run = {"id": 7, "label": "essai", "started_at": None, "finished_at": None}
    data = json.loads(write_json(tables, run, tmp_path / "v.json").read_text(encoding="utf-8"))
    assert [r["value"] for r in data["constats"]] == tricky
    assert data["run"] == {"id": 7, "label": "essai", "started_at": None, "finished_at": None}


def _report_files(folder: Path) -> dict[str, Any]:
    """Every file of a written report (the XLSX as its sheets, the generation time left out)."""
    out: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".xlsx":
            out[str(path.relative_to(folder))] = pd.read_excel(path, sheet_name=None)
        elif path.is_file():
            lines = path.read_bytes().splitlines()
            out[str(path.relative_to(folder))] = [
                line for line in lines if b"produit par Vigie le" not in line
            ]
    return out


def test_a_report_written_a_chunk_at_a_time_is_the_same(two_runs, tmp_path, monkeypatch):
    """Site details read one site at a time, exports written one row at a time: the same
    files as in one go (the national run's chunks must not show in the output)."""
    from reports import data as data_module
    from reports import exports, spreadsheet

    store, *_ = two_runs
    whole = _report_files(write_report(store, tmp_path / "whole").folder)
    monkeypatch.setattr(data_module, "DETAIL_CHUNK", 1)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)
    monkeypatch.setattr(spreadsheet, "EXPORT_CHUNK", 1)
    chunked = _report_files(write_report(store, tmp_path / "chunked").folder)
    assert whole.keys() == chunked.keys() and len(whole) > 20
    for name, content in whole.items():
        if name.endswith(".xlsx"):
            assert content.keys() == chunked[name].keys()
            for sheet, frame in content.items():
                pd.testing.assert_frame_equal(frame, chunked[name][sheet])
        else:
            assert content == chunked[name], name


def test_reports_are_written_without_the_dsfr(two_runs, tmp_path, monkeypatch):
    store, *_ = two_runs
    monkeypatch.delenv(assets.ENV_DIR, raising=False)
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "absent")
    written = write_report(store, tmp_path / "r")
    assert assets.MISSING_WARNING in written.warnings
    index = written.index.read_text(encoding="utf-8")
    assert "dsfr.min.css" not in index and "vigie-nodsfr" in index
    assert (tmp_path / "r" / "assets" / "vigie.css").is_file()
    assert len(written.site_pages) == 2


def test_the_trends_coverage_equals_the_findings_tables(two_runs):
    """The trend reads earlier runs through coverage_of_run: the same numbers, cheaper."""
    from reports.table import coverage_of_run, findings_table

    store, *_ = two_runs
    columns = ["site_id", "status", "engagement_2", "engagement_3"]
    for run in store.list_runs():
        full = findings_table(store, run["id"])[columns].reset_index(drop=True)
        light = coverage_of_run(store, run["id"])
        pd.testing.assert_frame_equal(light, full, check_dtype=False)
        assert full["engagement_3"].notna().any()


def test_unknown_run_is_a_clear_error(two_runs, tmp_path):
    store, *_ = two_runs
    with pytest.raises(TableError, match="inconnue"):
        write_report(store, tmp_path / "x", run_id=99)
    empty = Store(f"sqlite:///{tmp_path / 'vide.db'}")
    with pytest.raises(TableError, match="aucune exploration"):
        write_report(empty, tmp_path / "y")
    assert not (tmp_path / "y").exists() or not (tmp_path / "y" / "index.html").exists()
    no_sites = Store(f"sqlite:///{tmp_path / 'sans-sites.db'}")
    finish_run(no_sites, no_sites.start_run([], label="vide"))
    with pytest.raises(TableError, match="aucun site dans la dernière exploration"):
        write_report(no_sites, tmp_path / "z")


def test_stale_site_pages_are_removed(two_runs, tmp_path):
    store, *_ = two_runs
    out = tmp_path / "r"
    (out / "sites").mkdir(parents=True)
    (out / "sites" / "ancien-site.html").write_text("vieux", encoding="utf-8")
    (out / "sites" / "notes.txt").write_text("à garder", encoding="utf-8")
    write_report(store, out)
    assert sorted(p.name for p in (out / "sites").iterdir()) == [
        "alpha.html",
        "beta.html",
        "notes.txt",
    ]


def test_templates_autoescape_everything():
    from reports.html import environment

    env = environment()
    assert env.autoescape is not False
    rendered = env.from_string("{{ x }}").render(x="<script>alert(1)</script>")
    assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert Path(env.loader.searchpath[0]).is_dir()  # type: ignore[union-attr]
