"""Several crawl processes, on one or many machines, on one seed list: Redis coordinates.

Scrapy's shared frontier is scrapy-redis (its scheduler keeps the request queue in a Redis
sorted set, so the best-scored page of any site is fetched first by whichever worker is
free). What scrapy-redis does not know is Vigie's per-site bookkeeping; this module keeps
it in Redis too, with atomic operations, so that N workers behave as one crawler:

* ``claim``: a URL is queued once per run (``SADD`` on the site's seen set) and within
  the site's page budget (``INCR``): no page fetched twice, no budget exceeded;
* ``pending``: requests queued and not yet answered, so that no worker closes while
  another may still queue links (a worker's idle check);
* site keys (the home's redirect domain), sitemap and redirect de-duplication, query
  variants: shared sets and counters;
* ``polite``: one request per site per ``DOWNLOAD_DELAY`` across all workers
  (``SET NX PX``): per-site politeness holds however many workers run;
* the run itself: the first worker creates it (under a Redis lock) and the last one to
  leave aggregates it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import redis

from crawler.seeds import Seed
from crawler.store import Store


class Coordinator:
    """Redis operations of one distributed run; keys are prefixed ``vigie:<run>:``."""

    def __init__(self, url: str, run_key: str) -> None:
        self.url = url
        self.redis = redis.Redis.from_url(url)
        self.redis.ping()  # fail early and clearly if Redis is not there
        self.run_key = run_key
        self.prefix = f"vigie:{run_key}:"

    # -- the run ---------------------------------------------------------------------------

    def join(self, store: Store, seeds: list[Seed], label: str, settings: dict[str, Any]) -> int:
        """The run id shared by every worker of ``label`` (created by the first one)."""
        with self.redis.lock(f"vigie:lock:{label}", timeout=60, blocking_timeout=60):
            existing = store.run_by_label(label)
            if existing is not None and existing["status"] != "finished":
                run_id = int(existing["id"])
            else:
                run_id = store.start_run(seeds, label=label, settings=settings)
            self.redis.incr(self.prefix + "workers")
        return run_id

    def leave(self) -> bool:
        """This worker is done; ``True`` for the last one, which aggregates the run."""
        return int(self.redis.decr(self.prefix + "workers")) <= 0

    def scheduler_settings(self) -> dict[str, Any]:
        """scrapy-redis as Scrapy's scheduler, its queue kept across restarts."""
        return {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": self.prefix + "requests",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_DUPEFILTER_KEY": self.prefix + "dupefilter",
            "REDIS_URL": self.url,
            "VIGIE_REDIS_URL": self.url,
            "VIGIE_REDIS_RUN_KEY": self.run_key,
        }

    # -- frontier ------------------------------------------------------------------------

    def claim(self, site_id: str, url: str, max_pages: int) -> bool:
        """Whether this worker queues ``url``: first sight in the run, within the budget."""
        if not self.redis.sadd(f"{self.prefix}seen:{site_id}", url):
            return False
        if int(self.redis.incr(f"{self.prefix}budget:{site_id}")) > max_pages:
            return False
        self.redis.incr(self.prefix + "pending")
        return True

    def answered(self) -> None:
        self.redis.decr(self.prefix + "pending")

    def pending(self) -> int:
        return int(self.redis.get(self.prefix + "pending") or 0)

    def first(self, name: str, member: str) -> bool:
        """``True`` the first time ``member`` is added to the set ``name`` in this run."""
        return bool(self.redis.sadd(self.prefix + name, member))

    def add_key(self, site_id: str, key: str) -> None:
        self.redis.sadd(f"{self.prefix}keys:{site_id}", key)

    def has_key(self, site_id: str, key: str) -> bool:
        return bool(self.redis.sismember(f"{self.prefix}keys:{site_id}", key))

    def count_variant(self, site_id: str, path: str) -> int:
        return int(self.redis.hincrby(f"{self.prefix}variants:{site_id}", path, 1))

    # -- politeness ----------------------------------------------------------------------

    async def polite(self, site_id: str, delay: float) -> None:
        """Wait until this site may be fetched again, whichever worker fetched it last."""
        if delay <= 0:
            return
        key = f"{self.prefix}polite:{site_id}"
        deadline = time.monotonic() + 120
        while not self.redis.set(key, 1, nx=True, px=max(int(delay * 1000), 1)):
            if time.monotonic() > deadline:
                return  # never block a worker forever on a stuck key
            await asyncio.sleep(delay / 2)
