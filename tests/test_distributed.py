"""Two workers on one seed list of 50 local sites, sharing a Redis frontier
(``crawler.frontier.distributed``).

The union of their findings must equal a single-process crawl, with no page stored twice,
also when a worker is killed. Redis and PostgreSQL are started by tests/services.sh;
skipped without them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


COLUMNS = [*CHECK_IDS, "status", "pages_crawled", "engagement_2"]


@pytest.fixture(scope="module")
def single_table(synthetic_web, tmp_path_factory):
    """The findings table of one process alone on the same web: the reference."""
    single_db = f"sqlite:///{tmp_path_factory.mktemp('single') / 'single.db'}"
    single = subprocess.run(
        _args(synthetic_web, single_db), cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert single.returncode == 0, single.stderr[-2000:]
    table = findings_table(Store(single_db)).set_index("site_id").sort_index()
    assert len(table) == SITES
    return table


def _worker(seeds: Path, db: str, label: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        _args(seeds, db, "--redis", REDIS_URL, "--run-label", label, *extra),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_like_one_process(store: Store, label: str, single_table) -> None:
    """One finished run, no page stored twice, the single process's table; Redis clean."""
    [run] = store.list_runs()
    assert run["label"] == label and run["status"] == "finished"
    pages = store.pages_of_run(run["id"])
    urls = [(p["site_id"], p["url"]) for p in pages]
    assert len(urls) == len(set(urls)), "a page was stored twice"
    both = findings_table(store).set_index("site_id").sort_index()
    assert len(both) == SITES
    pd.testing.assert_frame_equal(both[COLUMNS], single_table[COLUMNS], check_dtype=False)
    server = redis.Redis.from_url(REDIS_URL)
    assert server.scard(f"vigie:{label}:workers") == 0
    assert int(server.get(f"vigie:{label}:pending") or 0) == 0
    assert server.zcard(f"vigie:{label}:ready") == 0
    assert list(server.scan_iter(f"vigie:{label}:q:*")) == []  # no request left queued
    assert list(server.scan_iter(f"vigie:{label}:lease:*")) == []


def test_two_workers_crawl_like_one(synthetic_web, single_table, pg_url):
    label = f"dist-{uuid.uuid4().hex[:8]}"
    workers = [_worker(synthetic_web, pg_url, label) for _ in range(2)]
    outputs = [w.communicate(timeout=600) for w in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]

    store = Store(pg_url)
    _assert_like_one_process(store, label, single_table)
    store.engine.dispose()


def test_a_worker_killed_half_way_loses_nothing(synthetic_web, single_table, pg_url):
    """SIGKILL one of two workers mid-crawl, start it again: the table is still exact.

    The killed worker's leased requests (fetched, or being analysed, not yet stored) are
    put back in the queue by the others once its heartbeat expires (2 s here), and its
    restarted self joins the same run by its label.
    """
    label = f"kill-{uuid.uuid4().hex[:8]}"
    extra = ("-s", "VIGIE_REDIS_LEASE_TTL=2", "-s", "VIGIE_STORE_FLUSH_INTERVAL=0.5")
    victim = _worker(synthetic_web, pg_url, label, *extra)
    survivor = _worker(synthetic_web, pg_url, label, *extra)
    store = Store(pg_url)
    server = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + 300
    stored = 0
    while stored < SITES * PAGES // 5:
        assert time.monotonic() < deadline, "the crawl did not start"
        assert victim.poll() is None, "the worker finished before it could be killed"
        runs = store.list_runs()
        stored = len(store.pages_of_run(runs[0]["id"])) if runs else 0
        time.sleep(0.05)
    leases = sum(server.hlen(key) for key in server.scan_iter(f"vigie:{label}:lease:*"))
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert stored < SITES * PAGES, "killed too late to prove anything"
    assert leases > 0, "no request was in a worker's hands when it was killed"
    restarted = _worker(synthetic_web, pg_url, label, *extra)
    for worker in (survivor, restarted):
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err[-2000:]
    _assert_like_one_process(store, label, single_table)
    store.engine.dispose()


def test_two_workers_keep_the_budget_rules_of_one(pg_url, tmp_path):
    """The budget sites (``crawler/demo/frontier_web.py``) crawled by two workers: the same
    findings and pages crawled as one process, redirects to a known page and host-case
    variants resolved once across workers, 404s and the 503 counted apart."""
    from crawler.demo.frontier_web import FrontierWeb

    with FrontierWeb() as web:
        seeds = tmp_path / "sites.csv"
        seeds.write_text(web.seeds_csv(), encoding="utf-8")
        single_db = f"sqlite:///{tmp_path / 'single.db'}"
        single = subprocess.run(
            _args(seeds, single_db), cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert single.returncode == 0, single.stderr[-2000:]
        alone = findings_table(Store(single_db)).set_index("site_id").sort_index()
        asked_alone = {site: list(paths) for site, paths in web.requests.items()}
        for paths in web.requests.values():
            paths.clear()
        label = f"budget-{uuid.uuid4().hex[:8]}"
        workers = [_worker(seeds, pg_url, label) for _ in range(2)]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-2000:]
        store = Store(pg_url)
        [run] = store.list_runs()
        pages = store.pages_of_run(run["id"])
        assert len(pages) == len({(p["site_id"], p["url"]) for p in pages})
        both = findings_table(store).set_index("site_id").sort_index()
        pd.testing.assert_frame_equal(both[COLUMNS], alone[COLUMNS], check_dtype=False)
        for site in ("casse", "liensmorts"):  # every page asked once, as alone
            # (robots.txt aside: each worker reads it for the sites it crawls)
            pages_asked = sorted(p for p in web.requests[site] if p != "/robots.txt")
            assert pages_asked == sorted(p for p in asked_alone[site] if p != "/robots.txt")
        assert web.requests["casse"].count("/contact?a=1&b=2") == 1
        server = redis.Redis.from_url(REDIS_URL)
        assert list(server.scan_iter(f"vigie:{label}:*")) == []  # the last worker cleaned up
        store.engine.dispose()
