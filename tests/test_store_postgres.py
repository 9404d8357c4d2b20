"""The store on PostgreSQL (the scale-out database), started by tests/services.sh.

Skipped, with the reason, where no PostgreSQL was started (``VIGIE_TEST_PG_URL`` unset).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from crawler.demo.server import DemoWeb
from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("VIGIE_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not ADMIN_URL, reason="PostgreSQL non démarré (tests/services.sh, VIGIE_TEST_PG_URL)"
)


def test_a_crawl_into_postgresql_accumulates_runs(pg_url):
    with DemoWeb(slow_delay=6) as web:
        seeds = Path(os.environ.get("TMPDIR", "/tmp")) / f"{uuid.uuid4().hex}.csv"
        seeds.write_text(
            "id,name,url,type\n"
            f"mairie,Mairie,{web.url('mairie')},mairie\n"
            f"panne,Panne,{web.url('panne')},autre\n",
            encoding="utf-8",
        )
        for label in ("premier", "second"):
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "crawler.cli",
                    "crawl",
                    "--seeds",
                    str(seeds),
                    "--db",
                    pg_url,
                    "--allow-private",
                    "--quiet",
                    "--no-report",
                    "--run-label",
                    label,
                    "-s",
                    "DOWNLOAD_TIMEOUT=2",
                    "-s",
                    "AUTOTHROTTLE_START_DELAY=0.05",
                    "-s",
                    "VIGIE_AUDIT_OTHER_PAGES=1",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 0, proc.stderr[-2000:]
        seeds.unlink()
    store = Store(pg_url)
    assert [r["label"] for r in store.list_runs()] == ["premier", "second"]
    first, second = (findings_table(store, r["id"]).set_index("site_id") for r in store.list_runs())
    for table in (first, second):
        assert table.loc["mairie", "status"] == "ok"
        assert table.loc["mairie", "phone"] == "found"
        assert table.loc["mairie", "pages_audited"] >= 1
        assert table.loc["panne", "status"] == "error"
    store.engine.dispose()
