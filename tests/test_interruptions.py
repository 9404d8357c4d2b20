"""A run stopped before its end is left ``interrupted``, never ``finished``, and resumes
(issue 12 points 12 and 13): the memory limit, and SIGINT or SIGTERM during the audits."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import ROOT, Page, html_page, serving

from crawler.commands import exitcodes
from crawler.store import Store

SITES = 8
#: Each home page loads an image that takes this long: its audit waits for the load event.
SLOW_IMAGE_S = 2.0


def _slow_home(path: str) -> Page | None:
    if path.endswith("/lent.png"):
        time.sleep(SLOW_IMAGE_S)
        return 200, "image/png", b"\x89PNG\r\n\x1a\n"
    if path.endswith("/"):
        body = "<h1>Mairie</h1><p>Standard : 01 23 45 67 89</p><img src='lent.png' alt='Blason'>"
        return html_page(body)
    return None


@pytest.fixture(scope="module")
def web():
    """``SITES`` one-page sites on one server (a path prefix each), each home page slow to
    finish loading, so that the audit phase lasts long enough to be interrupted."""
    with serving(_slow_home) as base:
        yield base


def _seeds(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "sites.csv"
    rows = [f"m{i},Mairie {i},{base}/m{i}/,mairie" for i in range(SITES)]
    path.write_text("id,name,url,type\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _crawl_command(seeds: Path | None, db: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        *(["--seeds", str(seeds)] if seeds else []),
        "--db",
        db,
        "--quiet",
        "--allow-private",
        "--no-report",
        "--audit-pages",
        "0",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_START_DELAY=0.05",
        "-s",
        "VIGIE_PROGRESS_INTERVAL=0",
        *extra,
    ]


def test_the_memory_limit_leaves_the_run_interrupted_and_resumable(tmp_path, web):
    """Scrapy's memory extension closes the spider ("memusage_exceeded"): the run is not
    finished with every site in error but interrupted, and --resume completes it."""
    db = f"sqlite:///{tmp_path / 'v.db'}"
    limited = subprocess.run(
        _crawl_command(
            _seeds(tmp_path, web),
            db,
            "--no-audit",
            "-s",
            "MEMUSAGE_LIMIT_MB=1",
            "-s",
            "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.2",
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert limited.returncode == exitcodes.INTERRUPTED, limited.stderr[-2000:]
    assert "limite de mémoire" in limited.stderr
    store = Store(db)
    [run] = store.list_runs()
    assert run["status"] == "interrupted"
    assert run["stats"]["finish_reason"] == "memusage_exceeded"
    assert store.latest_run_id() is None  # no table or report takes it for done

    resumed = subprocess.run(
        _crawl_command(None, db, "--no-audit", "--resume", str(run["id"])),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert resumed.returncode == exitcodes.OK, resumed.stderr[-2000:]
    assert store.run(run["id"])["status"] == "finished"
    assert {site["status"] for site in store.sites_of_run(run["id"])} == {"ok"}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_audits_stops_them_and_resume_finishes_them(tmp_path, web, stop):
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("chromium absent (paquet Debian « chromium »)")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    store_path = tmp_path / "v.db"
    proc = subprocess.Popen(
        _crawl_command(_seeds(tmp_path, web), db, "-s", "VIGIE_AUDIT_SETTLE=0"),
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if store_path.exists() and Store(db, write=False).list_runs():
                run_id = Store(db, write=False).list_runs()[0]["id"]
                if Store(db, write=False).audits_of_run(run_id):
                    break  # the audit phase has begun: at least one page audited
            time.sleep(0.2)
        assert proc.poll() is None, "the run ended before its audits could be interrupted"
        proc.send_signal(stop)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == exitcodes.INTERRUPTED, err[-2000:]
    assert stopped_in < 10, f"{stopped_in:.1f} s to stop"
    store = Store(db)
    run = store.run(run_id)
    assert run["status"] == "interrupted"
    audited = len(store.audits_of_run(run_id))
    assert 0 < audited < SITES, "not stopped half-way"

    resumed = subprocess.run(
        _crawl_command(None, db, "-s", "VIGIE_AUDIT_SETTLE=0", "--resume", str(run_id)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert resumed.returncode == exitcodes.OK, resumed.stderr[-2000:]
    assert store.run(run_id)["status"] == "finished"
    audits = store.audits_of_run(run_id)
    assert sorted(a["site_id"] for a in audits) == sorted(f"m{i}" for i in range(SITES))
