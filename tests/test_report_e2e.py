"""End to end: crawl, write the reports, open them in headless Chromium (Playwright).

Two crawls of the demo administration web (``crawler/demo``) plus one small site of this
module whose pages change between the two runs, so that its page must list exactly what
appeared and what was fixed; one crawl of a hostile site whose pages plant script, event
handlers and ``javascript:`` URLs in phone labels, titles and snippets. The crawls run as
``vigie crawl`` subprocesses (Twisted's reactor runs once per process), the reports are
written by the crawl's own end-of-run hook and by ``vigie report``.

The screenshots of the README are taken here, into a temporary folder so that the test
suite leaves the working tree as it found it; ``make screenshots`` sets
``VIGIE_SCREENSHOTS_DIR=docs`` to refresh ``docs/overview.png`` and ``docs/site.png``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from lxml import html

from crawler.demo.server import DemoWeb
from reports.assets import locate_dsfr

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 2.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium absent (paquet Debian « chromium »)"
)

# -- a site that changes between the two runs ------------------------------------------------

_HEAD = '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{}</title></head>'
EVOLUTION_V1 = {
    "/": _HEAD.format("Mairie de Changeville")
    + """<body><header><nav><a href="/contact">Nous contacter</a></nav></header>
<main><h1>Mairie de Changeville</h1>
<p>Accueil téléphonique : 01 23 45 67 89.</p>
<p>L'accueil est ouvert du lundi au vendredi de 9h à 12h.</p>
<address>Mairie, 1 place de la Mairie, 45000 Changeville</address></main>
<footer><a href="/mentions-legales">Mentions légales</a>
<p>Accessibilité : non conforme</p></footer></body></html>""",
    "/contact": _HEAD.format("Nous contacter")
    + """<body><main><h1>Nous contacter</h1><form method="post" action="/contact">
<label for="m">Votre message</label><textarea id="m" name="message"></textarea>
<button>Envoyer</button></form></main></body></html>""",
    "/mentions-legales": _HEAD.format("Mentions légales")
    + "<body><main><h1>Mentions légales</h1><p>Éditeur : la mairie.</p></main></body></html>",
}
#: Run 2: the phone number is gone (appeared: phone), an e-mail and a FAQ are added
#: (fixed: email, faq). Nothing else changes.
EVOLUTION_V2 = {
    **EVOLUTION_V1,
    "/": EVOLUTION_V1["/"]
    .replace("<p>Accueil téléphonique : 01 23 45 67 89.</p>", "")
    .replace(
        "</address></main>",
        '</address><p>Écrivez-nous : <a href="mailto:accueil@changeville.fr">'
        'accueil@changeville.fr</a></p><p><a href="/faq">Foire aux questions</a></p></main>',
    ),
    "/faq": _HEAD.format("Foire aux questions")
    + "<body><main><h1>Foire aux questions</h1><p>Comment ?</p></main></body></html>",
}
EXPECTED_APPEARED = {"phone"}
EXPECTED_FIXED = {"email", "faq"}

# -- a hostile site ----------------------------------------------------------------------------

HOSTILE = {
    "/": """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Mairie <script>alert("titre")</script> <img src=x onerror=alert("titre-img")></title>
</head><body>
<header><nav>
<a href="javascript:alert('contact')">Nous contacter</a>
<a href="JaVaScRiPt:alert('faq')">Foire aux questions</a>
<a href=" javascript:alert('declaration')">Déclaration d'accessibilité</a>
<a href="java&#10;script:alert('rdv')">Prendre rendez-vous</a>
</nav></header>
<main><h1>Mairie piégée</h1>
<p>Standard &lt;script&gt;alert("tel")&lt;/script&gt;
<img src="x" onerror="alert('tel-img')" alt="">
 : <a href="tel:0123456789">01 23 45 67 89</a></p>
