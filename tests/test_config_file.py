"""``vigie.toml``: a scheduled crawl's flags kept in a file, flags winning over it, every
mistake named by file, line and key (issue 16 point 6)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support import ROOT, html_page, serving, vigie

from crawler.commands import exitcodes
from crawler.commands.config import markdown
from crawler.store import Store


def vigie_here(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``vigie`` from ``cwd``, where a vigie.toml may be, Vigie's sources on the path."""
    return vigie(*args, cwd=cwd, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def site():
    pages = {f"/p{i}": html_page(f"<a href='/p{i + 1}'>Page {i + 1}</a>") for i in range(10)}
    pages["/"] = html_page("<a href='/p0'>Page 0</a><p>Standard : 01 23 45 67 89</p>")
    with serving(pages) as base:
        yield f"{base}/"


def _project(tmp_path: Path, site: str, crawl_lines: str) -> Path:
    folder = tmp_path / "veille"
    folder.mkdir()
    (folder / "sites.csv").write_text(f"id,name,url,type\nm,Mairie,{site},mairie\n")
    (folder / "vigie.toml").write_text(
        'db = "sqlite:///resultats.db"\n\n[crawl]\nseeds = "sites.csv"\n' + crawl_lines
    )
    return folder


SETTINGS = (
    "allow_private = true\naudit = false\nreports = false\n\n[crawl.settings]\n"
    "DOWNLOAD_DELAY = 0\nAUTOTHROTTLE_START_DELAY = 0.05\nVIGIE_PROGRESS_INTERVAL = 0\n"
)


def test_a_crawl_takes_its_flags_from_the_file_and_flags_win(tmp_path, site):
    folder = _project(tmp_path, site, "max_pages_per_site = 4\n" + SETTINGS)
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    done = vigie_here("crawl", "--config", str(folder / "vigie.toml"), cwd=elsewhere)
    assert done.returncode == 0, done.stderr[-2000:]
    store = Store(f"sqlite:///{folder / 'resultats.db'}")  # relative to the file's folder
    [run] = store.list_runs()
    assert run["settings"]["VIGIE_MAX_PAGES_PER_SITE"] == 4
    assert store.sites_of_run(run["id"])[0]["pages_crawled"] == 4

    flagged = vigie_here("crawl", "--max-pages-per-site", "2", cwd=folder)  # vigie.toml found here
    assert flagged.returncode == 0, flagged.stderr[-2000:]
    second = store.list_runs()[-1]
    assert second["settings"]["VIGIE_MAX_PAGES_PER_SITE"] == 2
    listing = json.loads(vigie_here("runs", "--json", cwd=folder).stdout)
    assert len(listing) == 2


@pytest.mark.parametrize(
    "lines, words",
    [
        ("max_pages = 4\n", ("ligne 5", "crawl.max_pages", "clé inconnue")),
        ("max_pages_per_site = -5\n", ("ligne 5", "crawl.max_pages_per_site", "positif")),
        ("audit = 'non'\n", ("ligne 5", "crawl.audit", "true ou false")),
        ("max_error_rate = 150\n", ("ligne 5", "crawl.max_error_rate", "entre 0 et 1")),
        ("depth = \n", ("syntaxe TOML invalide", "ligne 5, colonne")),
    ],
)
def test_a_mistake_in_the_file_names_the_file_the_line_and_the_key(tmp_path, lines, words):
    folder = _project(tmp_path, "http://127.0.0.1:9/", lines)
    proc = vigie_here("crawl", cwd=folder)
    assert proc.returncode == exitcodes.USAGE, proc.stderr
    assert proc.stderr.count("\n") == 1 and "vigie.toml" in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr
    assert not (folder / "resultats.db").exists()


def test_an_unknown_section_and_a_missing_file_are_errors(tmp_path):
    (tmp_path / "vigie.toml").write_text("[crawll]\nseeds = 'x.csv'\n")
    proc = vigie_here("runs", cwd=tmp_path)
    assert proc.returncode == exitcodes.USAGE and "ligne 1" in proc.stderr
    assert "section inconnue [crawll]" in proc.stderr
    missing = vigie_here("runs", "--config", "absent.toml", cwd=tmp_path)
    assert missing.returncode == exitcodes.USAGE and "introuvable" in missing.stderr


def test_the_documented_keys_are_the_code_s():
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == markdown(), "docs/configuration.md is stale (crawler/commands/config.py)"
