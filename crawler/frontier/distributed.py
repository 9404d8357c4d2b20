"""The frontier shared by the workers of a distributed crawl: Scrapy's scheduler on Redis.

``SCHEDULER = "crawler.frontier.distributed.RedisFrontierScheduler"`` with
``VIGIE_REDIS_URL``, ``VIGIE_REDIS_RUN_KEY`` and ``VIGIE_REDIS_WORKER_ID``
(:func:`worker_settings`, which ``vigie crawl --redis`` applies). The rules are those of
:mod:`crawler.frontier` and of the in-memory scheduler; here they live in Redis, so that N
workers behave as one crawler and a killed one loses nothing:

* every change is one Lua script, atomic: admitting a batch of requests (scope,
  de-duplication by fingerprint, query variants, budget), taking the next requests (the
  sites whose turn it is, the lane of the kind with the fewest pages, the budget, the
  in-flight cap) and recording what became of them;
* **leases**: a request taken by a worker is recorded in its lease hash
  (``lease:<worker>``) until its findings are stored (:data:`crawler.signals.items_stored`)
  or it ends without any. Each worker refreshes ``alive:<worker>`` (a key with a time to
  live, ``VIGIE_REDIS_LEASE_TTL``); any worker puts back in the queue, with their budget
  places, the leases of a worker whose key expired (SIGKILL, power cut…);
* **politeness** across workers: taking a site's request reserves the site's next allowed
  time (``DOWNLOAD_DELAY`` later); until then the site is not offered to any worker. A
  worker that finds nothing to take waits once, as long as Redis says the next site needs,
  with ``asyncio.sleep`` — no polling of a lock;
* ``pending`` counts the requests queued or leased in the whole run: a worker does not
  close while another may still find links, or while a dead worker's leases wait.

Redis I/O never blocks Scrapy's reactor: it goes through ``redis.asyncio`` on the asyncio
loop that Twisted's asyncio reactor runs (``TWISTED_REACTOR``, required). Scrapy asks its
scheduler for requests synchronously (``next_request``), so the scheduler keeps a small
local buffer, refilled by a background task. A request obtained that way is handed to the
engine with ``crawler.engine.crawl(request)`` — Scrapy's public way to schedule a request,
which also wakes the engine up — marked with :data:`READY` in its meta: the scheduler's
``enqueue_request`` recognises it and puts it in the buffer, where the engine's next call to
``next_request`` finds it. Requests the spider yields are admitted the other way round:
``enqueue_request`` buffers them and the background task sends them in one script call.

Requests travel through Redis as JSON (``Request.to_dict`` / ``request_from_dict``, Scrapy's
public serialisation; never pickle, which would run code read from a shared server).

The scripts name keys built from the run's prefix (``vigie:<run>:``): they suit a single
Redis server (or a replicated one), not Redis Cluster.

Before and after the crawl (not on the reactor), :class:`RunRegistry` joins a run by its
label under a Redis lock, with the synchronous client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterable
from typing import Any

import redis
import redis.asyncio as aioredis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import is_asyncio_reactor_installed
from scrapy.utils.request import request_from_dict
from twisted.internet.defer import Deferred

from crawler import signals as vigie_signals
from crawler.frontier import (
    DEPTH,
    FINGERPRINT,
    HOME,
    OUT,
    PAGE,
    RESTORE,
    SITE,
    STARTED,
    ByPage,
    Limits,
    check_components,
    in_redirect_chain,
    kind_of,
    lua,
    variant_key,
)
from crawler.items import ErrorItem, PageItem
from crawler.scope import site_key
from crawler.seeds import Seed
from crawler.store import Store

logger = logging.getLogger(__name__)

#: Failures in a row to reach Redis before the worker stops (about a minute of tries).
REDIS_FAILURES_MAX = 15
#: Meta key of a request taken from Redis, handed to the engine with ``engine.crawl``.
READY = "frontier_ready"
#: Meta key of the lease token of a request taken from Redis.
LEASE = "frontier_lease"


def run_prefix(run_key: str) -> str:
    return f"vigie:{run_key}:"


def worker_settings(url: str, run_key: str, worker_id: str) -> dict[str, Any]:
    """The settings that make a crawl one worker of the distributed run ``run_key``."""
    return {
        "SCHEDULER": "crawler.frontier.distributed.RedisFrontierScheduler",
        "VIGIE_REDIS_URL": url,
        "VIGIE_REDIS_RUN_KEY": run_key,
        "VIGIE_REDIS_WORKER_ID": worker_id,
        "VIGIE_STORE_SKIP_STORED": True,  # a page a dead worker stored is not stored twice
    }


class RunRegistry:
    """A distributed run's bookkeeping outside the crawl (synchronous: no reactor runs)."""

    def __init__(self, url: str, run_key: str, lease_ttl: float = 30.0) -> None:
        self.url = url
        self.redis = redis.Redis.from_url(url)
        self.redis.ping()  # fail early and clearly if Redis is not there
        self.run_key = run_key
        self.prefix = run_prefix(run_key)
        self.worker_id = uuid.uuid4().hex[:12]
        self.lease_ttl = lease_ttl

    def join(self, store: Store, seeds: list[Seed], label: str, settings: dict[str, Any]) -> int:
        """The run id shared by every worker of ``label`` (created by the first one).

        The worker says it is alive at once, so that a worker finishing meanwhile does not
        take itself for the last one.
        """
        with self.redis.lock(f"vigie:lock:{label}", timeout=60, blocking_timeout=60):
            existing = store.run_by_label(label)
            if existing is not None and existing["status"] != "finished":
                run_id = int(existing["id"])
            else:
                run_id = store.start_run(seeds, label=label, settings=settings)
            pipe = self.redis.pipeline()
            ttl_ms = max(int(self.lease_ttl * 1000), 1)
            pipe.set(f"{self.prefix}alive:{self.worker_id}", 1, px=ttl_ms)
            pipe.sadd(self.prefix + "workers", self.worker_id)
            pipe.execute()
        return run_id

    def settings(self) -> dict[str, Any]:
        return worker_settings(self.url, self.run_key, self.worker_id)

    def forget(self) -> int:
        """Delete the run's keys once it is finished (the store holds everything of it)."""
        keys = list(self.redis.scan_iter(self.prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            self.redis.unlink(*keys[start : start + 1000])
        return len(keys)

    def close(self) -> None:
        self.redis.close()


def encode_request(request: Request, spider: Spider) -> str:
    """A request as JSON text (``Request.to_dict``, bytes as Latin-1 strings)."""
    data = request.to_dict(spider=spider)
    data["headers"] = {
        key.decode("latin-1"): [v.decode("latin-1") for v in values]
        for key, values in data["headers"].items()
    }
    data["body"] = data["body"].decode("latin-1")
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def decode_request(text: str | bytes, spider: Spider) -> Request:
    data = json.loads(text)
    data["headers"] = {
        key.encode("latin-1"): [v.encode("latin-1") for v in values]
        for key, values in data["headers"].items()
    }
    data["body"] = data["body"].encode("latin-1")
    return request_from_dict(data, spider=spider)


class RedisFrontierScheduler:
    """Scrapy's scheduler interface over the run's frontier in Redis (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.limits = Limits.from_settings(s)
        self.fingerprint = crawler.request_fingerprinter.fingerprint
        self.url = s.get("VIGIE_REDIS_URL")
        run_key = s.get("VIGIE_REDIS_RUN_KEY")
        if not self.url or not run_key:
            raise ValueError("VIGIE_REDIS_URL et VIGIE_REDIS_RUN_KEY sont nécessaires")
        self.prefix = run_prefix(run_key)
        self.worker_id = s.get("VIGIE_REDIS_WORKER_ID") or uuid.uuid4().hex[:12]
        self.lease_ttl = s.getfloat("VIGIE_REDIS_LEASE_TTL")
        self.batch = max(s.getint("VIGIE_REDIS_BATCH"), 1)
        self.delay_ms = int(s.getfloat("DOWNLOAD_DELAY") * 1000)
        self.spider: Spider | None = None
        self.buffer: deque[Request] = deque()
        self.admissions: list[tuple[Request, list[Any]]] = []
        self.events: list[tuple[str, str]] = []
        # Lease tokens of the page requests taken, by site and URL: released once their
        # item is stored; their item tells their outcome if no download outcome did.
        self.leases: ByPage[str] = ByPage()
        self.reported: set[str] = set()  # tokens whose outcome Redis knows
        self.remote_pending = 1  # unknown until Redis answers: assume there is work
        self.sites_seen = 0
        self.closing = False
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._stopping: asyncio.Task[Any] | None = None  # held: asyncio keeps weak references

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontierScheduler:
        check_components(crawler.settings)
        if not is_asyncio_reactor_installed():
            raise ValueError("le frontière Redis demande le réacteur asyncio (TWISTED_REACTOR)")
        return cls(crawler)

    # -- life -----------------------------------------------------------------------------

    def open(self, spider: Spider) -> Deferred[None]:
        self.spider = spider
        self.stats.set_value("vigie/redirects_to_known", 0)
        self._listen()
        return deferred_from_coro(self._open())

    def _listen(self) -> None:
        """How each request's life reaches the frontier (the signals of the module doc)."""
        sig = self.crawler.signals
        sig.connect(self._left, signal=signals.request_left_downloader)
        sig.connect(self._outcome, signal=vigie_signals.download_outcome)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            sig.connect(self._settled, signal=signal)
        sig.connect(self._stored, signal=vigie_signals.items_stored)
        sig.connect(self._spider_error, signal=signals.spider_error)

    async def _open(self) -> None:
        await self._connect()
        self._start_tasks()

    def _start_tasks(self) -> None:
        """The pump and the heartbeat, each watched by :meth:`_task_ended`."""
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._pump()), loop.create_task(self._heartbeat())]
        for task in self._tasks:
            task.add_done_callback(self._task_ended)

    def _task_ended(self, task: asyncio.Task[Any]) -> None:
        """A background task ended by an unexpected error stops this worker, loudly.

        Both tasks handle Redis being unreachable themselves; anything else (a bug, a reply
        of an unexpected shape) would otherwise sit in the task unseen while the crawl waits
        for ever on a frontier nobody feeds. Stopping is what an interruption does: the
        leases go back to the queue when the heartbeat expires, and the run resumes.
        """
        if task.cancelled() or task.exception() is None:
            return
        exc = task.exception()
        logger.error(
            "Frontière Redis : erreur imprévue (%s), travailleur arrêté", exc, exc_info=exc
        )
        self.stats.set_value("vigie/frontier/task_failed", type(exc).__name__)
        if not self.closing:
            self._stopping = asyncio.get_running_loop().create_task(self.crawler.stop_async())

    async def _connect(self) -> None:
        """The Redis client and the scripts; this worker says it is alive."""
        self.redis = aioredis.Redis.from_url(self.url)
        self._scripts = {
            name: self.redis.register_script(lua.PRELUDE + code)
            for name, code in (
                ("admit", lua.ADMIT),
                ("take", lua.TAKE),
                ("record", lua.RECORD),
                ("reap", lua.REAP),
                ("leave", lua.LEAVE),
            )
        }
        await self._beat()

    def close(self, reason: str) -> Deferred[None]:
        self.closing = True
        self._poke()
        return deferred_from_coro(self._close(reason))

    async def _close(self, reason: str) -> None:
        pump, heartbeat = self._tasks or (None, None)
        try:
            if heartbeat is not None:
                heartbeat.cancel()
            if pump is not None:
                # It sends what is buffered, then ends (``closing``); had it ended on an
                # error, _task_ended has logged it: waiting does not raise it again.
                await asyncio.wait([pump])
            await self._flush()
            last, moved = await self._run("leave", [self.worker_id])
            self.stats.set_value("vigie/last_worker", bool(last))
            if moved:
                logger.info("%d requête(s) rendue(s) à la file en partant (%s)", moved, reason)
        except (redis.RedisError, OSError) as exc:
            # Its leases go back to the queue when its heartbeat expires.
            logger.error("Redis injoignable en fermant le travailleur : %s", exc)
            self.stats.set_value("vigie/last_worker", False)
        finally:
            await self.redis.aclose()

    def _args(self, extra: Iterable[Any]) -> list[Any]:
        limits = self.limits
        return [self.prefix, limits.in_flight, limits.max_pages, limits.max_failed, *extra]

    async def _run(self, script: str, extra: Iterable[Any]) -> Any:
        return await self._scripts[script](args=self._args(extra))

    async def _beat(self) -> None:
        ttl_ms = max(int(self.lease_ttl * 1000), 1)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(f"{self.prefix}alive:{self.worker_id}", 1, px=ttl_ms)
            pipe.sadd(self.prefix + "workers", self.worker_id)
            await pipe.execute()

    async def _heartbeat(self) -> None:
        """This worker is alive; the leases of the dead ones go back in the queue."""
        while True:
            await asyncio.sleep(max(self.lease_ttl / 3, 0.2))
            try:
                await self._beat()
                reaped = int(await self._run("reap", []))
            except (redis.RedisError, OSError) as exc:
                logger.warning("Redis injoignable (signe de vie) : %s", exc)
                continue
            if reaped:
                self.stats.inc_value("vigie/leases_reaped", reaped)
                logger.warning(
                    "%d requête(s) d'un travailleur arrêté remise(s) en file d'attente", reaped
                )
                self._poke()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    # -- the scheduler interface ----------------------------------------------------------

    def has_pending_requests(self) -> bool:
        return bool(self.buffer or self.admissions or self.remote_pending > 0)

    def __len__(self) -> int:
        return len(self.buffer) + max(self.remote_pending, 0)

    def enqueue_request(self, request: Request) -> bool:
        meta = request.meta
        if meta.pop(READY, False):
            self.buffer.append(request)
            return True
        if meta.get(SITE) is None:
            logger.error("requête sans site ignorée (meta %r) : %s", SITE, request.url)
            return False
        fingerprint = self.fingerprint(request).hex()
        if LEASE in meta:
            return self._came_back(request, fingerprint)
        restore = meta.get(RESTORE)
        if restore:
            self._admit(request, restore, fingerprint, "")
            return False
        if meta.get(DEPTH, 0) > self.limits.max_depth:
            self.stats.inc_value("vigie/frontier/depth")
            return False
        meta[FINGERPRINT] = fingerprint
        self._admit(request, "new", fingerprint, "1" if request.dont_filter else "0")
        return True

    def _admit(self, request: Request, mode: str, fingerprint: str, extra: str) -> None:
        meta = request.meta
        lane = kind_of(request) if meta.get(PAGE, True) else ""
        data = encode_request(request, self.spider) if mode == "new" else ""
        fields = [
            mode,
            meta[SITE],
            fingerprint,
            lane,
            request.priority,
            data,
            variant_key(request.url) or "",
            site_key(request.url),
            "1" if meta.get(HOME) else "0",
            extra,
        ]
        self.admissions.append((request, fields))
        self._poke()

    def _came_back(self, request: Request, fingerprint: str) -> bool:
        """A request taken from Redis is back: retried, or redirected elsewhere."""
        meta = request.meta
        self._returned(request)
        previous = (meta.get("redirect_urls") or [None])[-1]
        self.leases.move(meta[SITE], previous, request.url, meta[LEASE])  # its item's URL
        if meta[FINGERPRINT] == fingerprint or in_redirect_chain(request):
            # A retry (same page, same lease), or a redirect loop, which Scrapy's redirect
            # middleware ends (the request's error says so).
            self.buffer.append(request)
            return True
        self._admit(request, "redirect", fingerprint, meta[FINGERPRINT])
        return True

    def next_request(self) -> Request | None:
        if len(self.buffer) <= self.batch // 2:
            self._poke()
        if not self.buffer:
            return None
        request = self.buffer.popleft()
        request.meta[STARTED] = time.monotonic()
        return request

    # -- what became of the requests ------------------------------------------------------

    def _left(self, request: Request, spider: Spider | None = None) -> None:
        self._returned(request)

    def _returned(self, request: Request) -> None:
        token = request.meta.get(LEASE)
        if token is not None and request.meta.pop(OUT, False):
            self._event(token, "back")

    def _outcome(self, request: Request, page: bool) -> None:
        token = request.meta.get(LEASE)
        if token is None:
            return
        self._returned(request)
        if token not in self.reported:
            if request.meta.get(PAGE, True):  # an item follows: it must not tell it again
                self.reported.add(token)
            self._event(token, "page" if page else "failed")

    def _settled(self, item: Any, **_: Any) -> None:
        """A page's or an error's item: the outcome of its request, if none was told yet
        (a middleware that raises on a response reaches no outcome middleware)."""
        if not isinstance(item, PageItem | ErrorItem):
            return
        for token in self.leases.get(item.site_id, item.url):
            if token not in self.reported:
                self.reported.add(token)
                self._event(token, "page" if isinstance(item, PageItem) else "failed")
                return

    def _stored(self, items: list[Any]) -> None:
        for item in items:
            tokens = self.leases.get(item.site_id, item.url)
            # The one whose outcome is told (by this item, or by its download) first.
            told = [t for t in tokens if t in self.reported] or tokens
            if told:
                token = told[0]
                self.leases.remove(item.site_id, item.url, token)
                self.reported.discard(token)
                self._event(token, "stored")

    def _spider_error(self, failure: Any, response: Any, **_: Any) -> None:
        """A callback that raised stores nothing: its request is done all the same (else
        its lease would keep the run pending for ever)."""
        request = getattr(response, "request", None)
        token = None if request is None else request.meta.get(LEASE)
        if token is not None:
            site = request.meta.get(SITE)
            if not self.leases.remove(site, response.url, token):
                self.leases.remove(site, request.url, token)
            self.reported.discard(token)
            self._event(token, "failed")
            self._event(token, "stored")

    def _event(self, token: str, event: str) -> None:
        self.events.append((token, event))
        self._poke()

    # -- the background task --------------------------------------------------------------

    async def _pump(self) -> None:
        """Send admissions and events, keep the buffer filled; wait when nothing is to do.

        Redis unreachable: tried again, less and less often; after
        ``REDIS_FAILURES_MAX`` failures in a row the crawl stops as if interrupted (the
        run is resumed by starting the worker again).
        """
        assert self._wake is not None
        failures = 0
        while True:
            self._wake.clear()
            try:
                wait = await self._step()
            except (redis.RedisError, OSError) as exc:
                failures += 1
                if failures >= REDIS_FAILURES_MAX or self.closing:
                    logger.error("Redis injoignable, travailleur arrêté : %s", exc)
                    if not self.closing:
                        await self.crawler.stop_async()
                    return
                logger.warning("Redis injoignable (essai %d) : %s", failures, exc)
                wait = min(0.5 * 2**failures, 5.0)
            else:
                failures = 0
            if self.closing and wait != 0:
                return
            if wait == 0:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _step(self) -> float | None:
        """One round: how long to wait before the next (0: at once, None: until poked)."""
        worked = await self._flush()
        wait: float | None = None
        if len(self.buffer) < self.batch and not self.closing:
            taken, wait = await self._take(self.batch - len(self.buffer))
            worked = worked or taken > 0
        if worked:
            return 0
        if self.remote_pending <= 0 and not self.buffer:
            return None  # the run's frontier is empty: only this worker's links refill it
        if wait is None or wait < 0:
            return 0.5  # other workers hold the run's requests: see what they give back
        return min(max(wait / 1000, 0.005), 1.0)  # the next site's polite delay

    async def _flush(self) -> bool:
        """Admissions first (links found by a page), then events (its lease released)."""
        worked = False
        if self.admissions:
            batch, self.admissions = self.admissions, []
            reply = await self._run(
                "admit",
                [self.limits.max_query_variants, *(f for _, fields in batch for f in fields)],
            )
            self._counts(reply[-3:])
            for (request, fields), result in zip(batch, reply[:-3], strict=True):
                self._admitted(request, fields[0], _text(result))
            worked = True
        if self.events:
            events, self.events = self.events, []
            reply = await self._run("record", [self.worker_id, *(x for e in events for x in e)])
            self._counts(reply[:3])
            if reply[3]:
                self.stats.inc_value("vigie/frontier/dropped_budget", int(reply[3]))
            worked = True
        return worked

    def _admitted(self, request: Request, mode: str, result: str) -> None:
        if mode == "redirect":
            if result == "ok":
                request.meta[FINGERPRINT] = self.fingerprint(request).hex()
                self._inject(request)
            else:
                self.stats.inc_value(
                    "vigie/redirects_to_known" if result == "known" else "vigie/frontier/offsite"
                )
                self.leases.remove(request.meta[SITE], request.url, request.meta[LEASE])
                self.reported.discard(request.meta[LEASE])
                self._event(request.meta[LEASE], "drop")
        elif result not in ("queued", "restored"):
            self.stats.inc_value(f"vigie/frontier/{result}")
            if result == "closed":  # the spider of this worker proposes nothing more for it
                self.crawler.signals.send_catch_log(
                    vigie_signals.site_closed, site_id=request.meta[SITE], why=None
                )

    async def _take(self, n: int) -> tuple[int, float | None]:
        reply = await self._run(
            "take",
            [
                self.worker_id,
                n,
                self.delay_ms,
                int(self.limits.time_budget * 1000),
                self.limits.open_sites,
            ],
        )
        self._counts(reply[:3])
        if reply[3]:
            self.stats.inc_value("vigie/frontier/dropped_time", int(reply[3]))
        got = reply[5:]
        for token, data in zip(got[::2], got[1::2], strict=True):
            request = decode_request(data, self.spider)
            request.meta[LEASE] = _text(token)
            request.meta[OUT] = True
            if request.meta.get(PAGE, True):
                self.leases.add(request.meta[SITE], request.url, request.meta[LEASE])
            self._inject(request)
        return len(got) // 2, float(reply[4])

    def _inject(self, request: Request) -> None:
        """Hand a request obtained asynchronously to the engine (which wakes it up)."""
        if self.closing:
            return  # still leased: leaving puts it back in the queue
        request.meta[READY] = True
        self.crawler.engine.crawl(request)

    def _counts(self, counts: list[Any]) -> None:
        pending, sites, active = (int(c) for c in counts)
        self.remote_pending = pending
        self.stats.set_value("vigie/sites_done", sites - active)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