<p>Accueil &lt;img src=x onerror=alert("horaires")&gt; <b onmouseover="alert('b')">du lundi au
vendredi de 9h à 12h</b></p>
<p>Écrivez à <a href="mailto:contact@piege.fr">contact@piege.fr</a></p>
<script>alert("script de la page")</script>
<p>Mairie, 1 rue &lt;script&gt;alert("adresse")&lt;/script&gt;, 45000 Piégeville</p>
</main>
<footer><p>Accessibilité : non conforme &lt;svg onload=alert("mention")&gt;</p>
<a href="javascript:alert('mentions')">Mentions légales</a>
<a href="https://www.service-public.fr/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">service-public.fr</a>
</footer></body></html>""",
}
HOSTILE_NAME = 'Mairie <script>alert("nom")</script> & <img src=x onerror=alert("nom")>'


class _Handler(BaseHTTPRequestHandler):
    server: _FixtureServer

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        body = self.server.pages.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_response(404)
            payload = b"<!DOCTYPE html><title>404</title><p>Introuvable</p>"
        else:
            self.send_response(200)
            payload = body.encode("utf-8")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:  # noqa: N802
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the crawler's requests are not the test's output


class _FixtureServer(ThreadingHTTPServer):
    """A one-site server whose pages (path → HTML) can be swapped between runs."""

    daemon_threads = True

    def __init__(self, pages: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def vigie(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def crawl(seeds: Path, db: str, *extra: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    proc = vigie(
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        db,
        "--quiet",
        "--allow-private",
        "--max-pages-per-site",
        "25",
        "-s",
        f"DOWNLOAD_TIMEOUT={TIMEOUT}",
        "-s",
        "AUTOTHROTTLE_START_DELAY=0.05",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "RETRY_TIMES=0",
        *extra,
    )
    assert proc.returncode == expect, proc.stderr[-3000:]
    return proc


#: A seed column of the programme's own (issue 16.1), given to the demo's list.
DEPARTEMENTS = {"mairie": "45", "prefecture": "45", "caf": "18", "evolution": "18"}


def with_departement(seeds: str) -> str:
    """The demo's seed list with a ``departement`` column (empty for most sites)."""
    lines = seeds.splitlines()
    out = [lines[0] + ",departement"]
    out += [f"{line},{DEPARTEMENTS.get(line.split(',', 1)[0], '')}" for line in lines[1:]]
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """Two runs of the demo web plus the changing site; reports of both runs."""
    tmp = tmp_path_factory.mktemp("rapports")
    evolution = _FixtureServer(dict(EVOLUTION_V1))
    try:
        with DemoWeb(slow_delay=TIMEOUT * 3) as web:
            seeds = tmp / "sites.csv"
            seeds.write_text(
                with_departement(
                    web.seeds_csv() + f"evolution,Mairie de Changeville,{evolution.url},mairie\n"
                ),
                encoding="utf-8",
            )
            db = f"sqlite:///{tmp / 'vigie.db'}"
            first = crawl(seeds, db, "--run-label", "passage-1", "--report", str(tmp / "r1"))
            evolution.pages = dict(EVOLUTION_V2)
            second = crawl(seeds, db, "--run-label", "passage-2")  # default report folder
    finally:
        evolution.close()
    yield {
        "tmp": tmp,
        "db": db,
        "r1": tmp / "r1",
        "r2": tmp / "vigie-rapport",
        "stdout": (first.stdout, second.stdout),
        "stderr": (first.stderr, second.stderr),
    }


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("piege")
    server = _FixtureServer(dict(HOSTILE))
    try:
        seeds = tmp / "sites.csv"
        name = '"' + HOSTILE_NAME.replace('"', '""') + '"'
        seeds.write_text(f"id,name,url,type\npiege,{name},{server.url},mairie\n", encoding="utf-8")
        crawl(seeds, f"sqlite:///{tmp / 'v.db'}", "--report", str(tmp / "r"))
    finally:
        server.close()
    return tmp / "r"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def report_pages(folder: Path) -> list[Path]:
    return [folder / "index.html", *sorted((folder / "sites").glob("*.html"))]


# -- the commands -----------------------------------------------------------------------------


