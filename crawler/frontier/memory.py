"""The frontier of a crawl in one process: Scrapy's scheduler interface, in memory.

``SCHEDULER = "crawler.frontier.memory.FrontierScheduler"`` (the default,
crawler/settings.py). The rules are those of :mod:`crawler.frontier`; here is how they are
kept:

* each site has a :class:`SiteFrontier`: one heap per kind of page (a *lane*), ordered by
  ``Request.priority`` then arrival; the next page is the head of the lane whose kind has
  the fewest pages taken so far (fetched, or in flight with a place in the budget), the
  higher priority on a tie; requests that came back (redirects, retries) and sitemaps go
  before the lanes;
* the open sites with something queued take turns (round robin): one site's many links do
  not hold back the other sites' pages; at most ``VIGIE_OPEN_SITES`` sites are open
  (started and not done), the next one in seed order opens when the open sites have
  nothing to hand out and there is room;
* a site hands out nothing while ``VIGIE_IN_FLIGHT_PER_SITE`` of its requests are in
  flight, nor a page while its pages fetched and places reserved fill its budget; the
  engine asks again when a download ends (Scrapy schedules its next call then);
* a place in the budget is settled by the download's outcome, or else by the request's
  item (a middleware that raises on a response reaches neither the outcome middleware nor
  ``process_exception``), or by the callback's error;
* a site closed (budget, time or failures spent) refuses every request from then on: the
  spider is told (:data:`crawler.signals.site_closed`), and once none of its requests is
  out the site's fingerprints, scope and counts by kind are freed
  (:meth:`SiteFrontier.forget`): a national crawl keeps tens of thousands of sites, and
  these were what its memory grew with, ≈ 3 KiB a site (``docs/benchmarks.md``).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import time
from collections import deque
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler

from crawler import signals as vigie_signals
from crawler.frontier import (
    DEPTH,
    FINGERPRINT,
    HOME,
    OUT,
    PAGE,
    RESERVED,
    RESTORE,
    SITE,
    STARTED,
    ByPage,
    Limits,
    check_components,
    in_redirect_chain,
    kind_of,
    variant_key,
)
from crawler.items import ErrorItem, PageItem
from crawler.scope import site_key

logger = logging.getLogger(__name__)


class SiteFrontier:
    """What the frontier knows of one site: its queue, its scope, its counts."""

    __slots__ = (
        "site_id",
        "keys",
        "seen",
        "variants",
        "lanes",
        "taken",
        "urgent",
        "aux",
        "queued",
        "pages",
        "reserved",
        "failed",
        "out",
        "started",
        "closed",
    )

    def __init__(self, site_id: str) -> None:
        self.site_id = site_id
        self.keys: set[str] = set()  # registrable domains in scope
        self.seen: set[bytes] = set()  # request fingerprints admitted
        self.variants: dict[str, int] = {}  # host + path → query variants admitted
        self.lanes: dict[str, list[tuple[int, int, Request]]] = {}  # kind → heap
        self.taken: dict[str, int] = {}  # kind → pages fetched or reserved
        # Lists, not deques: each holds a few requests at most, and an empty deque costs
        # 0.7 KiB, for every site of the run.
        self.urgent: list[Request] = []  # handed out before, came back
        self.aux: list[Request] = []  # not pages (sitemaps)
        self.queued = 0
        self.pages = 0  # HTML pages fetched (the budget)
        self.reserved = 0  # pages in flight holding a place in the budget
        self.failed = 0  # page requests that failed
        self.out = 0  # requests in flight
        self.started: float | None = None  # first hand-out (time budget)
        self.closed: str | None = None  # why it takes no more requests

    def push(self, request: Request, seq: int) -> None:
        if request.meta.get(PAGE, True):
            lane = self.lanes.setdefault(kind_of(request), [])
            heapq.heappush(lane, (-request.priority, seq, request))
        else:
            self.aux.append(request)
        self.queued += 1

    def best_lane(self) -> str | None:
        """The kind whose next page goes first: fewest taken, then highest priority."""
        best: tuple[int, int, int] | None = None
        best_kind = None
        for kind, lane in self.lanes.items():
            if lane:
                rank = (self.taken.get(kind, 0), lane[0][0], lane[0][1])
                if best is None or rank < best:
                    best, best_kind = rank, kind
        return best_kind

    def clear(self) -> list[Request]:
        """Empty the queue; the requests it held."""
        dropped = [*self.urgent, *self.aux, *(r for lane in self.lanes.values() for *_, r in lane)]
        self.urgent.clear()
        self.aux.clear()
        self.lanes.clear()
        self.queued = 0
        return dropped

    def forget(self) -> None:
        """Free what decides admissions, for a closed site with nothing out: it refuses
        every request before looking at them, and none of its requests can come back."""
        self.seen.clear()
        self.variants.clear()
        self.keys.clear()
        self.taken.clear()
        self.lanes.clear()

    @property
    def active(self) -> bool:
        return bool(self.queued or self.out or self.reserved)


class FrontierScheduler(BaseScheduler):
    """Scrapy's scheduler interface over per-site frontiers (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.limits = Limits.from_settings(crawler.settings)
        self.fingerprint = crawler.request_fingerprinter.fingerprint
        self.sites: dict[str, SiteFrontier] = {}
        self.ready: deque[SiteFrontier] = deque()  # open sites with something queued
        self.fresh: deque[SiteFrontier] = deque()  # sites not started yet, in seed order
        self.in_ready: set[str] = set()  # in ``ready`` or ``fresh``
        self.open_sites: set[str] = set()  # started and not done
        self.loose: deque[Request] = deque()  # requests of no site
        self.loose_seen: set[bytes] = set()
        self.queued = 0
        self.done: set[str] = set()
        # Page requests out with a place in the budget, by site and URL: their item
        # settles the place if no outcome did (a middleware raised on the response).
        self.awaiting: ByPage[Request] = ByPage()
        self._seq = itertools.count()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        check_components(crawler.settings)
        return cls(crawler)

    def _handlers(self) -> list[tuple[Any, Any]]:
        return [
            (self._left, signals.request_left_downloader),
            (self._outcome, vigie_signals.download_outcome),
            (self._settled, signals.item_scraped),
            (self._settled, signals.item_dropped),
            (self._settled, signals.item_error),
            (self._spider_error, signals.spider_error),
        ]

    def open(self, spider: Spider) -> None:
        self.stats.set_value("vigie/redirects_to_known", 0)
        for handler, signal in self._handlers():
            self.crawler.signals.connect(handler, signal=signal)

    def close(self, reason: str) -> None:
        if self.queued:
            logger.info("%d requête(s) en file abandonnée(s) à l'arrêt (%s)", self.queued, reason)
        for handler, signal in self._handlers():
            self.crawler.signals.disconnect(handler, signal=signal)

    def has_pending_requests(self) -> bool:
        return self.queued > 0

    def __len__(self) -> int:
        return self.queued

    # -- admission ------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        meta = request.meta
        site_id = meta.get(SITE)
        if site_id is None:
            return self._enqueue_loose(request)
        site = self.sites.get(site_id)
        if site is None:
            site = self.sites[site_id] = SiteFrontier(site_id)
        fingerprint = self.fingerprint(request)
        if FINGERPRINT in meta:
            return self._came_back(site, request, fingerprint)
        if meta.get(RESTORE):
            self._restore(site, request, fingerprint)
            return False
        if meta.get(HOME):
            site.keys.add(site_key(request.url))
        refusal = self._refusal(site, request, fingerprint)
        if refusal is not None:
            self.stats.inc_value(f"vigie/frontier/{refusal}")
            return False
        meta[FINGERPRINT] = fingerprint.hex()
        self._queue(site, request)
        return True

    def _refusal(self, site: SiteFrontier, request: Request, fingerprint: bytes) -> str | None:
        """Why ``request`` is not queued, or ``None`` (and then it is admitted)."""
        if site.closed is not None:
            return "closed"
        if request.meta.get(DEPTH, 0) > self.limits.max_depth:
            return "depth"
        if site_key(request.url) not in site.keys:
            return "offsite"
        if not request.dont_filter:
            if fingerprint in site.seen:
                return "duplicate"
            site.seen.add(fingerprint)
        path = variant_key(request.url)
        if path is not None:
            count = site.variants.get(path, 0)
            if count >= self.limits.max_query_variants:
                return "variants"  # calendars and faceted search: a few variants tell enough
            site.variants[path] = count + 1
        return None

    def _came_back(self, site: SiteFrontier, request: Request, fingerprint: bytes) -> bool:
        """A request handed out earlier is back: retried, or redirected elsewhere."""
        meta = request.meta
        self._returned(request)
        if site.closed is not None and not meta.get(RESERVED):
            # A sitemap, or another request with no place in the budget: whatever it would
            # bring, the closed site refuses (and may have forgotten its scope already).
            self.stats.inc_value("vigie/frontier/closed")
            self._update(site)
            return False
        if meta[FINGERPRINT] != fingerprint.hex():
            key = site_key(request.url)
            if meta.get(HOME):
                site.keys.add(key)  # a new address of the site: its domain is the site's
            self._rekey(site, request)
            if key not in site.keys or (
                fingerprint in site.seen and not in_redirect_chain(request)
            ):
                # Elsewhere, or to a page already known (/contact → /contact/): no page
                # comes of it, and its place in the budget goes back.
                self._release(site, request, page=None)
                self.stats.inc_value(
                    "vigie/redirects_to_known" if key in site.keys else "vigie/frontier/offsite"
                )
                self._update(site)
                return False
            site.seen.add(fingerprint)
            meta[FINGERPRINT] = fingerprint.hex()
        site.urgent.append(request)
        site.queued += 1
        self.queued += 1
        self._make_ready(site)
        return True

    def _restore(self, site: SiteFrontier, request: Request, fingerprint: bytes) -> None:
        """A resumed run's record: counted as done, never fetched again."""
        if site.closed is not None or fingerprint in site.seen:
            return  # closed by the records before it: nothing more to count
        site.seen.add(fingerprint)
        site.keys.add(site_key(request.url))
        path = variant_key(request.url)
        if path is not None:
            site.variants[path] = site.variants.get(path, 0) + 1
        if request.meta[RESTORE] == "page":
            site.pages += 1
            kind = kind_of(request)
            site.taken[kind] = site.taken.get(kind, 0) + 1
        else:
            site.failed += 1
        self._close_if_spent(site)

    def _queue(self, site: SiteFrontier, request: Request) -> None:
        site.push(request, next(self._seq))
        self.queued += 1
        self._make_ready(site)

    def _make_ready(self, site: SiteFrontier) -> None:
        if site.site_id not in self.in_ready:
            self.in_ready.add(site.site_id)
            (self.ready if site.started is not None else self.fresh).append(site)
        self._update(site)

    def _enqueue_loose(self, request: Request) -> bool:
        if not request.dont_filter:
            fingerprint = self.fingerprint(request)
            if fingerprint in self.loose_seen:
                return False
            self.loose_seen.add(fingerprint)
        self.loose.append(request)
        self.queued += 1
        return True

    # -- hand-out -------------------------------------------------------------------------

    def next_request(self) -> Request | None:
        if self.loose:
            self.queued -= 1
            return self.loose.popleft()
        now = time.monotonic()
        for _ in range(len(self.ready)):
            site = self.ready[0]
            if not site.queued:
                self.ready.popleft()
                self.in_ready.discard(site.site_id)
                continue
            request = self._take(site, now)
            self.ready.rotate(-1)
            if request is not None:
                return request
        return self._open_next(now)

    def _open_next(self, now: float) -> Request | None:
        """The open sites have nothing to hand out: open the next site if there is room."""
        while self.fresh and len(self.open_sites) < self.limits.open_sites:
            site = self.fresh.popleft()
            if not site.queued:
                self.in_ready.discard(site.site_id)
                continue
            self.ready.append(site)  # it takes its turns with the open sites from now on
            request = self._take(site, now)
            if request is not None:
                return request
        return None

    def _take(self, site: SiteFrontier, now: float) -> Request | None:
        """The site's next request, or ``None`` while it must wait."""
        if site.out >= self.limits.in_flight:
            return None
        if site.started is not None and now - site.started > self.limits.time_budget:
            self._close(site, "time")
            return None
        if site.urgent:
            request = site.urgent.pop(0)
        elif site.aux:
            request = site.aux.pop(0)
        else:
            kind = site.best_lane()
            if kind is None or site.pages + site.reserved >= self.limits.max_pages:
                return None  # the pages in flight may fail and give their place back
            request = heapq.heappop(site.lanes[kind])[2]
            request.meta[RESERVED] = True
            self.awaiting.add(site.site_id, request.url, request)
            site.reserved += 1
            site.taken[kind] = site.taken.get(kind, 0) + 1
        site.queued -= 1
        self.queued -= 1
        site.out += 1
        request.meta[OUT] = True
        request.meta[STARTED] = now
        if site.started is None:
            site.started = now
            self.open_sites.add(site.site_id)
        return request

    # -- what became of the requests handed out -----------------------------------------

    def _left(self, request: Request, spider: Spider | None = None) -> None:
        self._returned(request)

    def _returned(self, request: Request) -> None:
        """The request is no longer in flight (once, whichever event says it first)."""
        if request.meta.pop(OUT, False):
            site = self.sites[request.meta[SITE]]
            site.out -= 1
            self._update(site)

    def _outcome(self, request: Request, page: bool) -> None:
        site = self.sites.get(request.meta.get(SITE, ""))
        if site is None:
            return
        self._returned(request)
        self._release(site, request, page)
        self._close_if_spent(site)
        self._update(site)

    def _settled(self, item: Any, **_: Any) -> None:
        """A page's or an error's item: the outcome of its request, if none was told yet."""
        if not isinstance(item, PageItem | ErrorItem):
            return
        for request in self.awaiting.get(item.site_id, item.url)[:1]:
            self._outcome(request, page=isinstance(item, PageItem))

    def _spider_error(self, failure: Any, response: Any, **_: Any) -> None:
        """A callback that raised gives no item: its request is settled as failed."""
        request = getattr(response, "request", None)
        if request is not None and request.meta.get(RESERVED):
            self._outcome(request, page=False)

    def _rekey(self, site: SiteFrontier, request: Request) -> None:
        """A redirected request awaits its item under its new URL."""
        previous = (request.meta.get("redirect_urls") or [None])[-1]
        self.awaiting.move(site.site_id, previous, request.url, request)

    def _release(self, site: SiteFrontier, request: Request, page: bool | None) -> None:
        """The budget place of ``request``: kept by a page, given back otherwise."""
        if not request.meta.pop(RESERVED, False):
            return
        self.awaiting.remove(site.site_id, request.url, request)
        site.reserved -= 1
        if page:
            site.pages += 1
            return
        kind = kind_of(request)
        site.taken[kind] -= 1  # another page of its kind may take its turn
        if page is False:
            site.failed += 1

    def _close_if_spent(self, site: SiteFrontier) -> None:
        if site.pages >= self.limits.max_pages:
            self._close(site, "budget")
        elif site.failed >= self.limits.max_failed:
            self._close(site, "failures")

    def _close(self, site: SiteFrontier, why: str) -> None:
        """The site takes no more requests; what it had queued is dropped."""
        if site.closed is None:
            site.closed = why
            if why == "time":
                self.stats.inc_value("vigie/sites_time_budget_exceeded")
            elif why == "failures":
                self.stats.inc_value("vigie/sites_failures_exceeded")
            self.crawler.signals.send_catch_log(
                vigie_signals.site_closed, site_id=site.site_id, why=why
            )
        dropped = site.clear()
        if dropped:
            self.queued -= len(dropped)
            for request in dropped:
                self._release(site, request, page=None)
            self.stats.inc_value(f"vigie/frontier/dropped_{why}", len(dropped))
            if why != "budget":
                logger.info(
                    "%s : %d lien(s) abandonné(s) (%s)",
                    site.site_id,
                    len(dropped),
                    "budget de temps dépassé" if why == "time" else "trop de requêtes en échec",
                )
        self._update(site)

    def _update(self, site: SiteFrontier) -> None:
        """Keep the count of sites with nothing left to do (the progress display)."""
        if site.active:
            self.done.discard(site.site_id)
            if site.started is not None:
                self.open_sites.add(site.site_id)
        else:
            self.done.add(site.site_id)
            self.open_sites.discard(site.site_id)
            if site.closed is not None:
                site.forget()
        self.stats.set_value("vigie/sites_done", len(self.done))
