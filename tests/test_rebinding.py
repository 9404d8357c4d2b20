"""DNS rebinding: a name that answers a public address, then 127.0.0.1, never lets the
intranet's content in (issue 12, points 1 and 2).

127.0.0.2 stands for a public address (``VIGIE_ALLOWED_NETWORKS=127.0.0.2/32``, as an
operator opens a network on purpose); 127.0.0.1 is the intranet. Both serve the same
port, so that the address a name resolves to decides which one a connection reaches, and
the test resolver (:mod:`tests.scripted_dns`) makes a name change its answer after a few
lookups.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
PUBLIC, INTRANET = "127.0.0.2", "127.0.0.1"
SECRET = "INTRANET-CONFIDENTIEL"

PAGE = (
    "<!doctype html><html lang='fr'><head><title>{title}</title></head><body>"
    "<p>{title} — Standard : 02 38 12 34 56</p>{links}</body></html>"
)
URLSET = (
    '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>http://{host}/plan</loc></url></urlset>"
)


def _public(path: str, host: str) -> tuple[int, dict[str, str], str]:
    """The public web: a home behind a redirect without a body, a contact page, a sitemap."""
    if path == "/":
        return 302, {"Location": f"http://{host}/accueil"}, ""
    if path == "/robots.txt":
        return 200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow:\n"
    if path == "/sitemap.xml":
        return 200, {"Content-Type": "application/xml"}, URLSET.format(host=host)
    if path in ("/accueil", "/contact", "/plan"):
        links = '<a href="/contact">Contact</a>' if path == "/accueil" else ""
        return 200, {"Content-Type": "text/html"}, PAGE.format(title=f"Public {path}", links=links)
    return 404, {"Content-Type": "text/html"}, "<p>introuvable</p>"


def _intranet(path: str, host: str) -> tuple[int, dict[str, str], str]:
    """The intranet: everything allowed, everything secret."""
    if path == "/robots.txt":
        body = f"User-agent: *\nAllow: /\nSitemap: http://{host}/sitemap.xml\n# {SECRET}\n"
        return 200, {"Content-Type": "text/plain"}, body
    if path == "/sitemap.xml":
        return 200, {"Content-Type": "application/xml"}, URLSET.format(host=host)
    links = '<a href="/contact">Contact</a>'
    return 200, {"Content-Type": "text/html"}, PAGE.format(title=SECRET, links=links)


@contextmanager
def _two_addresses() -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """The public web on 127.0.0.2 and the intranet on 127.0.0.1, on one port; yields the
    port and the (Host header, path) of each request the intranet got."""
    intranet_hits: list[tuple[str, str]] = []

    def handler(answer, hits):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 (http.server's naming)
                host = self.headers.get("Host", "")
                if hits is not None:
                    hits.append((host, self.path))
                status, headers, body = answer(self.path, host)
                data = body.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    for _ in range(50):  # a port free on both addresses
        public = ThreadingHTTPServer((PUBLIC, 0), handler(_public, None))
        port = public.server_address[1]
        try:
            intranet = ThreadingHTTPServer((INTRANET, port), handler(_intranet, intranet_hits))
            break
        except OSError:
            public.server_close()
    else:
        pytest.fail("aucun port libre à la fois sur 127.0.0.1 et 127.0.0.2")
    servers = (public, intranet)
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield port, intranet_hits
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_a_name_that_rebinds_to_the_intranet_gets_nothing_in(tmp_path):
    """Three names answer 127.0.0.2 (public) for their first one, two or three lookups,
    then 127.0.0.1: whichever request the answer changes for (robots.txt before it
    leaves, robots.txt once connected, the home page once connected), nothing the intranet
    serves is read or stored, and each site is an error that says why. A fourth name,
    always public, is crawled as usual (its home redirects with an empty body: its peer
    address is known too)."""
    with _two_addresses() as (port, intranet_hits):
        names = {k: f"rebind-{k}.test" for k in (1, 2, 3)}
        script = ";".join(f"{n}={PUBLIC}*{k},{INTRANET}" for k, n in names.items())
        script += f";public.test={PUBLIC}"
        seeds = tmp_path / "sites.csv"
        rows = [f"r{k},Rebind {k},http://{n}:{port}/,mairie" for k, n in names.items()]
        rows.append(f"ok,Témoin,http://public.test:{port}/,mairie")
        seeds.write_text("id,name,url,type\n" + "\n".join(rows) + "\n", encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'v.db'}"
        done = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--seeds", str(seeds), "--db", db]
            + ["--quiet", "--no-audit", "--no-report"]
            + ["-s", f"VIGIE_ALLOWED_NETWORKS={PUBLIC}/32"]
            + ["-s", "TWISTED_DNS_RESOLVER=tests.scripted_dns.ScriptedResolver"]
            + ["-s", f"SCRIPTED_DNS={script}"]
            + ["-s", "VIGIE_ANALYSIS_WORKERS=0", "-s", "AUTOTHROTTLE_START_DELAY=0.05"]
            + ["-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    store = Store(db)
    run_id = store.latest_run_id()
    pages = store.pages_of_run(run_id)
    assert not [p for p in pages if SECRET in (p["title"] or "")], (pages, intranet_hits)
    assert {p["site_id"] for p in pages} == {"ok"}, (pages, intranet_hits)
    control = {p["url"].split(f":{port}", 1)[1] for p in pages}
    assert {"/accueil", "/contact", "/plan"} <= control, control
    table = findings_table(store, run_id).set_index("site_id")
    assert table.loc["ok", "status"] == "ok", table.loc["ok", "reason"]
    for k, name in names.items():
        row = table.loc[f"r{k}"]
        assert row["status"] == "error", (k, row["reason"], intranet_hits)
        assert "adresse privée ou locale refusée" in row["reason"], (k, row["reason"])
        assert f"{name} (connecté à 127.0.0.1)" in row["reason"] or k == 1, row["reason"]
    # The intranet was never asked for anything but robots.txt and the home page, and what
    # it answered was dropped (the first name was refused before its request left).
    assert not [h for h in intranet_hits if h[0].startswith(names[1])], intranet_hits
    assert {path for _, path in intranet_hits} <= {"/robots.txt", "/"}, intranet_hits