def test_crawl_writes_reports_at_the_end(demo_runs):
    r1, r2 = demo_runs["r1"], demo_runs["r2"]
    for folder in (r1, r2):
        assert (folder / "index.html").is_file()
        assert (folder / "sites" / "mairie.html").is_file()
        assert (folder / "sites" / "evolution.html").is_file()
        assert (folder / "assets" / "vigie.js").is_file()
        assert (folder / "donnees" / "vigie.xlsx").is_file()
    assert len(list((r2 / "sites").glob("*.html"))) == 14  # 13 demo sites + evolution
    assert "Rapports écrits" in demo_runs["stdout"][1]
    if locate_dsfr() is not None:
        assert (r2 / "dsfr" / "dsfr.min.css").is_file()
        assert not list((r2 / "dsfr").rglob("*.map"))


def test_report_command_rewrites_an_older_run(demo_runs, tmp_path):
    out = tmp_path / "ancien"
    proc = vigie("report", "--db", demo_runs["db"], "--run", "1", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Exploration n° 1 « passage-1 »" in index
    bad = vigie("report", "--db", demo_runs["db"], "--run", "42", "-o", str(tmp_path / "x"))
    assert bad.returncode != 0 and "inconnue" in bad.stderr


def test_no_report_option(tmp_path):
    closed = socket.socket()  # bound, never listening: the site is down at once
    closed.bind(("127.0.0.1", 0))
    try:
        seeds = tmp_path / "s.csv"
        port = closed.getsockname()[1]
        seeds.write_text(f"id,name,url,type\nx,X,http://127.0.0.1:{port}/,autre\n")
        # The one site is down: nothing crawled (exit code 3), and no report either.
        proc = crawl(seeds, f"sqlite:///{tmp_path / 'v.db'}", "--no-report", expect=3)
    finally:
        closed.close()
    assert "Rapports écrits" not in proc.stdout
    assert not (tmp_path / "vigie-rapport").exists()


# -- what the pages say -----------------------------------------------------------------------


def test_changed_site_lists_exactly_what_appeared_and_was_fixed(demo_runs):
    doc = html.parse(str(demo_runs["r2"] / "sites" / "evolution.html"))
    appeared = set(doc.xpath("//ul[@aria-labelledby='apparus']/li/@data-check"))
    fixed = set(doc.xpath("//ul[@aria-labelledby='corriges']/li/@data-check"))
    assert appeared == EXPECTED_APPEARED
    assert fixed == EXPECTED_FIXED
    changes = pd.read_csv(demo_runs["r2"] / "donnees" / "changements.csv")
    mine = changes[changes["site_id"] == "evolution"]
    assert set(mine[mine["change"] == "appeared"]["check_id"]) == EXPECTED_APPEARED
    assert set(mine[mine["change"] == "fixed"]["check_id"]) == EXPECTED_FIXED
    first = html.parse(str(demo_runs["r1"] / "sites" / "evolution.html"))
    assert "Première exploration" in first.xpath(
        "string(//section[@aria-labelledby='changements'])"
    )


def test_overview_trend_has_two_points(demo_runs):
    doc = html.parse(str(demo_runs["r2"] / "index.html"))
    rows = doc.xpath("//table[@id='tableau-evolution']/tbody/tr")
    assert [r.xpath("string(th)") for r in rows] == ["passage-1", "passage-2"]
    chart = doc.xpath("//section[@aria-labelledby='evolution']//*[local-name()='svg']")[0]
    assert len(chart.xpath(".//*[local-name()='circle']")) == 2  # engagement 2 markers
    assert len(chart.xpath(".//*[local-name()='polyline']")) == 2  # one line per engagement
    one = html.parse(str(demo_runs["r1"] / "index.html"))
    assert len(one.xpath("//table[@id='tableau-evolution']/tbody/tr")) == 1


def test_site_pages_group_checks_by_engagement(demo_runs):
    doc = html.parse(str(demo_runs["r2"] / "sites" / "mairie.html"))
    headings = doc.xpath("//main//h2/@id")
    engagements = [h for h in headings if h.startswith("engagement-")]
    assert engagements[:2] == ["engagement-2", "engagement-3"]
    assert doc.xpath("//article[@id='verif-phone']//dl[@class='vigie-evidence']")
    assert "Emplacement" in doc.xpath("string(//article[@id='verif-phone'])")
    audit = doc.xpath("string(//section[@aria-labelledby='audit'])")
    assert "ne couvrent qu'une partie du RGAA" in audit
    down = html.parse(str(demo_runs["r2"] / "sites" / "panne.html"))
    assert "Le site n'a pas pu être exploré" in down.xpath("string(//main)")


# -- in the browser ---------------------------------------------------------------------------


def test_navigation_between_overview_and_site_pages(demo_runs, page):
    page.goto((demo_runs["r2"] / "index.html").as_uri())
    assert page.title().startswith("Vue d'ensemble")
    page.locator("#tableau-constats").get_by_role(
        "link", name="Mairie de Saint-Exemple-sur-Loire"
    ).click()
    page.wait_for_url(re.compile(r"/sites/mairie\.html$"))
    assert page.locator("h1").inner_text() == "Mairie de Saint-Exemple-sur-Loire"
    page.get_by_role("link", name="Vue d'ensemble").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    page.get_by_role("link", name="Vigie").first.click()
    page.wait_for_url(re.compile(r"/index\.html$"))


def _plain(text: str) -> str:
    """Sort key close to the French collation: case and accents ignored."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _column(page: Any, index: int) -> list[str]:
    return page.eval_on_selector_all(
        "#tableau-constats tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{index}].getAttribute('data-sort') ?? "
        f"r.cells[{index}].textContent.trim())",
    )


def test_findings_table_sorts_and_filters(demo_runs, page):
    page.goto((demo_runs["r2"] / "index.html").as_uri())
    table = page.locator("#tableau-constats")
    pages = 4  # Site, Type, departement (the seed list's), État, Pages
    pages_header = table.locator("thead th").nth(pages)
    assert pages_header.inner_text() == "Pages"
    pages_header.get_by_role("button").click()
    assert pages_header.get_attribute("aria-sort") == "ascending"
    values = [int(v) for v in _column(page, pages)]
    assert values == sorted(values) and values[0] == 0
    pages_header.get_by_role("button").click()
    assert pages_header.get_attribute("aria-sort") == "descending"
    assert [int(v) for v in _column(page, pages)] == sorted(values, reverse=True)
    name_header = table.locator("thead th").first
    name_header.get_by_role("button").click()
    names = _column(page, 0)
    assert names == sorted(names, key=_plain) and names[0].startswith("Caisse")

    form = page.locator("form[data-vigie-filter]")
    assert form.is_visible()
    page.select_option("#filtre-type", "mairie")
    types = page.eval_on_selector_all(
        "#tableau-constats tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.type)"
    )
    assert types and set(types) == {"mairie"}
    assert page.locator("#constats-compte").inner_text().startswith(f"{len(types)} sites affichés")
    page.get_by_role("button", name="Effacer les filtres").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#tableau-constats tbody tr[hidden]').length === 0"
    )
    page.fill("#filtre-texte", "caisse")
    visible = page.locator("#tableau-constats tbody tr:not([hidden])")
    assert visible.count() == 1 and "Caisse d'allocations" in visible.inner_text()
    page.fill("#filtre-texte", "")
    page.select_option("#filtre-etat", "error")
    statuses = page.eval_on_selector_all(
        "#tableau-constats tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.status)"
    )
    assert len(statuses) == 5 and set(statuses) == {"error"}
    page.select_option("#filtre-etat", "ok")
    page.select_option("#filtre-manque", "phone")
    missing = page.eval_on_selector_all(
        "#tableau-constats tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.missing)"
    )
    assert missing and all("phone" in m.split() for m in missing)


def test_without_javascript_the_table_is_complete(demo_runs, browser):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto((demo_runs["r2"] / "index.html").as_uri())
    assert tab.locator("#tableau-constats tbody tr").count() == 14
    assert not tab.locator("form[data-vigie-filter]").is_visible()
    assert tab.locator("#tableau-constats thead button").count() == 0
    context.close()


def test_print_hides_the_controls(demo_runs, page):
    page.goto((demo_runs["r2"] / "index.html").as_uri())
    page.emulate_media(media="print")
    assert not page.locator("form[data-vigie-filter]").is_visible()
    assert not page.locator(".fr-skiplinks").is_visible()
    assert page.locator("#tableau-constats").is_visible()


def _axe(urls: list[str]) -> list[Any]:
    """Vigie's own audit (crawler/audit.py), every axe rule, in a thread of its own (it
    runs its own event loop, which Playwright's sync API in this thread must not see)."""
    from crawler.audit import audit_urls

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(audit_urls, urls, axe_tags=None, settle_s=0.0).result()


def test_axe_finds_no_violation_on_any_report_page(demo_runs):
    pages = report_pages(demo_runs["r2"])
    results = _axe([p.as_uri() for p in pages])
    assert len(results) == len(pages) == 15
    problems = {
        r.url: [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in r.violations]
        for r in results
        if r.error or r.violations
    }
    assert not [r.error for r in results if r.error]
    assert not problems, problems


def test_axe_finds_no_violation_at_375_pixels(demo_runs, browser):
    """The same pages on a phone's width (issue 16): every axe rule, run in the page as
    Vigie's audit runs it (registered before the page's scripts, CSP untouched)."""
    from crawler.audit import load_axe

    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(script=load_axe().script)
    tab = context.new_page()
    problems = {}
    for path in report_pages(demo_runs["r2"]):
        tab.goto(path.as_uri())
        tab.wait_for_load_state("load")
        found = tab.evaluate(
            "async () => (await axe.run(document)).violations"
            ".map(v => [v.id, v.nodes.slice(0, 3).map(n => n.target)])"
        )
        if found:
            problems[path.name] = found
    context.close()
    assert not problems, problems


def test_printing_the_demo_keeps_every_column(demo_runs, browser, tmp_path):
    from test_report_dimensions import pdf_keeps_every_column

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    for name in ("index.html", "sites/panne.html", "sites/mairie.html"):
        url = (demo_runs["r2"] / name).as_uri()
        assert pdf_keeps_every_column(tab, url, tmp_path / "p.pdf") == [], name
    context.close()


#: The README's screenshots: (file, page, what to show, viewport width).
SCREENSHOTS = (
    ("overview.png", "index.html", None, 1280),
    ("overview-filtered.png", "index.html?departement=45&grouper=dim-0", "#filtres-vue", 1280),
    ("trends.png", "index.html", "section[aria-labelledby='evolution']", 1280),
    ("trends-375.png", "index.html", "section[aria-labelledby='evolution']", 375),
    ("site.png", "sites/evolution.html", None, 1280),
)


def test_screenshots_for_the_readme(demo_runs, browser, tmp_path):
    """Taken into a temporary folder (the suite never rewrites tracked files), or into
    ``$VIGIE_SCREENSHOTS_DIR`` (``make screenshots``: ``docs``)."""
    if locate_dsfr() is None:
        pytest.skip("DSFR absent : captures d'écran non prises (make ou reports.assets)")
    folder = Path(os.environ.get("VIGIE_SCREENSHOTS_DIR") or tmp_path)
    if not folder.is_absolute():
        folder = ROOT / folder
    for name, page, part, width in SCREENSHOTS:
        context = browser.new_context(viewport={"width": width, "height": 1600})
        tab = context.new_page()
        tab.goto((demo_runs["r2"] / page.split("?")[0]).as_uri() + page[len(page.split("?")[0]) :])
        if part is None:
            tab.screenshot(path=str(folder / name))
        elif part == "#filtres-vue":  # the filters and what they changed, together
            tab.locator("#filtres").scroll_into_view_if_needed()
            box = tab.locator("#filtres").bounding_box()
            end = tab.locator("section[aria-labelledby='par-groupe']").bounding_box()
            clip = {"x": 0, "y": box["y"] - 16, "width": width, "height": 0}
            clip["height"] = end["y"] + end["height"] - clip["y"] + 16
            tab.screenshot(path=str(folder / name), clip=clip, full_page=True)
        else:
            tab.locator(part).screenshot(path=str(folder / name))
        context.close()
    for name, *_ in SCREENSHOTS:
        assert (folder / name).stat().st_size > 20_000, name


def test_the_suite_leaves_the_tracked_screenshots_alone(demo_runs):
    """``make test`` used to rewrite docs/*.png (issue 13.8): unless asked, the files are
    those of the last commit."""
    if os.environ.get("VIGIE_SCREENSHOTS_DIR"):
        pytest.skip("captures demandées : make screenshots")
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", *(f"docs/{name}" for name, *_ in SCREENSHOTS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if changed.returncode != 0:
        pytest.skip("pas un dépôt git")
    assert changed.stdout == "", changed.stdout


def test_the_demos_figures_agree_across_views(demo_runs):
    """The old commune site's critical rules (3 in the table) were 6 on its page (issue
    13.1): every figure of every view equals the store's, recomputed by plain SQL."""
    from test_report_counts import views_agree

    from crawler.store import Store
    from reports.summary import crawl_summary

    store = Store(demo_runs["db"])
    run_id = max(r["id"] for r in store.list_runs() if r["status"] == "finished")
    expected = views_agree(demo_runs["db"], run_id, demo_runs["r2"], crawl_summary(store, run_id))
    audited = [s for s, e in expected.items() if e["axe"] is not None]
    assert len(audited) >= 5 and any(expected[s]["axe"]["critical"] > 0 for s in audited)


# -- hostile content stays text ---------------------------------------------------------------

_ACTIVE_CONTENT = """() => {
  const onAttrs = [];
  const badUrls = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) { onAttrs.push(el.tagName + ' ' + name); }
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name) &&
          /^(javascript|vbscript|data):/.test(value)) { badUrls.push(el.tagName + ' ' + value); }
    }
  }
  return {
    scripts: Array.from(document.scripts).map(s => s.getAttribute('src')),
    inlineScripts: Array.from(document.scripts).filter(s => s.textContent.trim()).length,
    images: document.images.length,
    iframes: document.querySelectorAll('iframe, object, embed').length,
    onAttrs, badUrls,
    pwned: document.title.includes('PWNED'),
  };
}"""


def test_hostile_pages_are_inert_in_the_report(hostile_report, page):
    pages = report_pages(hostile_report)
    assert len(pages) == 2
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        state = page.evaluate(_ACTIVE_CONTENT)
        assert state["scripts"] == [
            ("../" if path.parent.name == "sites" else "") + "assets/vigie.js"
        ]
        assert state["inlineScripts"] == 0
        assert state["images"] == 0 and state["iframes"] == 0
        assert state["onAttrs"] == [] and state["badUrls"] == []
        assert not state["pwned"]
        links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        assert all(link.startswith(("file:", "http:", "https:")) for link in links), links
        text = page.locator("main").inner_text()
        assert 'alert("nom")' in text  # the hostile name is shown, as text
    page.hover("body")
    assert dialogs == []
    site = page.locator("main").inner_text()
    assert '<script>alert("titre")</script>' in site  # the page title, as text
    assert 'Standard <script>alert("tel")</script>' in site  # phone label, in a snippet
    assert '<svg onload=alert("mention")>' in site
    # A crawled href that closes the attribute stays one http(s) link, its text escaped.
    assert 'service-public.fr/"><script>alert(1)</script>' in site
    # javascript: links are not findings (the checks skip them); where such a URL reaches
    # the store (evidence, values, axe help links) it is text, see test_report_units.
    source = (hostile_report / "sites" / "piege.html").read_text(encoding="utf-8")
    assert "<script>alert" not in source and "<img src=x" not in source
    assert source.count("<script") == 1
