"""The demo administration web answers the way each fixture site promises.

The crawler tests and ``vigie demo`` rely on these sites behaving exactly as declared
(closed port, slow answer, 500s, robots.txt, redirect loop, Latin-1 page, endless agenda),
so each behaviour is checked here with a plain HTTP client, and a small link checker makes
sure no page of a working site is broken by accident — only the planted 404/500 are.
"""

from __future__ import annotations

import contextlib
import csv
import io
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from crawler.demo.expected import (
    CONNECTION_REFUSED,
    EXPECTED,
    HTTP_404,
    HTTP_500,
    REDIRECT_LOOP,
    ROBOTS,
    STATED_CHECKS,
    TIMEOUT,
)
from crawler.demo.server import SITE_IDS, SITES, SITES_DIR, DemoWeb

ROOT = Path(__file__).resolve().parent.parent
SLOW_DELAY = 3.0  # the "lent" site; clients below give up after CLIENT_TIMEOUT
CLIENT_TIMEOUT = 1.0
FAILURE_SITES = {"panne", "lent", "erreur500", "interdit", "boucle"}
WORKING_SITES = [s for s in SITE_IDS if s not in FAILURE_SITES]


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb(slow_delay=SLOW_DELAY) as demo:
        yield demo


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let 3xx answers through as HTTPError so that a test can look at them."""

    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def fetch_final(url: str, timeout: float = 5.0) -> tuple[str, int, dict[str, str], bytes]:
    """Final URL (after redirects), status, headers and body; HTTP errors are answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.url, resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.url, err.code, dict(err.headers), err.read()


