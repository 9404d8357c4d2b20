"""The distributed frontier's Lua scripts (``crawler.frontier.lua``), step by step, on the
test Redis (``VIGIE_TEST_REDIS_URL``; skipped without it).

The scripts are the frontier's rules on Redis: each test plays what two workers would ask
and checks the run's state. ``tests/test_distributed.py`` runs whole crawls on them.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from types import SimpleNamespace

import pytest
import redis
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler import signals as vigie_signals
from crawler.frontier import lua
from crawler.frontier.distributed import RedisFrontierScheduler
from crawler.items import PageItem
from crawler.seeds import Seed
from crawler.spiders.sites import SiteInfo, SitesSpider
from tests.test_frontier import HOME, _request

REDIS_URL = os.environ.get("VIGIE_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="Redis non démarré (tests/services.sh)")

CAP, MAX_PAGES, MAX_FAILED, MAX_VARIANTS = 2, 4, 3, 2
DAY = 86_400_000  # a time budget no test reaches (ms)


class Run:
    """One distributed run's scripts on a fresh key prefix."""

    def __init__(self, server: redis.Redis) -> None:
        self.server = server
        self.prefix = f"vigie:test-{uuid.uuid4().hex[:8]}:"
        self.scripts = {
            name: server.register_script(lua.PRELUDE + getattr(lua, name.upper()))
            for name in ("admit", "take", "record", "reap", "leave")
        }

    def call(self, name: str, *extra):
        args = [self.prefix, CAP, MAX_PAGES, MAX_FAILED, *extra]
        return self.scripts[name](args=args)

    def admit(self, *requests: tuple, mode: str = "new") -> list[str]:
        """``requests``: (site, url, lane, priority[, variant key])."""
        fields: list = []
        for site, url, lane, priority, *variant in requests:
            home = "1" if url.endswith("/home") else "0"
            fields += [mode, site, url, lane, priority, url, variant[0] if variant else ""]
            fields += ["k", home, "0"]
        reply = self.call("admit", MAX_VARIANTS, *fields)
        return [r.decode() if isinstance(r, bytes) else r for r in reply[:-3]]

    def take(
        self, worker: str, n: int = 10, delay: int = 0, open_sites: int = 500
    ) -> list[tuple[str, str]]:
        reply = self.call("take", worker, n, delay, DAY, open_sites)
        got = reply[5:]
        return [(t.decode(), m.decode()) for t, m in zip(got[::2], got[1::2], strict=True)]

    def record(self, worker: str, *events: tuple[str, str]) -> list[int]:
        return self.call("record", worker, *(x for event in events for x in event))

    def beat(self, worker: str, ttl_ms: int = 60_000) -> None:
        self.server.set(f"{self.prefix}alive:{worker}", 1, px=ttl_ms)
        self.server.sadd(self.prefix + "workers", worker)

    def site(self, site: str) -> dict[str, int]:
        raw = self.server.hgetall(f"{self.prefix}site:{site}")
        return {k.decode(): int(float(v)) for k, v in raw.items() if k != b"closed"}

    def pending(self) -> int:
        return int(self.server.get(self.prefix + "pending") or 0)

    def clear(self) -> None:
        for key in self.server.scan_iter(self.prefix + "*"):
            self.server.delete(key)


@pytest.fixture
def run():
    server = redis.Redis.from_url(REDIS_URL)
    one = Run(server)
    yield one
    one.clear()


def test_admission_refuses_duplicates_other_sites_and_extra_query_variants(run):
    assert run.admit(("s", "u/home", "home", 999)) == ["queued"]
    assert run.admit(
        ("s", "u/home", "home", 999),
        ("s", "u/a", "contact", 90),
        ("t", "u/b", "other", 0),  # site t has no home in scope yet: not its domain
        ("s", "u/c?1", "other", 0, "c"),
        ("s", "u/c?2", "other", 0, "c"),
        ("s", "u/c?3", "other", 0, "c"),
    ) == ["duplicate", "queued", "offsite", "queued", "queued", "variants"]
    assert run.pending() == 4


def test_one_page_of_each_kind_first_within_the_in_flight_cap(run):
    run.admit(("s", "u/home", "home", 999))
    [(home, _)] = run.take("w")
    run.record("w", (home, "page"))
    run.admit(
        ("s", "u/d1", "accessibility", 99),
        ("s", "u/d2", "accessibility", 99),
        ("s", "u/d3", "accessibility", 99),
        ("s", "u/contact", "contact", 99),
        ("s", "u/ml", "legal_notice", 59),
    )
    first = run.take("w")
    assert [m for _, m in first] == ["u/d1", "u/contact"]  # the cap: 2 in flight
    assert run.take("w") == []
    run.record("w", (first[0][0], "page"), (first[1][0], "page"))
    # The legal notice before a second declaration; then the budget (4) is full.
    [(ml, member)] = run.take("w")
    assert member == "u/ml"
    run.record("w", (ml, "page"))
    assert run.site("s")["queued"] == 0  # what was left is dropped


