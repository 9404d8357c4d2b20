"""Deep documents (issue 12.8): read whole, or the page is an error — never read in part.

libxml2 stops building the tree past a nesting depth (256 levels; 2,048 with ``huge_tree``)
and lxml returns what it had: 300 unclosed ``<span>`` before the content made a page whose
phone number and accessibility mention are shown read as if it had neither.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from checks import run_checks
from checks.page import Page, UnreadablePage
from crawler.cli import main as vigie

ROOT = Path(__file__).resolve().parents[1]
CONTENT = (
    "<p>Accueil de la mairie : 01 23 45 67 89</p>"
    "<p><a href='/accessibilite'>Accessibilité : partiellement conforme</a></p>"
)
UNCLOSED_SPANS = f"<html><body>{'<span>' * 300}{CONTENT}</body></html>"
NESTED_DIVS = f"<html><body>{'<div>' * 200_000}{CONTENT}{'</div>' * 200_000}</body></html>"
#: Just inside what the parser reads: 2,000 levels (and the <html>, <body> around them).
DEEP_BUT_READ = f"<html><body>{'<div>' * 2_000}{CONTENT}{'</div>' * 2_000}</body></html>"
URL = "https://www.mairie-exemple.fr/"


def _timed(action, *args):
    started = time.monotonic()
    value = action(*args)
    return value, time.monotonic() - started


@pytest.mark.parametrize("markup", [UNCLOSED_SPANS, DEEP_BUT_READ], ids=["spans", "2000 divs"])
def test_content_past_256_levels_is_read(markup):
    results, seconds = _timed(lambda: run_checks(Page(markup, URL)))
    assert results["phone"].found and results["phone"].value[0]["e164"] == "+33123456789"
    assert results["a11y_mention"].found and results["a11y_mention"].value == "partiellement"
    assert results["a11y_mention"].evidence[0].xpath.endswith("/p[2]/a")
    assert seconds < 5


def test_a_page_deeper_than_the_parser_reads_is_an_error_that_says_why():
    with pytest.raises(UnreadablePage) as raised:
        _timed(Page, NESTED_DIVS, URL)
    message = str(raised.value)
    assert message.startswith("page illisible : plus de 2\u202f048 éléments imbriqués")
    assert "la suite de la page n'a pas été lue" in message


def test_a_page_deeper_than_the_parser_reads_is_an_error_within_seconds():
    started = time.monotonic()
    with pytest.raises(UnreadablePage):
        Page(NESTED_DIVS, URL)
    assert time.monotonic() - started < 5


def test_any_stop_of_the_parser_makes_the_page_an_error():
    """A lone surrogate (a str no decoder of bytes gives, but a caller might) stopped
    libxml2 at the first byte: the page read as empty."""
    with pytest.raises(UnreadablePage, match="^page illisible : l'analyseur HTML s'est arrêté"):
        Page(f"<p>\ud800</p>{CONTENT}", URL)


def test_vigie_inspect_reads_the_spans_and_says_the_deep_page_is_unreadable(tmp_path, capsys):
    spans, divs = tmp_path / "spans.html", tmp_path / "divs.html"
    spans.write_text(UNCLOSED_SPANS, encoding="utf-8")
    divs.write_text(NESTED_DIVS, encoding="utf-8")
    assert vigie(["inspect", str(spans), "--json"]) == 0
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks["phone"]["found"] and checks["a11y_mention"]["found"]
    assert vigie(["inspect", str(divs)]) != 0
    err = capsys.readouterr().err
    assert "page illisible : plus de 2\u202f048 éléments imbriqués" in err
    assert "Traceback" not in err


class _Site(BaseHTTPRequestHandler):
    PAGES = {
        "/": "<html><body><a href='/spans'>Contact</a> <a href='/profond'>Accès</a></body></html>",
        "/spans": UNCLOSED_SPANS,
        "/profond": NESTED_DIVS,
    }

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        body = self.PAGES.get(self.path, "").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_crawl_stores_the_deep_page_as_an_analysis_error_and_reads_the_spans(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    seeds = tmp_path / "sites.csv"
    seeds.write_text(f"id,name,url,type\nprofond,Mairie profonde,{site}/,mairie\n")
    db = tmp_path / "v.db"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--seeds", str(seeds)]
            + ["--db", f"sqlite:///{db}", "--allow-private", "--quiet", "--no-audit"]
            + ["--no-report", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr[-2000:]
    with sqlite3.connect(db) as con:
        errors = con.execute(
            "SELECT url, kind, reason FROM crawl_errors WHERE kind = 'analyse'"
        ).fetchall()
        found = dict(
            con.execute(
                "SELECT f.check_id, f.status FROM findings f JOIN pages p ON p.id = f.page_id"
                " WHERE p.url LIKE '%/spans'"
            ).fetchall()
        )
    [(url, _, reason)] = errors
    assert url.endswith("/profond")
    assert "page illisible : plus de 2\u202f048 éléments imbriqués" in reason
    assert found["phone"] == "found" and found["a11y_mention"] == "found"