def fetch(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body; HTTP errors are answers too, not exceptions."""
    return fetch_final(url, timeout)[1:]


def fetch_or_give_up(url: str, timeout: float) -> None:
    """For a background client that is expected to time out."""
    with contextlib.suppress(OSError):  # URLError is an OSError
        fetch(url, timeout)


def fetch_no_redirect(url: str) -> tuple[int, dict[str, str]]:
    try:
        with _NO_REDIRECT.open(url, timeout=5) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers)


# -- working sites -------------------------------------------------------------------------


@pytest.mark.parametrize("site_id", WORKING_SITES)
def test_home_answers_200_in_french(web: DemoWeb, site_id: str) -> None:
    status, headers, body = fetch(web.url(site_id))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<html lang="fr"' in body


def test_interdit_serves_pages_but_robots_forbids_all(web: DemoWeb) -> None:
    """The content is there: only robots.txt keeps a polite crawler out."""
    assert fetch(web.url("interdit"))[0] == 200
    status, headers, body = fetch(web.url("interdit") + "robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(body.decode().splitlines())
    assert not robots.can_fetch("Vigie", web.url("interdit"))
    assert EXPECTED["interdit"].error == ROBOTS


def test_head_and_post(web: DemoWeb) -> None:
    request = urllib.request.Request(web.url("mairie") + "contact", method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 200 and resp.read() == b""
        assert int(resp.headers["Content-Length"]) > 1000
    data = b"nom=Dupont&message=Bonjour"
    with urllib.request.urlopen(web.url("mairie") + "contact/formulaire", data, 5) as resp:
        assert "bien été envoyée" in resp.read().decode()


# -- failure sites -------------------------------------------------------------------------


def test_panne_refuses_connections(web: DemoWeb) -> None:
    with pytest.raises(urllib.error.URLError) as info:
        urllib.request.urlopen(web.url("panne"), timeout=CLIENT_TIMEOUT)
    assert isinstance(info.value.reason, ConnectionRefusedError)
    assert EXPECTED["panne"].error == CONNECTION_REFUSED


def test_lent_times_out_without_blocking_other_sites(web: DemoWeb) -> None:
    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)) as info:
        urllib.request.urlopen(web.url("lent"), timeout=CLIENT_TIMEOUT)
    if isinstance(info.value, urllib.error.URLError):
        assert isinstance(info.value.reason, TimeoutError)
    assert time.monotonic() - started < SLOW_DELAY
    # While "lent" sleeps on that request (and on robots.txt), the others answer at once.
    pending = threading.Thread(target=fetch_or_give_up, args=(web.url("lent") + "robots.txt", 0.5))
    pending.start()
    started = time.monotonic()
    assert fetch(web.url("mairie"))[0] == 200
    assert time.monotonic() - started < 0.5
    pending.join()
    assert EXPECTED["lent"].error == TIMEOUT


def test_lent_answers_after_the_delay() -> None:
    with DemoWeb(slow_delay=0.3, sites=["lent"]) as demo:
        started = time.monotonic()
        status, _, body = fetch(demo.url("lent"))
        assert status == 200 and b"MDPH" in body
        assert time.monotonic() - started >= 0.3


def test_stop_does_not_wait_for_slow_answers() -> None:
    demo = DemoWeb(slow_delay=60, sites=["lent"]).start()
    client = threading.Thread(target=fetch_or_give_up, args=(demo.url("lent"), 30))
    client.start()
    time.sleep(0.2)
    started = time.monotonic()
    demo.stop()
    assert time.monotonic() - started < 2
    client.join(timeout=10)
    assert not client.is_alive()


def test_erreur500_fails_everywhere(web: DemoWeb) -> None:
    for path in ("", "robots.txt", "contact", "plan-du-site"):
        status, headers, body = fetch(web.url("erreur500") + path)
        assert status == 500
        assert "Erreur interne du serveur" in body.decode()
    assert EXPECTED["erreur500"].error == HTTP_500


def test_boucle_redirects_in_a_loop(web: DemoWeb) -> None:
    base = web.url("boucle").rstrip("/")
    hops = {"/": (302, "/a"), "/a": (301, "/b"), "/b": (301, "/a")}
    for path, (status, target) in hops.items():
        got_status, headers = fetch_no_redirect(base + path)
        assert (got_status, headers["Location"]) == (status, base + target)
    # A client that follows redirects ends up detecting the loop.
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(web.url("boucle"), timeout=5)
    info.value.close()
    assert "loop" in str(info.value.reason)
    assert EXPECTED["boucle"].error == REDIRECT_LOOP


# -- special pages ---------------------------------------------------------------------------


def test_latin1_page(web: DemoWeb) -> None:
    status, headers, body = fetch(web.url("universite") + "scolarite/accueil.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "Médiateur de l'université".encode("latin-1") in body
    assert "Médiateur".encode() not in body  # not UTF-8
    text = body.decode("iso-8859-1")
    assert "Horaires d'accueil" in text and "du lundi au vendredi de 9h à 12h" in text
    assert 'charset=iso-8859-1"' in text  # the page's own meta agrees with the header


def test_redirect_301_to_contact(web: DemoWeb) -> None:
    base = web.url("universite").rstrip("/")
    status, headers = fetch_no_redirect(base + "/ancien-contact")
    assert status == 301 and headers["Location"] == base + "/contact"
    with urllib.request.urlopen(base + "/ancien-contact", timeout=5) as resp:
        assert resp.url == base + "/contact"
        assert b"<textarea" in resp.read()


def test_planted_broken_pages(web: DemoWeb) -> None:
    base = web.url("ancien").rstrip("/")
    kinds = {404: HTTP_404, 500: HTTP_500}
    for path, kind in EXPECTED["ancien"].page_errors.items():
        status, _, body = fetch(base + path)
        assert kinds[status] == kind, path
        assert b'lang="fr"' in body
    assert b"Page introuvable" in fetch(web.url("mairie") + "nulle-part")[2]


def test_private_templates_and_path_escapes_are_not_served(web: DemoWeb) -> None:
    base = web.url("prefecture")
    assert fetch(base + "_modeles/agenda.html")[0] == 404
    assert fetch(base + "..%2F..%2Fserver.py")[0] == 404
    assert fetch(base + "static/../../mairie/index.html")[0] == 404
    status, headers = fetch_no_redirect(base + "demarches")  # a folder without its slash
    assert status == 301 and headers["Location"] == base + "demarches/"


def test_agenda_trap_is_unbounded(web: DemoWeb) -> None:
    """Following « Mois suivant » or the relative « evenements/ » never ends."""
    url = web.url("prefecture") + "agenda/"
    months = set()
    for _ in range(40):
        status, _, body = fetch(url)
        assert status == 200
        tree = lxml_html.fromstring(body)
        months.add(tree.findtext(".//h1"))
        (next_href,) = tree.xpath("//a[@rel='next']/@href")
        url = urljoin(url, next_href)
    assert len(months) == 40 and url.endswith("?month=40")
    url = web.url("prefecture") + "agenda/"
    for depth in range(1, 25):
        status, _, body = fetch(url)
        assert status == 200 and b'href="evenements/"' in body
        url = urljoin(url, "evenements/")
        assert url.count("evenements") == depth
    for query in ("?month=-13", "?month=abc", "?month=999999999999"):
        assert fetch(web.url("prefecture") + "agenda/" + query)[0] == 200


def test_mairie_sitemap_lists_pages_not_linked_from_home(web: DemoWeb) -> None:
    base = web.url("mairie").rstrip("/")
    robots = fetch(base + "/robots.txt")[2].decode()
    assert f"Sitemap: {base}/sitemap.xml" in robots and "Disallow: /admin/" in robots
    status, headers, body = fetch(base + "/sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text or "" for e in ET.fromstring(body).findall("s:url/s:loc", ns)]
    assert locs and all(loc.startswith(base + "/") for loc in locs)
    for loc in locs:
        assert fetch(loc)[0] == 200, loc
    home = fetch(base + "/")[2].decode()
    orphans = [loc for loc in locs if f'href="{loc[len(base) :]}"' not in home]
    assert base + "/vie-municipale/marches-publics" in orphans
    depth3 = [loc for loc in locs if loc[len(base) :].count("/") >= 3]
    assert depth3


def test_js_shell_is_empty_without_javascript(web: DemoWeb) -> None:
    body = fetch(web.url("demarche"))[2]
    tree = lxml_html.fromstring(body)
    assert tree.xpath("//div[@id='root']") and not tree.xpath("//div[@id='root']/*")
    assert tree.xpath("//script/@src") == ["/static/app.js"]
    status, headers, script = fetch(web.url("demarche") + "static/app.js")
    assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "Accessibilité : partiellement conforme".encode() in script


def test_prefecture_json_ld_has_the_real_base_url(web: DemoWeb) -> None:
    body = fetch(web.url("prefecture") + "contact")[2].decode()
    assert '"@type": "GovernmentOffice"' in body
    assert f'"url": "{web.url("prefecture")}"' in body and "{{base_url}}" not in body


# -- every page of the working sites -------------------------------------------------------


def _crawl(start: str, skip_prefixes: tuple[str, ...]) -> dict[str, int]:
    """Status of every same-origin page reachable by links, iframes and redirects."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < 300:
        url = queue.pop()
        if url in seen:
            continue
        final, status, headers, body = fetch_final(url)
        seen[url] = seen[final] = status
        if status != 200 or not headers.get("Content-Type", "").startswith("text/html"):
            continue
        charset = headers["Content-Type"].split("charset=")[-1]
        tree = lxml_html.fromstring(body.decode(charset))
        for href in tree.xpath("//a/@href | //iframe/@src | //link[@rel='stylesheet']/@href"):
            target = urldefrag(urljoin(final, href.strip())).url
            path = urlsplit(target).path
            if target.startswith(origin + "/") and not path.startswith(skip_prefixes):
                queue.append(target)
    return seen


@pytest.mark.parametrize("site_id", WORKING_SITES)
def test_no_accidental_broken_link(web: DemoWeb, site_id: str) -> None:
    spec = next(s for s in SITES if s.id == site_id)
    base = web.url(site_id).rstrip("/")
    statuses = _crawl(base + "/", tuple(spec.traps))
    broken = {url[len(base) :]: code for url, code in statuses.items() if code != 200}
    planted = {path for path in EXPECTED[site_id].page_errors}
    assert set(broken) == planted, broken
    for check, paths in EXPECTED[site_id].where.items():
        for path in paths:
            # A page linked only from a rendered DOM (demarche) is not reached by this
            # static walk: asked for directly.
            status = statuses.get(base + path) or fetch_final(base + path)[1]
            assert status == 200, (check, path)


# -- seeds and the answer key --------------------------------------------------------------


def test_seeds_csv(web: DemoWeb, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(web.seeds_csv())))
    assert rows and list(rows[0]) == ["id", "name", "url", "type"]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) and set(ids) == set(SITE_IDS)
    assert len({row["url"] for row in rows}) == len(rows)
    for row in rows:
        assert row["url"] == web.url(row["id"]) and row["name"] and row["type"]
    try:
        from crawler.seeds import KNOWN_TYPES
    except ImportError:  # pragma: no cover - the seeds module is someone else's
        KNOWN_TYPES = None
    if KNOWN_TYPES is not None:
        assert {row["type"] for row in rows} <= KNOWN_TYPES
    path = web.write_seeds(tmp_path / "sub" / "sites.csv")
    assert path.read_text(encoding="utf-8") == web.seeds_csv()


