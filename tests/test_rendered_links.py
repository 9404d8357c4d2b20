"""Links that exist only in a JavaScript shell's rendered DOM are rendered within the site's
budget (issue 15 §4): the bookkeeping (:mod:`crawler.rendered_links`), then end to end on
a small application served on 127.0.0.1 by the test."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from scrapy.settings import Settings
from support import serving, vigie

from crawler.rendered_links import REASON, RenderedLinks
from crawler.store import Store
from reports.table import findings_table

SITE = "http://127.0.0.1:8123"


def _settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="default")
    settings.setdict(overrides, priority="cmdline")
    return settings


def _links(max_pages: int, pages: int = 1) -> RenderedLinks:
    stored = [
        {"id": i + 1, "site_id": "s", "url": f"{SITE}/" if i == 0 else f"{SITE}/p{i}", "depth": 0}
        for i in range(pages)
    ]
    errors = [("s", f"{SITE}/casse")]
    return RenderedLinks(stored, errors, _settings(VIGIE_MAX_PAGES_PER_SITE=max_pages))


def test_only_new_same_site_pages_are_offered_key_pages_first_within_the_budget():
    links = _links(max_pages=3)
    new = links.offer(
        "s",
        [
            (f"{SITE}/", "Accueil", True),  # stored
            (f"{SITE}/casse", "Casse", True),  # a crawl error of the run
            ("https://ailleurs.fr/contact", "Contact", True),  # another site
            (f"{SITE}/doc.pdf", "Guide", False),  # no page
            (f"{SITE}/actualites", "Actualités", False),
            (f"{SITE}/agenda", "Agenda", False),
            (f"{SITE}/nous-contacter#form", "Nous contacter", True),
            (f"{SITE}/nous-contacter", "", False),  # the same page, canonical form
        ],
        depth=1,
    )
    assert new == 3
    routes = links.next_level()
    # Budget 3, one page stored: two places; the contact page first.
    assert [r.url for r in routes] == [f"{SITE}/nous-contacter", f"{SITE}/actualites"]
    assert all(r.depth == 1 for r in routes)
    assert links.next_level() == []  # no place left
    links.release(routes[1])  # that one gave no page: its place comes back
    assert [r.url for r in links.next_level()] == [f"{SITE}/agenda"]
    assert links.next_level() == []


def test_breadth_first_and_the_maximum_depth():
    links = _links(max_pages=30)
    links.offer("s", [(f"{SITE}/a/b", "B", False)], depth=2)
    links.offer("s", [(f"{SITE}/a", "A", False)], depth=1)
    assert links.offer("s", [(f"{SITE}/trop-loin", "X", False)], depth=4) == 0  # max depth 3
    assert [(r.url, r.depth) for r in links.next_level()] == [(f"{SITE}/a", 1)]
    assert [(r.url, r.depth) for r in links.next_level()] == [(f"{SITE}/a/b", 2)]
    assert links.next_level() == []


def test_a_full_site_renders_nothing_and_a_redirect_to_a_known_page_is_no_new_page():
    assert _links(max_pages=2, pages=2).offer("s", [(f"{SITE}/x", "X", False)], 1) == 1
    full = _links(max_pages=2, pages=2)
    full.offer("s", [(f"{SITE}/x", "X", False)], 1)
    assert full.next_level() == []
    links = _links(max_pages=5)
    links.offer("s", [(f"{SITE}/x", "X", False), (f"{SITE}/y", "Y", False)], 1)
    x, y = links.next_level()
    assert links.is_new_page(x, f"{SITE}/x")
    assert not links.is_new_page(x, f"{SITE}/")  # redirected home
    assert not links.is_new_page(x, f"{SITE}/y")  # redirected to another route handed out
    assert not links.is_new_page(y, "https://ailleurs.fr/")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'v.db'}"
    return request.getfixturevalue("pg_url")


def test_add_page_stores_one_page_with_its_findings_and_returns_its_id(db_url):
    from datetime import UTC, datetime

    from crawler.seeds import Seed

    store = Store(db_url)
    run_id = store.start_run([Seed("s", "Service", f"{SITE}/", "agence")])
    page = {
        "run_id": run_id,
        "site_id": "s",
        "url": f"{SITE}/contact",
        "status_code": 200,
        "depth": 1,
        "bytes": 10,
        "duration_s": 0.5,
        "fetched_at": datetime.now(UTC),
        "rendered": True,
        "js_shell": False,
        "title": "Contact",
        "problems": None,
        "links": None,
    }
    finding = {"check_id": "phone", "status": "found", "value": [], "evidence": None}
    first = store.add_page(page, [{**finding, "error": None}])
    second = store.add_page({**page, "url": f"{SITE}/b"}, [])
    assert second > first
    stored = {p["id"]: p for p in store.pages_of_run(run_id)}
    assert stored[first]["url"] == f"{SITE}/contact" and stored[first]["rendered"]
    rows = store.page_findings_of(run_id, ["s"], ["phone"])
    assert [(r["url"], r["status"]) for r in rows] == [(f"{SITE}/contact", "found")]


# -- end to end: an application whose menu exists only once its script has run ----------

SHELL = (
    b"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Service en ligne"
    b"</title></head><body><div id='root'></div><script src='/app.js'></script></body></html>"
)

APP = """
var views = %s;
var menu = '<nav><a href="/">Accueil</a> <a href="/a">Page A</a> <a href="/b">Page B</a> '
  + '<a href="/c">Page C</a> <a href="/panne">Page D</a> '
  + '<a href="/contact">Nous contacter</a></nav>';