def test_failures_give_their_place_back_and_the_budget_closes_the_site(run):
    run.admit(("s", "u/home", "home", 999))
    run.admit(*(("s", f"u/p{n}", "other", 10 - n) for n in range(8)))
    taken = []
    while got := run.take("w", n=1):
        [(token, member)] = got
        taken.append(member)
        run.record("w", (token, "failed" if member in ("u/p0", "u/p1") else "page"))
    # home + 3 pages = the budget of 4; the two failures did not count
    assert taken == ["u/home", "u/p0", "u/p1", "u/p2", "u/p3", "u/p4"]
    state = run.site("s")
    assert (state["pages"], state["failed"], state["queued"]) == (4, 2, 0)
    assert run.admit(("s", "u/later", "other", 50)) == ["closed"]
    # leased until stored: then nothing is pending in the run
    assert run.pending() == 6
    for key, _ in [(k.decode(), v) for k, v in run.server.hgetall(run.prefix + "lease:w").items()]:
        run.record("w", (key, "stored"))
    assert run.pending() == 0


def test_politeness_reserves_the_next_time_of_a_site_for_every_worker(run):
    run.admit(("s", "u/home", "home", 999))
    [(home, _)] = run.take("w1", delay=60_000)
    run.record("w1", (home, "page"))
    run.admit(("s", "u/a", "other", 5), ("s", "u/b", "other", 4))
    reply = run.call("take", "w2", 10, 60_000, DAY, 500)
    assert reply[5:] == []  # nothing for another worker: the site's next turn is later
    assert 50_000 < reply[4] <= 60_000  # how long to wait, once
    run.server.zadd(run.prefix + "ready", {"s": 0})  # as if the minute had passed
    assert [m for _, m in run.take("w2", delay=60_000)] == ["u/a"]  # one, then wait again


def test_a_site_starts_only_when_fewer_than_the_open_sites_are_open(run):
    """Room for two open sites: the third seed's home waits until a site is done (its
    time budget counts from its first request, not from the run's start)."""
    for site in "abc":
        run.admit((site, f"{site}/home", "home", 999))
    taken = run.take("w", open_sites=2)
    assert [m for _, m in taken] == ["a/home", "b/home"]
    assert run.take("w", open_sites=2) == []
    home_a = taken[0][0]
    run.record("w", (home_a, "page"))
    run.admit(("a", "a/contact", "contact", 90))
    [(contact, member)] = run.take("w", open_sites=2)
    assert member == "a/contact"  # an open site goes before a fresh one
    run.record("w", (contact, "page"), (home_a, "stored"), (contact, "stored"))  # a is done
    assert [m for _, m in run.take("w", open_sites=2)] == ["c/home"]
    assert run.server.hget(run.prefix + "site:c", "started") is not None


def test_a_dead_workers_leases_go_back_with_their_budget_places(run):
    run.beat("dead", ttl_ms=50)
    run.beat("alive")
    run.admit(("s", "u/home", "home", 999))
    [(home, _)] = run.take("dead")
    run.record("dead", (home, "page"))  # fetched, not stored yet
    run.admit(("s", "u/a", "contact", 90), ("s", "u/b", "other", 5))
    out = run.take("dead")
    assert len(out) == 2 and run.site("s")["reserved"] == 2
    time.sleep(0.1)
    assert run.call("reap") == 3
    state = run.site("s")
    assert (state["pages"], state["reserved"], state["out"], state["queued"]) == (0, 0, 0, 3)
    assert run.pending() == 3
    assert [m for _, m in run.take("alive", n=3)] == ["u/home", "u/a"]  # the cap: 2
    assert run.server.smembers(run.prefix + "workers") == {b"alive"}
    last, moved = run.call("leave", "alive")
    assert (last, moved) == (1, 2)  # its own leases back in the queue as it leaves
    assert run.site("s")["queued"] == 3 and run.pending() == 3


def test_a_dead_workers_leases_do_not_reopen_a_site_closed_meanwhile(run):
    """A site closed by its failures while a worker that then died held one of its
    requests: the request given back is dropped, not fetched from a site given up on."""
    run.beat("dead", ttl_ms=50)
    run.beat("alive")
    run.admit(("s", "u/home", "home", 999))
    [(home, _)] = run.take("alive")
    run.record("alive", (home, "page"), (home, "stored"))
    run.admit(*(("s", f"u/p{n}", "other", 10 - n) for n in range(6)))
    assert len(run.take("dead", n=1)) == 1
    for _ in range(MAX_FAILED):
        [(token, _)] = run.take("alive", n=1)
        run.record("alive", (token, "failed"), (token, "drop"))
    assert run.site("s")["queued"] == 0  # closed by its failures: what was left is dropped
    time.sleep(0.1)
    assert run.call("reap") == 1
    assert run.site("s")["queued"] == 0
    assert run.take("alive") == []
    assert run.pending() == 0