def test_subset_and_unknown_sites() -> None:
    with DemoWeb(sites=["mairie", "panne"]) as demo:
        assert [row.split(",")[0] for row in demo.seeds_csv().splitlines()] == [
            "id",
            "mairie",
            "panne",
        ]
        with pytest.raises(KeyError):
            demo.url("caf")
    with pytest.raises(ValueError, match="inconnu|unknown"):
        DemoWeb(sites=["mairie", "nope"])


def test_base_port_gives_stable_ports() -> None:
    for base in (47310, 48310, 49310):
        try:
            demo = DemoWeb(base_port=base).start()
        except OSError:
            continue
        try:
            for index, site_id in enumerate(SITE_IDS):
                assert demo.url(site_id) == f"http://127.0.0.1:{base + index}/"
            assert fetch(demo.url("mairie"))[0] == 200
        finally:
            demo.stop()
        return
    pytest.skip("no free block of ports")


def test_expected_covers_every_site() -> None:
    assert set(EXPECTED) == set(SITE_IDS)
    for site_id, expectation in EXPECTED.items():
        assert expectation.site_id == site_id
        if site_id in FAILURE_SITES:
            assert expectation.error and not expectation.found
        else:
            assert expectation.error is None
            assert set(expectation.found) == set(STATED_CHECKS)
            found = expectation.found_after(rendered=True)
            assert set(expectation.where) <= {c for c, f in found.items() if f}
    demarche = EXPECTED["demarche"]
    assert not any(demarche.found.values()) and all(
        demarche.found_after(True)[c] for c in ("phone", "faq", "a11y_mention")
    )
    try:
        from checks import CHECK_IDS
    except ImportError:  # pragma: no cover
        return
    assert set(STATED_CHECKS) <= set(CHECK_IDS)


