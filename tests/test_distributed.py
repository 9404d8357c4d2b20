"""Two workers on one seed list of 50 local sites, sharing a Redis frontier.

The union of their findings must equal a single-process crawl, with no page fetched
twice. Redis and PostgreSQL are started by tests/services.sh; skipped without them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
import redis

from checks import CHECK_IDS
from crawler.store import Store
from reports.table import findings_table

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("VIGIE_TEST_REDIS_URL")
PG_URL = os.environ.get("VIGIE_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not (REDIS_URL and PG_URL), reason="Redis ou PostgreSQL non démarré (tests/services.sh)"
)
SITES, PAGES = 50, 8


@pytest.fixture(scope="module")
def synthetic_web(tmp_path_factory):
    seeds = tmp_path_factory.mktemp("web") / "sites.csv"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.demo.synthetic",
            "--sites",
            str(SITES),
            "--pages",
            str(PAGES),
            "--seeds",
            str(seeds),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline().startswith("ready")
    yield seeds
    server.terminate()
    server.wait(timeout=10)


def _args(seeds: Path, db: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        db,
        "--allow-private",
        "--quiet",
        "--no-audit",
        "--no-report",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "VIGIE_PROGRESS_INTERVAL=0",
        *extra,
    ]


def test_two_workers_crawl_like_one(synthetic_web, pg_url, tmp_path):
    single_db = f"sqlite:///{tmp_path / 'single.db'}"
    single = subprocess.run(
        _args(synthetic_web, single_db), cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert single.returncode == 0, single.stderr[-2000:]

    label = f"dist-{uuid.uuid4().hex[:8]}"
    workers = [
        subprocess.Popen(
            _args(synthetic_web, pg_url, "--redis", REDIS_URL, "--run-label", label),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]

    store = Store(pg_url)
    [run] = store.list_runs()
    assert run["label"] == label and run["status"] == "finished"
    pages = store.pages_of_run(run["id"])
    urls = [(p["site_id"], p["url"]) for p in pages]
    assert len(urls) == len(set(urls)), "a page was fetched by both workers"
    both = findings_table(store).set_index("site_id").sort_index()
    alone = findings_table(Store(single_db)).set_index("site_id").sort_index()
    assert len(both) == SITES
    columns = [*CHECK_IDS, "status", "pages_crawled", "engagement_2"]
    pd.testing.assert_frame_equal(both[columns], alone[columns], check_dtype=False)
    # Both workers took part (the shared queue spread the pages).
    stats = redis.Redis.from_url(REDIS_URL)
    assert int(stats.get(f"vigie:{label}:workers") or 0) == 0
    store.engine.dispose()