@pytest.fixture
def worker():
    """``worker(seeds, **settings)``: one worker's scheduler and its crawler on a fresh run
    key of the test Redis, as a crawl builds them; the run's keys are deleted afterwards."""
    run_key = f"test-{uuid.uuid4().hex[:8]}"

    def make(seeds: list[Seed] | None = None, **overrides):
        settings = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
        settings.update(
            VIGIE_ANALYSIS_WORKERS=0,
            DOWNLOAD_DELAY=0,
            VIGIE_REDIS_URL=REDIS_URL,
            VIGIE_REDIS_RUN_KEY=run_key,
            **overrides,
        )
        crawler = get_crawler(SitesSpider, settings)
        scheduler = RedisFrontierScheduler(crawler)
        scheduler.spider = SitesSpider.from_crawler(crawler, seeds=seeds or [])
        # What Scrapy's engine does with a request the scheduler obtained: hand it back.
        crawler.engine = SimpleNamespace(crawl=scheduler.enqueue_request)
        scheduler._listen()
        return crawler, scheduler

    yield make
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"vigie:{run_key}:*"):
        server.delete(key)


def _stored_page(crawler, request) -> None:
    """Downloaded, analysed, stored: the signals a crawl sends for a page."""
    send = crawler.signals.send_catch_log
    send(signals.request_left_downloader, request=request, spider=None)
    send(vigie_signals.download_outcome, request=request, page=True)
    item = PageItem(None, "s", request.url, 200, 1, 100, 0.1, None, False, None, [])
    send(signals.item_scraped, item=item, response=None, spider=None)
    send(vigie_signals.items_stored, items=[item])


def test_a_redirect_to_a_page_being_fetched_leaves_that_pages_lease_alone(worker):
    """``/services`` (301 → ``/services/``) and ``/services/`` taken by one worker at once:
    the redirect, dropped as a redirect to a known page, releases its own lease and not
    the lease of ``/services/``, which its item releases once stored. Before, the second
    lease was lost in the worker (looked up by URL): never released, the run stayed
    pending for ever and its workers never finished (``test_distributed.py``, the
    ``liensmorts`` site)."""
    crawler, scheduler = worker()
    send = crawler.signals.send_catch_log

    async def play() -> tuple[int, int]:
        await scheduler._connect()
        try:
            assert scheduler.enqueue_request(_request(HOME))
            await scheduler._flush()
            await scheduler._take(16)
            home = scheduler.next_request()
            assert home is not None and home.url == HOME
            _stored_page(crawler, home)
            scheduler.enqueue_request(_request("http://127.0.0.1:8000/services/", "Services"))
            scheduler.enqueue_request(_request("http://127.0.0.1:8000/services", "Démarche"))
            await scheduler._flush()
            assert (await scheduler._take(16))[0] == 2
            first, second = scheduler.next_request(), scheduler.next_request()
            slashless = first if first.url.endswith("/services") else second
            slashed = second if slashless is first else first
            assert slashed.url == "http://127.0.0.1:8000/services/"
            # /services answered 301 → /services/: it comes back to the scheduler.
            send(signals.request_left_downloader, request=slashless, spider=None)
            redirected = slashless.replace(url=slashed.url)
            redirected.meta["redirect_urls"] = [slashless.url]
            assert scheduler.enqueue_request(redirected)
            await scheduler._flush()  # admitted as a redirect: to a known page
            await scheduler._flush()  # its lease released
            assert crawler.stats.get_value("vigie/redirects_to_known") == 1
            _stored_page(crawler, slashed)
            await scheduler._flush()
            server = redis.Redis.from_url(REDIS_URL)
            leases = server.hlen(f"{scheduler.prefix}lease:{scheduler.worker_id}")
            return int(server.get(f"{scheduler.prefix}pending") or 0), leases
        finally:
            await scheduler.redis.aclose()

    pending, leases = asyncio.run(play())
    assert (pending, leases) == (0, 0)  # nothing left: the workers may finish
    assert scheduler.remote_pending == 0 and not scheduler.has_pending_requests()


def test_a_worker_told_that_a_site_is_closed_tells_its_spider(worker):
    """Budget of 2: the home page and one page spend it; the next link a worker proposes
    is refused as ``closed``, and its spider forgets the links it proposed for the site
    (``tests/test_closed_sites.py`` has the in-memory frontier's side)."""
    seed = Seed(id="s", name="Mairie", url=HOME, type="mairie")
    crawler, scheduler = worker([seed], VIGIE_MAX_PAGES_PER_SITE=2)
    spider = scheduler.spider
    spider.sites = {"s": SiteInfo(seed, offered={HOME, HOME + "a", HOME + "b"})}

    async def play() -> None:
        await scheduler._connect()
        try:
            for url in (HOME, HOME + "a"):
                assert scheduler.enqueue_request(_request(url, "A"))
                await scheduler._flush()
                await scheduler._take(16)
                request = scheduler.next_request()
                assert request is not None and request.url == url
                _stored_page(crawler, request)
                await scheduler._flush()
            assert not spider.sites["s"].closed
            scheduler.enqueue_request(_request(HOME + "b", "B"))
            await scheduler._flush()
        finally:
            await scheduler.redis.aclose()

    asyncio.run(play())
    assert crawler.stats.get_value("vigie/frontier/closed") == 1
    assert spider.sites["s"].closed and spider.sites["s"].offered == set()
