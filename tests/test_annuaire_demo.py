"""The demo web's Annuaire export, imported as ``vigie demo`` imports it, then a crawl of
the demo sites: the cross-check in the findings table matches the answer key
(``crawler.demo.expected.ANNUAIRE``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks.annuaire import FIELDS
from crawler.annuaire.crosscheck import cross_check
from crawler.commands.demo import import_annuaire
from crawler.demo.expected import ANNUAIRE
from crawler.demo.server import DemoWeb
from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 2.0
#: Every site the answer key names, and some without a record.
SITES = (*ANNUAIRE, "ancien", "ministere")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
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
    return store, run_id, records, urls


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