def test_site_files_are_french_html() -> None:
    """Every page file declares lang="fr" and a charset; the Latin-1 one is really Latin-1.

    The exceptions are the accessibility defects planted for the audit
    (``EXPECTED[…].audit_violations``: a page without lang on the old commune site).
    """
    from crawler.demo.expected import EXPECTED

    no_lang = {
        f"{site_id}/{path.strip('/')}"
        for site_id, expected in EXPECTED.items()
        for path, rules in expected.audit_violations.items()
        if "html-has-lang" in rules
    }
    pages = [p for p in SITES_DIR.rglob("*") if p.suffix in (".html", ".htm")]
    assert len(pages) > 60
    for page in pages:
        raw = page.read_bytes()
        if page.relative_to(SITES_DIR).as_posix() in no_lang:
            assert b"<html lang=" not in raw, page
        else:
            assert b'<html lang="fr"' in raw, page
        assert b"charset=" in raw.lower(), page
        if page.relative_to(SITES_DIR).as_posix() == "universite/scolarite/accueil.html":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        else:
            raw.decode("utf-8")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_standalone_server_prints_urls_and_stops_on_signal(stop_signal: int) -> None:
    """``python -m crawler.demo.server`` lists the sites, serves, and stops cleanly."""
    command = [sys.executable, "-m", "crawler.demo.server", "--base-port", "0", "--quiet"]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            lines: list[str] = []
            while not any("Ctrl-C" in line for line in lines):
                line = proc.stdout.readline()
                assert line, proc.stderr.read()
                lines.append(line)
            mairie = next(line for line in lines if line.strip().startswith("mairie"))
            assert fetch(mairie.split()[1])[0] == 200
            proc.send_signal(stop_signal)
            assert proc.wait(timeout=10) == 0
            assert "Arrêt." in proc.stdout.read()
            assert "Warning" not in proc.stderr.read()  # e.g. runpy's double import
        finally:
            if proc.poll() is None:
                proc.kill()


def test_the_synthetic_web_serves_the_same_pages_from_its_cache():
    """``--cache-pages`` (bench/crawl_throughput.py) changes where a page comes from, never
    what it is; without it every request generates its page again."""
    from crawler.demo.synthetic import SynthWeb

    cached, plain = SynthWeb(3, 8, cache_pages=50), SynthWeb(3, 8)
    for site, path in ((0, "/"), (2, "/p/5"), (1, "/p/7")):
        first = cached.page(site, path)
        assert first == plain.page(site, path) and first is not None
        assert cached.page(site, path) is first  # kept, not generated again
        assert plain.page(site, path) is not plain.page(site, path)
    assert cached.page(1, "/p/8") is None and cached.page(1, "/p/x") is None
