"""``vigie inspect``: the JSON contract of the data dictionary, and clear errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from checks import CHECK_IDS

HTML = """<!doctype html><html lang="fr"><head><title>Contact — Mairie</title></head><body>
<p>Standard : 02 38 12 34 56</p>
<footer><a href="/accessibilite">Accessibilité : partiellement conforme</a>
<a href="https://www.service-public.fr/">Service-Public.fr</a></footer></body></html>"""


def _vigie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_inspect_json_follows_the_contract(tmp_path):
    page = tmp_path / "contact.html"
    page.write_text(HTML, encoding="utf-8")
    proc = _vigie("inspect", str(page), "--base-url", "https://www.mairie-a.fr/contact", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["url"] == "https://www.mairie-a.fr/contact"
    assert set(out["checks"]) == set(CHECK_IDS)
    for result in out["checks"].values():
        assert set(result) >= {"found", "value", "evidence"}
        assert isinstance(result["found"], bool)
    assert out["checks"]["phone"]["found"] is True
    assert out["checks"]["service_public_link"]["found"] is True
    evidence = out["checks"]["service_public_link"]["evidence"][0]
    assert evidence["url"] == "https://www.mairie-a.fr/contact"
    assert evidence["xpath"].startswith("/html/")


def test_inspect_readable_summary_in_french(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(HTML, encoding="utf-8")
    proc = _vigie("inspect", str(page))
    assert proc.returncode == 0, proc.stderr
    assert "trouvé" in proc.stdout and "phone" in proc.stdout


def test_inspect_unreadable_input_exits_non_zero(tmp_path):
    proc = _vigie("inspect", str(tmp_path / "absent.html"), "--json")
    assert proc.returncode != 0
    assert "illisible" in proc.stderr
    assert proc.stdout == ""
    empty = tmp_path / "vide.html"
    empty.write_text("")
    proc = _vigie("inspect", str(empty), "--json")
    assert proc.returncode != 0 and "vide" in proc.stderr


def test_inspect_render_checks_the_rendered_dom_and_audits_it(tmp_path):
    """``--render``: scripts run, the checks see their output, axe audits the page."""
    import shutil

    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        import pytest

        pytest.skip("chromium absent (paquet Debian « chromium »)")
    page = tmp_path / "app.html"
    page.write_text(
        """<!doctype html><html lang="fr"><head><title>Démarche</title></head><body>
        <main id="app"></main><img src="logo.png">
        <script>document.getElementById('app').innerHTML =
          '<p>Standard : 02 61 91 00 10</p>';</script></body></html>""",
        encoding="utf-8",
    )
    static = json.loads(_vigie("inspect", str(page), "--json").stdout)
    assert static["checks"]["phone"]["found"] is False  # only a script writes it
    assert "audit" not in static
    proc = _vigie("inspect", str(page), "--render", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["checks"]["phone"]["found"] is True
    audit = out["audit"]
    assert audit["axe_version"] >= "4.11" and audit["error"] is None
    image_alt = next(v for v in audit["violations"] if v["id"] == "image-alt")
    assert "RGAA-1.1.1" in image_alt["rgaa"]
    assert image_alt["nodes"][0]["target"] and "<img" in image_alt["nodes"][0]["html"]
    assert isinstance(audit["needs_review"], list)
    # The rendered checks, on the rendered page and the browser's figures (issue 15.1): no
    # viewport meta, so not mobile-ready; the EcoIndex of the page's own figures.
    from checks import ecoindex

    rendered = out["rendered"]
    assert set(rendered) == {"mobile_ready", "ecoindex", "plain_language"}
    assert rendered["mobile_ready"]["found"] is False
    assert rendered["mobile_ready"]["value"]["viewport"] is None
    eco = rendered["ecoindex"]["value"]
    assert eco["score"] == ecoindex.score(eco["dom_elements"], eco["requests"], eco["transfer_kb"])
    assert rendered["ecoindex"]["engagement"] == 9
    assert rendered["plain_language"]["found"] is False  # one line of text: too short


@contextmanager
def _site(host: str, answer) -> Iterator[tuple[str, list[str]]]:
    """A server on ``host`` answering ``answer(path)`` → (status, headers, body); yields
    its address and the paths it was asked for."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            status, headers, body = answer(self.path)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _page(path: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, HTML.encode()


