"""``vigie inspect``: the JSON contract of CHECKS.md, and clear errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
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
