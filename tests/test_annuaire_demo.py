"""The demo web's Annuaire export, imported as ``vigie demo`` imports it, then a crawl of
the demo sites: the cross-check in the findings table matches the answer key
(``crawler.demo.expected.ANNUAIRE``), and the crawl's summary, the site pages and the
overview of its report show it (issue 15.2)."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from checks.annuaire import FIELDS
from crawler.annuaire.crosscheck import cross_check
from crawler.commands.demo import import_annuaire
from crawler.demo.expected import ANNUAIRE
from crawler.demo.server import DemoWeb
from crawler.store import Store
from reports.html import write_report
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 2.0
#: Every site the answer key names, and some without a record.
SITES = (*ANNUAIRE, "ancien", "ministere")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("annuaire-demo")
    db = f"sqlite:///{tmp / 'vigie.db'}"
    store = Store(db)
    with DemoWeb(sites=SITES, slow_delay=TIMEOUT * 3) as web:
        export = web.write_annuaire(tmp / "annuaire-demo.json")
        import_annuaire(store, export)  # the step of ``vigie demo``, before its crawl
        seeds = web.write_seeds(tmp / "sites.csv")
        proc = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--seeds", str(seeds), "--db", db,
             "--quiet", "--no-report", "--no-audit", "--allow-private",
             "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "AUTOTHROTTLE_START_DELAY=0.05",
             "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0"],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        records = json.loads(export.read_text(encoding="utf-8"))
        urls = web.urls()
    run_id = store.latest_run_id()
    write_report(store, tmp / "rapport", run_id)
    return {
        "store": store,
        "run_id": run_id,
        "records": records,
        "urls": urls,
        "summary": proc.stdout,
        "report": tmp / "rapport",
    }


@pytest.fixture(scope="module")
def crawled(demo):
    return demo["store"], demo["run_id"], demo["records"], demo["urls"]


def test_the_export_names_the_demo_sites_by_their_addresses(crawled):
    _, _, records, urls = crawled
    websites = {s["valeur"] for r in records for s in r["site_internet"]}
    assert urls["mairie"] in websites and urls["prefecture"] in websites
    assert not any("{{" in w for w in websites)


def test_the_table_carries_the_cross_check_of_the_answer_key(crawled):
    store, run_id, _, _ = crawled
    table = findings_table(store, run_id).set_index("site_id")
    mismatches = []
    for site_id in SITES:
        expected = ANNUAIRE.get(site_id, dict.fromkeys(FIELDS, "no_record"))
        for name in FIELDS:
            got = table.loc[site_id, f"annuaire_{name}"]
            if got != expected[name]:
                mismatches.append((site_id, name, got, expected[name]))
    assert mismatches == []
    assert table.loc["mairie", "annuaire_id"] == "5f2c1e0a-0000-4d6e-9a11-000000000001"
    assert table.loc["prefecture", "annuaire_id"] == "5f2c1e0a-0000-4d6e-9a11-000000000003"


def test_what_differs_says_both_values_and_the_page(crawled):
    store, run_id, _, urls = crawled
    result = cross_check(store, run_id)
    phone = next(f for f in result.sites["prefecture"].fields if f["field"] == "phone")
    assert phone["record"] == ["01 99 00 20 99"]
    assert [s["key"] for s in phone["site"]] == ["+33199002000"]
    assert phone["site"][0]["url"].startswith(urls["prefecture"])
    hours = next(f for f in result.sites["caf"].fields if f["field"] == "opening_hours")
    assert hours["record"] == ["Mo-Fr 08:30-12:00,13:30-16:30"]
    assert hours["site"][0]["value"] == "Mo-Fr 08:30-16:30"
    assert hours["site"][0]["url"] == urls["caf"] + "nous-contacter"
    unmatched = {s.site_id: s.link.describe() for s in result.unmatched()}
    assert set(unmatched) == {"ancien", "ministere"}
    counts = result.by_type()
    assert counts["prefecture"]["disagree"] == 1 and counts["caf"]["disagree"] == 1
    assert counts["mairie"]["disagree"] == 0 and counts["mairie"]["with_record"] == 1


# -- the reports (issue 15.2) ---------------------------------------------------------------


def _text(node: Any) -> str:
    return " ".join(node.text_content().split())


def _field(demo: dict[str, Any], site_id: str, name: str) -> Any:
    page = html.parse(str(demo["report"] / "sites" / f"{site_id}.html"))
    return page.xpath(f"//article[@data-annuaire-field='{name}']")[0]


def test_the_site_page_says_what_the_site_shows_and_what_the_annuaire_says(demo):
    urls = demo["urls"]
    phone = _field(demo, "prefecture", "phone")
    assert phone.get("data-status") == "differs"
    assert _text(phone.xpath(".//p[contains(@class, 'fr-badge')]")[0]) == "Diffère de l'Annuaire"
    sentence = phone.xpath(".//p[@data-sentence]")[0]
    contact = urls["prefecture"] + "contact"
    assert _text(sentence) == (
        f"Le site affiche « 01 99 00 20 00 » ({contact}) ; l'Annuaire indique « 01 99 00 20 99 »."
    )
    assert sentence.xpath(".//a/@href") == [contact]  # the evidence, linked
    assert "01 99 00 20 00" in _text(phone.xpath(".//details")[0])  # and its snippet
    email = _field(demo, "prefecture", "email")
    assert email.get("data-status") == "missing_on_site"
    assert _text(email.xpath(".//p[@data-sentence]")[0]) == (
        "Le site n'affiche aucune adresse électronique ; "
        "l'Annuaire indique « prefecture@exemple.gouv.fr »."
    )
    assert _field(demo, "prefecture", "address").get("data-status") == "consistent"
    hours = _field(demo, "caf", "opening_hours")
    assert hours.get("data-status") == "differs"
    assert _text(hours.xpath(".//p[@data-sentence]")[0]) == (
        f"Le site affiche « Mo-Fr 08:30-16:30 » ({urls['caf']}nous-contacter) ; "
        "l'Annuaire indique « Mo-Fr 08:30-12:00,13:30-16:30 »."
    )
    page = html.parse(str(demo["report"] / "sites" / "prefecture.html"))
    assert page.xpath("string(//p[@data-annuaire-differs])").startswith(
        "1 coordonnée du site diffère de l'Annuaire (téléphone)"
    )


def test_a_site_without_a_record_says_so_and_why(demo):
    page = html.parse(str(demo["report"] / "sites" / "ancien.html"))
    section = page.xpath("//section[@data-annuaire-link]")[0]
    assert section.get("data-annuaire-link") == "unmatched"
    reason = _text(section.xpath(".//p[@data-annuaire-reason]")[0])
    assert reason.startswith("Ce site n'est relié à aucune fiche de l'Annuaire (import n° 1 du ")
    assert "aucune fiche de l'Annuaire n'a le site 127.0.0.1:" in reason
    assert not section.xpath(".//article[@data-annuaire-field]")


def test_the_overview_counts_the_sites_that_disagree_by_type(demo):
    page = html.parse(str(demo["report"] / "index.html"))
    assert page.xpath("string(//*[@data-key='annuaire_disagree'])") == "2"
    assert page.xpath("string(//*[@data-key='annuaire_linked'])") == "6 sites"
    table = page.xpath("//table[@id='annuaire-type']")[0]

    def cells(group: str) -> dict[str, str]:
        row = table.xpath(f".//tr[@data-group='{group}']")[0]
        return {td.get("data-cell"): _text(td) for td in row.xpath("td")}

    assert cells("prefecture") == {
        "sites": "1", "with_record": "1", "disagree": "1",
        "phone": "1", "email": "0", "address": "0", "opening_hours": "0",
    }  # fmt: skip
    assert cells("caf")["disagree"] == "1" and cells("caf")["opening_hours"] == "1"
    assert cells("mairie") == {
        "sites": "2", "with_record": "1", "disagree": "0",
        "phone": "0", "email": "0", "address": "0", "opening_hours": "0",
    }  # fmt: skip
    assert cells("*") == {
        "sites": "8", "with_record": "6", "disagree": "2",
        "phone": "1", "email": "0", "address": "0", "opening_hours": "1",
    }  # fmt: skip
    rows = {
        tr.get("data-site"): tr.get("data-annuaire")
        for tr in page.xpath("//table[@id='tableau-constats']/tbody/tr")
    }
    assert rows["prefecture"] == "1dmcc" and rows["ancien"] == "0nnnn"


def test_the_crawl_summary_lists_the_sites_without_a_record(demo):
    lines = demo["summary"].splitlines()
    annuaire = [line for line in lines if "Annuaire" in line]
    assert annuaire[0].startswith("Annuaire de l'administration : import n° 1 du ")
    assert annuaire[1] == (
        "Sites sans fiche de l'Annuaire : 2 sur 8 : ancien, ministere "
        f"(pourquoi : « vigie annuaire links --run {demo['run_id']} »)"
    )
    assert annuaire[2].startswith("Sites dont les coordonnées diffèrent de l'Annuaire : 2 ")


def test_the_overviews_annuaire_counts_follow_the_filters(demo):
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Chromium absent (paquet Debian « chromium »)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((demo["report"] / "index.html").as_uri() + "?type=prefecture")
        assert page.inner_text("[data-key='annuaire_disagree']") == "1"
        assert page.inner_text("[data-key='annuaire_linked']") == "1 site"
        total = "#annuaire-type tr[data-group='*']"
        assert page.inner_text(f"{total} td[data-cell='sites']") == "1"
        assert page.inner_text(f"{total} td[data-cell='phone']") == "1"
        assert page.is_hidden("#annuaire-type tr[data-group='caf']")
        page.select_option("#filtre-type", "")
        assert page.inner_text("[data-key='annuaire_disagree']") == "2"
        assert page.inner_text(f"{total} td[data-cell='with_record']") == "6"
        browser.close()
    assert errors == []


def test_the_annuaire_sections_have_no_axe_violation(demo):
    """The new sections, audited as every report page is (every axe rule)."""
    from crawler.audit import audit_urls

    pages = [demo["report"] / "index.html"]
    pages += [demo["report"] / "sites" / f"{s}.html" for s in ("prefecture", "ancien", "erreur500")]
    with ThreadPoolExecutor(max_workers=1) as pool:  # axe runs its own event loop
        results = pool.submit(
            audit_urls, [p.as_uri() for p in pages], axe_tags=None, settle_s=0.0
        ).result()
    assert [r.error for r in results] == [None] * len(pages)
    assert {r.url: [v["id"] for v in r.violations] for r in results if r.violations} == {}