def test_inspect_refuses_private_addresses_unless_allowed():
    """A private address is refused before any request is sent, also behind a name
    (``localhost``); ``--allow-private`` lifts the rule."""
    with _site("127.0.0.1", _page) as (base, hits):
        port = base.rsplit(":", 1)[1]
        for url, shown in (
            (f"{base}/contact", "127.0.0.1"),
            (f"http://localhost:{port}/", "localhost"),
        ):
            proc = _vigie("inspect", url, "--json")
            assert proc.returncode != 0 and proc.stdout == ""
            assert f"adresse privée ou locale refusée : {shown}" in proc.stderr, proc.stderr
            assert "--allow-private" in proc.stderr
        assert hits == []
        proc = _vigie("inspect", f"{base}/contact", "--json", "--allow-private")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["checks"]["phone"]["found"] is True
        assert hits == ["/contact"]


def test_inspect_does_not_follow_a_redirect_to_a_private_address(monkeypatch, capsys):
    """A public page (127.0.0.2, opened as the tests do with VIGIE_ALLOWED_NETWORKS) that
    redirects to the intranet: the redirect's connection is refused before its request
    leaves, the command exits non-zero with a French message and prints no finding."""
    from crawler import settings
    from crawler.cli import main

    monkeypatch.setattr(settings, "VIGIE_ALLOWED_NETWORKS", ["127.0.0.2/32"], raising=False)
    with _site("127.0.0.1", _page) as (intranet, intranet_hits):
        target = f"{intranet}/intranet"

        def public(path: str) -> tuple[int, dict[str, str], bytes]:
            if path == "/contact":
                return 302, {"Location": target}, b""
            return _page(path)

        with _site("127.0.0.2", public) as (base, public_hits):
            assert main(["inspect", f"{base}/accueil", "--json"]) == 0  # public: read
            capsys.readouterr()
            code = main(["inspect", f"{base}/contact", "--json"])
            out, err = capsys.readouterr()
    assert public_hits == ["/accueil", "/contact"]
    assert intranet_hits == []
    assert code != 0 and out == ""
    assert "adresse privée ou locale refusée : 127.0.0.1" in err, err
    assert f"page non lue : {base}/contact" in err


def test_inspect_render_gives_the_browser_the_same_rule(monkeypatch, tmp_path, capsys):
    """``--render``: the audit browser gets the address rule as its navigation guard
    (none with ``--allow-private``)."""
    import asyncio

    from crawler import audit
    from crawler.cli import main

    page = tmp_path / "p.html"
    page.write_text(HTML, encoding="utf-8")
    given: list[dict] = []

    def recording(urls, **kwargs):
        given.append(kwargs)
        return [audit.AuditResult(url=urls[0], axe_version=None, error="pas de navigateur")]

    monkeypatch.setattr(audit, "audit_urls", recording)
    assert main(["inspect", str(page), "--render", "--json"]) == 0
    assert main(["inspect", str(page), "--render", "--json", "--allow-private"]) == 0
    capsys.readouterr()
    guarded, unguarded = (kwargs["navigation_guard"] for kwargs in given)
    assert unguarded is None
    # and the rule for the address Chromium connected to (DNS rebinding), open with the flag
    rules = [kwargs["address_rule"] for kwargs in given]
    assert not rules[0].allow_private and rules[1].allow_private
    out = json.loads(_vigie("inspect", str(page), "--json").stdout)
    assert "rendered" not in out
    assert asyncio.run(guarded("http://10.0.0.7/")).startswith("adresse privée")
    assert asyncio.run(guarded("http://93.184.216.34/")) is None
