"""Where a crawl spends its page budget, end to end on the sites of
``crawler/demo/frontier_web.py`` (issues 12.7, 12.10, 14.2).

Each site reproduces a case measured on real sites; every assertion here failed with the
frontier that scored links and broke ties by menu order, fetched each spelling of a URL,
and counted 404s and redirects in the budget.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.demo.frontier_web import (
    CONTACT503_PHONE,
    DEAD_LINKS,
    DSFR_PHONE,
    SLASHLESS,
    FrontierWeb,
)
from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]


def _crawl(seeds: Path, db: str, pages: int) -> subprocess.CompletedProcess[str]:
    """Crawl ``seeds`` one download at a time per site, a millisecond apart: the order a
    site is asked is then the order the frontier handed its pages out.

    With two at a time, two pages asked together reach the server in either order. And a
    delay of 0 does not give one at a time: Scrapy 2.19 on the asyncio reactor starts
    every request its download slot holds in the same turn, whatever the slot's
    concurrency (``Downloader._process_queue`` counts a download as started only once its
    task runs); a delay makes the slot start one and wait.
    """
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--seeds",
            str(seeds),
            "--db",
            db,
            "--allow-private",
            "--no-audit",
            "--no-report",
            "--max-pages-per-site",
            str(pages),
            "-s",
            "DOWNLOAD_DELAY=0.001",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "-s",
            "VIGIE_PROGRESS_INTERVAL=0.5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def web():
    with FrontierWeb() as served:
        yield served


@pytest.fixture(scope="module")
def crawled(web, tmp_path_factory):
    """The default budget of 30 pages on dsfr, casse and contact503."""
    tmp = tmp_path_factory.mktemp("frontier")
    seeds = tmp / "sites.csv"
    seeds.write_text(web.seeds_csv({"dsfr", "casse", "contact503"}), encoding="utf-8")
    db = f"sqlite:///{tmp / 'v.db'}"
    proc = _crawl(seeds, db, 30)
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = Store(db)
    run_id = store.latest_run_id()
    table = findings_table(store, run_id).set_index("site_id")
    return store, run_id, table


def _paths(store: Store, run_id: int, site_id: str) -> list[str]:
    return [urlsplit(p["url"]).path for p in store.pages_of_run(run_id) if p["site_id"] == site_id]


def test_near_identical_declarations_do_not_starve_the_key_pages(crawled, web):
    """28 declarations before "Contact" in the menu: contact, legal notice, privacy and one
    declaration are fetched within the 30 pages, and the phone only on the legal notice
    is found."""
    store, run_id, table = crawled
    paths = _paths(store, run_id, "dsfr")
    assert len(paths) <= 30
    for key in ("/contact/", "/mentions-legales/", "/donnees-personnelles/"):
        assert key in paths, paths
    assert any(p.startswith("/declarations/") or p == "/accessibilite/" for p in paths)
    # One page of each kind before a second one: in the order the site was asked, the key
    # pages come before the second declaration.
    asked = [urlsplit(p).path for p in web.requests["dsfr"]]
    declarations = [i for i, p in enumerate(asked) if p.startswith("/declarations/")]
    keys = [asked.index(k) for k in ("/contact/", "/mentions-legales/", "/donnees-personnelles/")]
    assert max(keys) < declarations[1], asked
    assert table.loc["dsfr", "phone"] == "found"
    values = {
        row["check_id"]: row["value"]
        for row in store.site_checks_of_run(run_id)
        if row["site_id"] == "dsfr"
    }
    assert DSFR_PHONE.replace(" ", "") in json.dumps(values["phone"]).replace(" ", "")


def test_host_case_and_query_order_variants_are_one_page(crawled, web):
    """Forty links to /contact written LocalHost, LOCALHOST… with their query arguments
    in either order: one request, one page, and the accessibility page is reached."""
    store, run_id, _ = crawled
    asked = Counter(urlsplit(p).path for p in web.requests["casse"])
    assert asked["/contact"] == 1, web.requests["casse"]
    assert asked["/accessibilite"] == 1
    paths = _paths(store, run_id, "casse")
    assert sorted(paths) == ["/", "/accessibilite", "/contact"]


def test_a_key_page_that_failed_is_an_error_not_an_absence(crawled):
    """The contact page answers 503: the checks it serves read "error" with the reason,
    unless another page shows the finding (the contact form's link, on every page)."""
    store, run_id, table = crawled
    row = table.loc["contact503"]
    assert row["status"] == "ok"
    assert row["phone"] == "error" and row["email"] == "error"
    assert row["contact_form"] == "found"
    assert row["legal_notice"] == "found"
    assert row["faq"] == "absent"  # no help page was expected, none failed
    errors = {
        r["check_id"]: r["error"]
        for r in store.site_checks_of_run(run_id)
        if r["site_id"] == "contact503"
    }
    assert errors["phone"].startswith("page de contact illisible : le serveur a répondu HTTP 503")
    assert errors["phone"].endswith("/contact)")
    failed = [e for e in store.errors_of_run(run_id) if e["site_id"] == "contact503"]
    assert [(e["kind"], e["page_kind"]) for e in failed] == [("http_503", "contact")]
    assert CONTACT503_PHONE  # shown only on the page that could not be read


def test_404s_and_redirects_to_known_pages_do_not_use_the_budget(web, tmp_path):
    """Broken links and slash-less links to pages already known, ranked first: the budget
    of 10 still gives 10 pages, and the failures are counted apart, in the run's
    statistics, the progress line and ``vigie runs``."""
    seeds = tmp_path / "s.csv"
    seeds.write_text(web.seeds_csv({"liensmorts"}), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    proc = _crawl(seeds, db, 10)
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = Store(db)
    [run] = store.list_runs()
    paths = _paths(store, run["id"], "liensmorts")
    assert len(paths) == 10 == len(set(paths)), paths
    asked = [urlsplit(p).path for p in web.requests["liensmorts"]]
    assert sum(p.startswith("/ancien/") for p in asked) == DEAD_LINKS
    assert sum(p.startswith("/services/") and not p.endswith("/") for p in asked) == SLASHLESS
    assert run["stats"]["vigie/errors"] == DEAD_LINKS
    assert run["stats"]["vigie/redirects_to_known"] == SLASHLESS
    last = [line for line in proc.stderr.splitlines() if "[vigie] sites" in line][-1]
    assert f"erreurs {DEAD_LINKS}" in last
    assert f"redirections vers une page connue {SLASHLESS}" in last
    runs = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "runs", "--db", db, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    [listed] = json.loads(runs.stdout)
    assert (listed["pages"], listed["errors"], listed["redirects"]) == (10, DEAD_LINKS, SLASHLESS)