document.getElementById("root").innerHTML = menu + "<main>" + (views[location.pathname] || "")
  + "</main>";
"""

VIEWS = {
    "/": "<h1>Service en ligne</h1><p>Déposez votre demande en quelques minutes.</p>",
    "/contact": "<h1>Nous contacter</h1><p>Standard : 01 99 00 12 34, du lundi au vendredi.</p>",
    "/a": "<h1>Page A</h1><p>Voir aussi <a href='/a/suite'>la suite</a>.</p>",
    "/b": "<h1>Page B</h1><p>Deuxième page.</p>",
    "/c": "<h1>Page C</h1><p>Troisième page.</p>",
    "/a/suite": "<h1>Suite</h1><p>Quatrième page, à la profondeur 2.</p>",
}


def _route(path: str) -> tuple[int, str, bytes] | None:
    if path == "/app.js":
        return 200, "text/javascript", (APP % json.dumps(VIEWS)).encode()
    if path == "/panne":  # a route whose server fails
        return 500, "text/html; charset=utf-8", SHELL
    if path in VIEWS:  # every route of the application serves the same shell
        return 200, "text/html; charset=utf-8", SHELL
    return None


def _crawl(tmp_path: Path, base: str, max_pages: int) -> tuple[Store, int]:
    seeds = tmp_path / f"sites-{max_pages}.csv"
    seeds.write_text(f"id,name,url,type\napp,Service en ligne,{base}/,agence\n")
    db = f"sqlite:///{tmp_path / f'v-{max_pages}.db'}"
    proc = vigie(
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        db,
        "--quiet",
        "--no-report",
        "--allow-private",
        "--max-pages-per-site",
        str(max_pages),
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "RETRY_TIMES=0",
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = Store(db)
    return store, store.latest_run_id()


@pytest.fixture(scope="module")
def app_site():
    with serving(_route) as base:
        yield base


def test_routes_of_a_rendered_menu_are_rendered_stored_and_counted(app_site, tmp_path):
    store, run_id = _crawl(tmp_path, app_site, max_pages=10)
    pages = {p["url"].removeprefix(app_site): p for p in store.pages_of_run(run_id)}
    # The HTTP crawl found the shell only; every route came from the rendered DOM,
    # /a/suite from a rendered route's own DOM (breadth first, one level deeper).
    assert set(pages) == {"/", "/contact", "/a", "/b", "/c", "/a/suite"}
    assert pages["/"]["js_shell"] and pages["/"]["depth"] == 0
    assert pages["/a/suite"]["depth"] == 2
    assert all(pages[p]["rendered"] and pages[p]["depth"] == 1 for p in ("/contact", "/a"))
    audits = {a["url"].removeprefix(app_site): a for a in store.audits_of_run(run_id)}
    assert {p: a["reason"] for p, a in audits.items() if p != "/"} == {
        p: REASON for p in ("/contact", "/a", "/b", "/c", "/a/suite", "/panne")
    }
    # The failing route is an audit error, nothing else: no page, the reason kept.
    assert audits["/panne"]["error"] and audits["/panne"]["page_id"] is None
    assert all(a["error"] is None for p, a in audits.items() if p != "/panne")
    # The contact route's phone number, absent from the shell, counts for the site.
    row = findings_table(store, run_id).set_index("site_id").loc["app"]
    assert row["phone"] == "found" and row["pages_crawled"] == 6
    phones = [
        f
        for f in store.page_findings_of(run_id, ["app"], ["phone"])
        if f["url"].endswith("/contact")
    ]
    assert phones and phones[0]["status"] == "found"
    # The rendered checks as on every audited page.
    eco = store.page_findings_of(run_id, ["app"], ["ecoindex"])
    assert {f["url"].removeprefix(app_site) for f in eco} == set(pages)


def test_a_resumed_run_renders_the_routes_left_waiting(app_site, tmp_path):
    """An audit phase stopped after the shell was rendered and before its routes were: on
    ``--resume`` the shell is not rendered again, the links its audit recorded are offered
    again and the routes rendered, the one that failed excepted."""
    store, run_id = _crawl(tmp_path, app_site, max_pages=10)
    shell = next(a for a in store.audits_of_run(run_id) if a["reason"] != REASON)
    assert ["/contact", "Nous contacter", True] in [
        [url.removeprefix(app_site), label, chrome]
        for url, label, chrome in shell["rendered_links"]
    ]
    # What such a stop leaves: the shell and its audit, no rendered route, the run
    # interrupted (the route that failed is kept: an audit error, not to render again).
    with sqlite3.connect(tmp_path / "v-10.db") as db:
        routes = "SELECT id FROM pages WHERE run_id = ? AND rendered"
        db.execute(f"DELETE FROM findings WHERE page_id IN ({routes})", (run_id,))
        db.execute(f"DELETE FROM audits WHERE page_id IN ({routes})", (run_id,))
        db.execute(f"DELETE FROM pages WHERE id IN ({routes})", (run_id,))
        db.execute("UPDATE runs SET status = 'interrupted' WHERE id = ?", (run_id,))
    proc = vigie(
        "crawl",
        "--resume",
        str(run_id),
        "--db",
        f"sqlite:///{tmp_path / 'v-10.db'}",
        "--quiet",
        "--no-report",
        "--allow-private",
        "--max-pages-per-site",
        "10",
        "-s",
        "DOWNLOAD_DELAY=0",
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = {p["url"].removeprefix(app_site) for p in store.pages_of_run(run_id)}
    assert pages == {"/", "/contact", "/a", "/b", "/c", "/a/suite"}
    audits = [a["url"].removeprefix(app_site) for a in store.audits_of_run(run_id)]
    assert sorted(audits) == sorted(["/", "/panne", "/contact", "/a", "/b", "/c", "/a/suite"])
    assert store.run(run_id)["status"] == "finished"


def test_a_site_with_a_budget_of_n_never_stores_more_than_n_pages(app_site, tmp_path):
    store, run_id = _crawl(tmp_path, app_site, max_pages=3)
    urls = [p["url"].removeprefix(app_site) for p in store.pages_of_run(run_id)]
    assert len(urls) == 3 and len(set(urls)) == 3
    assert "/contact" in urls  # the key page first


def _route_with_robots(path: str) -> tuple[int, str, bytes] | None:
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nDisallow: /b\nDisallow: /a/\n"
    return _route(path)


def test_a_route_that_robots_txt_forbids_is_not_rendered(tmp_path):
    """The routes are opened by the browser, outside Scrapy: robots.txt is read for them too,
    and a forbidden route neither is rendered nor takes a place of the budget."""
    with serving(_route_with_robots) as base:
        store, run_id = _crawl(tmp_path, base, max_pages=10)
        pages = {p["url"].removeprefix(base) for p in store.pages_of_run(run_id)}
        audited = {a["url"].removeprefix(base) for a in store.audits_of_run(run_id)}
    assert "/b" not in pages and "/b" not in audited
    assert "/a/suite" not in pages and "/a/suite" not in audited
    assert {"/", "/contact", "/a", "/c"} <= pages
