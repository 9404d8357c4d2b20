"""One spider for every seed site: best-first, polite, budgeted.

Each site has its own frontier, a heap of candidate links ordered by how likely they are
to carry the findings (contact, accessibility, hours…, header and footer links first). At
most ``IN_FLIGHT_PER_SITE`` requests of a site are in Scrapy's hands at a time, so that
every page fetched is the best candidate known at that moment and the page budget goes to
the pages that matter. Each site is its own download slot: politeness is per
administration, whatever its host names.

The static checks run here, on the page parsed once, and a :class:`PageItem` goes to the
store pipeline; every failed request gives an :class:`ErrorItem` with a French reason.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import exceptions as scrapy_exceptions
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawler.analysis import (
    Analyser,
    AnalysisFailed,
    PageAnalysis,
    analyse_page,
    default_workers,
)
from crawler.middlewares import GuardRefused
from crawler.scope import canonical, is_page_url, link_score, site_key, trap_reason
from crawler.seeds import Seed, load_seeds
from crawler.store import SiteProgress

IN_FLIGHT_PER_SITE = 4
#: Sitemaps taken from a site's robots.txt (some list one per section or language; the
#: page budget is a few dozen pages, and each sitemap gives up to VIGIE_SITEMAP_MAX_URLS).
ROBOTS_SITEMAPS_MAX = 3
HOME_PRIORITY = 1000


@dataclass
class SiteState:
    """What the spider knows of one site during the crawl."""

    seed: Seed
    keys: set[str]
    frontier: list[tuple[int, int, str, int]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    fetched: set[str] = field(default_factory=set)  # final URLs, after redirects
    query_variants: dict[str, int] = field(default_factory=dict)
    scheduled: int = 0
    in_flight: int = 0
    pages_ok: int = 0
    errors: int = 0
    sitemap_requested: bool = False
    sitemaps: list[str] = field(default_factory=list)  # declared in its robots.txt
    sitemaps_requested: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)
    timed_out: bool = False

    @property
    def done(self) -> bool:
        return self.in_flight == 0 and not self.frontier


class SitesSpider(scrapy.Spider):
    name = "sites"

    def __init__(
        self,
        seeds: list[Seed] | str | None = None,
        run_id: int | str | None = None,
        resume: dict[str, SiteProgress] | None = None,
        run_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(seeds, str):  # `scrapy crawl sites -a seeds=FILE`
            seeds = load_seeds(seeds).seeds
        self.seeds: list[Seed] = list(seeds or [])
        self.run_id = int(run_id) if run_id is not None else None
        self.sites: dict[str, SiteState] = {}
        self.resume = resume or {}
        self.run_label = run_label  # for a run the store pipeline opens (Scrapyd)
        self._seq = itertools.count()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SitesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_pages = s.getint("VIGIE_MAX_PAGES_PER_SITE")
        spider.max_depth = s.getint("VIGIE_MAX_DEPTH")
        spider.max_query_variants = s.getint("VIGIE_MAX_QUERY_VARIANTS")
        spider.max_url_length = s.getint("VIGIE_MAX_URL_LENGTH")
        spider.max_repeated = s.getint("VIGIE_MAX_REPEATED_SEGMENT")
        spider.sitemap_max = s.getint("VIGIE_SITEMAP_MAX_URLS")
        spider.time_budget = s.getfloat("VIGIE_SITE_TIME_BUDGET")
        spider.shared = None
        if s.get("VIGIE_REDIS_URL"):
            from crawler.distributed import Coordinator

            spider.shared = Coordinator.from_settings(s)
            crawler.signals.connect(spider._on_opened, signal=signals.spider_opened)
        workers = s.get("VIGIE_ANALYSIS_WORKERS")
        spider.analyser = Analyser(
            default_workers() if workers in (None, "auto") else int(workers),
            timeout=s.getfloat("VIGIE_ANALYSIS_TIMEOUT"),
        )
        crawler.signals.connect(spider._on_robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    # -- progress (read by crawler.progress.Progress) ------------------------------------

    def progress(self) -> dict[str, int]:
        states = self.sites.values()
        return {
            "sites_total": len(self.seeds),
            "sites_done": sum(1 for s in states if s.done),
            "pages": sum(s.pages_ok for s in states),
            "errors": sum(s.errors for s in states),
        }

    # -- scheduling -----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._home_requests():
            yield request

    def _home_requests(self) -> Iterator[scrapy.Request]:
        for seed in self.seeds:
            state = SiteState(seed=seed, keys={site_key(seed.url)})
            self.sites[seed.id] = state
            progress = self.resume.get(seed.id)
            if progress and progress.fetched:
                yield from self._restore(state, progress)
            else:
                self._push(state, seed.url, depth=0, score=HOME_PRIORITY)
            yield from self._release(state)

    def _restore(self, state: SiteState, progress: SiteProgress) -> Iterator[Any]:
        """Continue an interrupted run: what is stored is done, what it linked is to do."""
        for url, _depth in progress.fetched:
            state.keys.add(site_key(url))
            state.seen.add(canonical(url))
            state.fetched.add(canonical(url))
        state.seen.update(canonical(u) for u in progress.failed)
        if self.shared is None:  # (distributed, the counts live in Redis and survive)
            # Each stored or failed URL was counted as a query variant when it was queued:
            # without these counts a resumed crawl would take a calendar's variants afresh.
            home = canonical(state.seed.url)
            for url in [*(u for u, _ in progress.fetched), *progress.failed]:
                url = canonical(url)
                path = _variant_path(url)
                if path is not None and url != home:
                    state.query_variants[path] = state.query_variants.get(path, 0) + 1
        state.scheduled = len(progress.fetched) + len(progress.failed)
        state.pages_ok = len(progress.fetched)
        state.errors = len(progress.failed)
        for url, score, depth in progress.links:
            if depth <= self.max_depth:
                self._consider(state, url, "", depth, score=score)
        home = progress.fetched[0][0]
        yield from self._request_sitemap(state, home)

    def _push(self, state: SiteState, url: str, depth: int, score: int) -> None:
        url = canonical(url)
        if url in state.seen:
            return
        state.seen.add(url)
        if self.shared is not None:
            # Claimed and queued in Redis in one step (no frontier of our own): nothing is
            # lost if this worker dies right after. False: another worker queued it, or
            # the site's budget is spent.
            request = self._page_request(state, url, depth, score)
            if self.shared.claim(state.seed.id, url, self.max_pages, request):
                state.scheduled += 1
            return
        heapq.heappush(state.frontier, (-score, next(self._seq), url, depth))

    def _page_request(self, state: SiteState, url: str, depth: int, score: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_page if self.analyser.workers == 0 else self.parse_page_pooled,
            errback=self.on_error,
            priority=score - depth,
            dont_filter=True,  # de-duplication is the frontier's (``seen``)
            meta={
                "site_id": state.seed.id,
                "vigie_depth": depth,
                "download_slot": f"site:{state.seed.id}",
                "vigie_home": depth == 0 and url == canonical(state.seed.url),
                "vigie_started": time.monotonic(),
                "vigie_claim": True,
            },
        )

    def _release(self, state: SiteState) -> Iterator[scrapy.Request]:
        """Hand the best candidates to Scrapy, within the in-flight cap and the budget."""
        if state.frontier and time.monotonic() - state.started > self.time_budget:
            state.timed_out = True
            self.crawler.stats.inc_value("vigie/sites_time_budget_exceeded")
            self.logger.info(
                "budget de temps dépassé pour %s : %d liens abandonnés",
                state.seed.id,
                len(state.frontier),
            )
            state.frontier.clear()
        # Alone: best-first within a small cap. (Distributed, ``_push`` queued each link
        # in the shared Redis queue, which orders every worker's requests.)
        while state.frontier and state.in_flight < IN_FLIGHT_PER_SITE:
            if state.scheduled >= self.max_pages:
                state.frontier.clear()
                break
            neg_score, _, url, depth = heapq.heappop(state.frontier)
            state.scheduled += 1
            state.in_flight += 1
            yield self._page_request(state, url, depth, -neg_score)

    def _on_opened(self, spider: scrapy.Spider) -> None:
        """Distributed: say this worker is alive, and take over dead workers' leases."""
        from twisted.internet import task

        self._heartbeat = task.LoopingCall(self._beat)
        self._heartbeat.start(max(self.shared.lease_ttl / 3, 0.2), now=True)

    def _beat(self) -> None:
        self.shared.beat()
        reaped = self.shared.reap()
        if reaped:
            self.crawler.stats.inc_value("vigie/leases_reaped", reaped)
            self.logger.warning(
                "%d requête(s) d'un travailleur arrêté remise(s) en file d'attente", reaped
            )

    def _on_closed(self, spider: scrapy.Spider) -> None:
        heartbeat = getattr(self, "_heartbeat", None)
        if heartbeat is not None and heartbeat.running:
            heartbeat.stop()
        self.analyser.close()

    def _done_without_item(self, meta: dict[str, Any]) -> None:
        """A leased request that stores nothing is done now (else the store releases it)."""
        if self.shared is not None:
            self.shared.release(meta.get("vigie_lease"), counted=bool(meta.get("vigie_claim")))

    def _on_idle(self, spider: scrapy.Spider) -> None:
        """Safety net: if Scrapy is idle while a frontier still holds links, go on.

        Distributed, a worker stays open while any worker's request is unanswered: the
        answer may queue links for everyone.
        """
        pending = False
        for state in self.sites.values():
            if state.frontier:
                state.in_flight = 0
                for request in self._release(state):
                    self.crawler.engine.crawl(request)
                    pending = True
        if self.shared is not None:
            self._beat()
        if pending or (self.shared is not None and self.shared.pending() > 0):
            raise DontCloseSpider

    # -- pages ----------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Analyse in this process: a plain generator, the cheapest callback for Scrapy."""
        state, outputs, is_page = self._receive(response)
        yield from outputs
        if is_page:
            try:
                analysis = analyse_page(response.text, response.url)
            except Exception as exc:  # reported as the page's error, never lost
                self.logger.exception("analyse impossible : %s", response.url)
                state.errors += 1
                yield self._error_item(
                    state,
                    response.url,
                    "analyse",
                    f"analyse de la page impossible : {type(exc).__name__}: {exc}",
                    response.meta,
                )
            else:
                yield from self._analysed(state, response, analysis)
        yield from self._release(state)

    async def parse_page_pooled(self, response: Response) -> AsyncIterator[Any]:
        """Analyse in a worker process (``VIGIE_ANALYSIS_WORKERS`` > 0)."""
        state, outputs, is_page = self._receive(response)
        for output in outputs:
            yield output
        if is_page:
            try:
                analysis = await self.analyser.analyse(response.text, response.url)
            except AnalysisFailed as exc:  # the analysis raised, or its worker died
                self.logger.error("analyse impossible : %s : %s", response.url, exc)
                state.errors += 1
                yield self._error_item(
                    state,
                    response.url,
                    "analyse",
                    f"analyse de la page impossible : {exc}",
                    response.meta,
                )
            else:
                for output in self._analysed(state, response, analysis):
                    yield output
        for request in self._release(state):
            yield request

    def _receive(self, response: Response) -> tuple[SiteState, list[Any], bool]:
        """Book-keeping of a response; whether it is an HTML page to analyse."""
        state = self.sites[response.meta["site_id"]]
        state.in_flight -= 1
        outputs: list[Any] = []
        if response.meta.get("vigie_home"):
            # The home may redirect to another registrable domain (new site address):
            # that domain is the site's too.
            state.keys.add(site_key(response.url))
            if self.shared is not None:
                self.shared.add_key(state.seed.id, site_key(response.url))
            state.seen.add(canonical(response.url))
            outputs.extend(self._request_sitemap(state, response.url))
        final_url = canonical(response.url)
        requested = canonical(response.meta.get("redirect_urls", [response.url])[0])
        if final_url in state.fetched or (
            self.shared is not None
            and not self.shared.first_fetch(state.seed.id, final_url, requested)
        ):
            # Two links redirected to one page (/ancien-contact → /contact): keep one.
            self.logger.debug("page déjà analysée après redirection : %s", response.url)
            self._done_without_item(response.meta)
            return state, outputs, False
        if (
            not isinstance(response, TextResponse)
            or b"html" not in (response.headers.get("Content-Type") or b"text/html").lower()
        ):
            state.errors += 1
            outputs.append(
                self._error_item(
                    state, response.url, "non HTML", "réponse non HTML ignorée", response.meta
                )
            )
            return state, outputs, False
        state.fetched.add(final_url)
        return state, outputs, True

    def _analysed(
        self, state: SiteState, response: Response, analysis: PageAnalysis
    ) -> Iterator[Any]:
        """The page item, and the page's links into the site's frontier."""
        depth = response.meta.get("vigie_depth", 0)
        started = response.meta.get("vigie_started", time.monotonic())
        state.pages_ok += 1
        self.crawler.stats.inc_value("vigie/pages")
        queued: list[tuple[str, int]] = []
        if depth < self.max_depth:
            for href, label, in_chrome in analysis.links:
                accepted = self._consider(state, href, label, depth + 1, in_chrome=in_chrome)
                if accepted:
                    queued.append(accepted)
        yield {
            "kind": "page",
            "run_id": self.run_id,
            "site_id": state.seed.id,
            "url": response.url,
            "status_code": response.status,
            "depth": depth,
            "bytes": len(response.body),
            "duration_s": round(time.monotonic() - started, 4),
            "title": analysis.title or None,
            "js_shell": analysis.js_shell,
            "problems": analysis.problems or None,
            "results": analysis.results,
            "links": queued,
            **_lease_of(response.meta),
        }

    def _consider(
        self,
        state: SiteState,
        url: str,
        label: str,
        depth: int,
        in_chrome: bool = False,
        score: int | None = None,
    ) -> tuple[str, int] | None:
        """Queue ``url`` in the site's frontier if it is a page of the site, not a trap.

        Returns ``(url, score)`` when queued: the page that discovered a link stores it,
        so that a resumed crawl rebuilds the frontier from the store.
        """
        url = canonical(url)
        if url in state.seen or not is_page_url(url):
            return None
        key = site_key(url)
        if key not in state.keys:
            if self.shared is None or not self.shared.has_key(state.seed.id, key):
                return None
            state.keys.add(key)
        if trap_reason(url, self.max_url_length, self.max_repeated):
            return None
        path = _variant_path(url)
        if path is not None:
            if self.shared is not None:
                n = self.shared.count_variant(state.seed.id, path) - 1
            else:
                n = state.query_variants.get(path, 0)
                state.query_variants[path] = n + 1
            if n >= self.max_query_variants:
                return None  # calendars and faceted search: a few variants tell enough
        if score is None:
            score = link_score(label, url, in_chrome)
        self._push(state, url, depth, score)
        return url, score

    # -- sitemap --------------------------------------------------------------------------

    def _on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Keep the sitemaps a site's robots.txt declares (``Sitemap:`` lines) on its own
        domain: the standard way to find one that is not at ``/sitemap.xml``
        (``/sitemap_index.xml``, ``/wp-sitemap.xml``, ``/plan-du-site.xml``…).

        The robots.txt of a site is parsed before its home page is fetched (Scrapy holds
        the request until then), so the home's response finds them here.
        """
        state = self.sites.get(request.meta.get("site_id", ""))
        if state is None:
            return
        # Protego, Scrapy's default parser, lists them; with another parser, none is known
        # and /sitemap.xml is tried as without robots.txt.
        declared = getattr(getattr(robotparser, "rp", None), "sitemaps", None) or ()
        for url in (u.strip() for u in declared):
            if (
                url.startswith(("http://", "https://"))
                and site_key(url) in state.keys
                and url not in state.sitemaps
                and len(state.sitemaps) < ROBOTS_SITEMAPS_MAX
            ):
                state.sitemaps.append(url)
        if state.sitemap_requested and self.shared is None:
            # A resumed site asks for /sitemap.xml before its robots.txt is read (its
            # home is not fetched again): the declared sitemaps follow now.
            for url in state.sitemaps:
                if url not in state.sitemaps_requested:
                    self.crawler.engine.crawl(self._sitemap_request(state, url))

    def _request_sitemap(self, state: SiteState, home_url: str) -> Iterator[Any]:
        """The site's sitemaps: those its robots.txt declares, else ``/sitemap.xml``."""
        if state.sitemap_requested:
            return
        state.sitemap_requested = True
        if self.shared is not None and not self.shared.first("sitemaps", state.seed.id):
            return
        parts = urlsplit(home_url)
        for url in state.sitemaps or [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]:
            yield self._sitemap_request(state, url)

    def _sitemap_request(self, state: SiteState, url: str) -> scrapy.Request:
        state.sitemaps_requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.on_sitemap_error,
            priority=HOME_PRIORITY,
            dont_filter=True,
            meta={
                "site_id": state.seed.id,
                "vigie_depth": 0,
                "download_slot": f"site:{state.seed.id}",
                "vigie_sitemap_level": 0,
            },
        )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        state = self.sites[response.meta["site_id"]]
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # lxml raises several types on non-XML bodies
            self.logger.info("sitemap illisible %s : %s", response.url, exc)
            return
        level = response.meta.get("vigie_sitemap_level", 0)
        locs = [entry.get("loc", "") for entry in itertools.islice(sitemap, self.sitemap_max)]
        if sitemap.type == "sitemapindex":
            if level == 0:
                for loc in locs[:5]:
                    if site_key(loc) in state.keys:
                        meta = {k: v for k, v in response.meta.items() if k != "vigie_lease"}
                        yield response.request.replace(
                            url=loc, meta={**meta, "vigie_sitemap_level": 1}
                        )
        else:
            for loc in locs:
                self._consider(state, loc, "", depth=1)
            yield from self._release(state)
        self._done_without_item(response.meta)

    def on_sitemap_error(self, failure: Failure) -> None:
        # No sitemap is normal; it is not an error of the site.
        self.logger.debug("pas de sitemap : %s", failure.request.url)
        self._done_without_item(failure.request.meta)

    # -- errors ---------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        state = self.sites[request.meta["site_id"]]
        state.in_flight -= 1
        state.errors += 1
        kind, reason = classify_failure(failure)
        self.crawler.stats.inc_value("vigie/errors")
        yield self._error_item(state, request.url, kind, reason, request.meta)
        yield from self._release(state)

    def _error_item(
        self, state: SiteState, url: str, kind: str, reason: str, meta: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "kind": "error",
            "run_id": self.run_id,
            "site_id": state.seed.id,
            "url": url,
            "error_kind": kind,
            "reason": reason,
            "is_home": bool(meta.get("vigie_home")),
            **_lease_of(meta),
        }


def _lease_of(meta: dict[str, Any]) -> dict[str, Any]:
    """What the store pipeline needs to release the request's lease once the item is stored
    (distributed crawl, :mod:`crawler.distributed`)."""
    return {"lease": meta.get("vigie_lease"), "claimed": bool(meta.get("vigie_claim"))}


def _scrapy_exceptions(*names: str) -> tuple[type[BaseException], ...]:
    """Scrapy ≥ 2.14 wraps Twisted's download errors in its own exception types."""
    return tuple(getattr(scrapy_exceptions, n) for n in names if hasattr(scrapy_exceptions, n))


_DNS_ERRORS = (tx_error.DNSLookupError, *_scrapy_exceptions("CannotResolveHostError"))
_REFUSED_ERRORS = (
    tx_error.ConnectionRefusedError,
    *_scrapy_exceptions("DownloadConnectionRefusedError"),
)
_TIMEOUT_ERRORS = (
    tx_error.TimeoutError,
    tx_error.TCPTimedOutError,
    *_scrapy_exceptions("DownloadTimeoutError"),
)
_CANCELLED_ERRORS = _scrapy_exceptions("DownloadCancelledError")


def classify_failure(failure: Failure) -> tuple[str, str]:
    """A short kind and a French reason for a failed request."""
    exc = failure.value
    if isinstance(exc, GuardRefused):
        return exc.kind, exc.reason
    if failure.check(HttpError):
        status = exc.response.status
        return f"HTTP {status}", f"le serveur a répondu HTTP {status}"
    if failure.check(*_DNS_ERRORS):
        return "DNS", "nom de domaine introuvable (DNS)"
    if failure.check(*_REFUSED_ERRORS):
        return "connexion refusée", "connexion refusée : le site ne répond pas"
    if failure.check(*_TIMEOUT_ERRORS):
        return "délai dépassé", "délai de réponse dépassé"
    if failure.check(*_CANCELLED_ERRORS):
        return "taille", f"téléchargement interrompu (réponse trop grande ?) : {exc}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots.txt", "exploration interdite par robots.txt"
        if "redirect" in text:
            return "boucle de redirections", "boucle ou excès de redirections"
        return "ignorée", f"requête ignorée : {text}"
    name = type(exc).__name__
    if "Timeout" in name:
        return "délai dépassé", "délai de réponse dépassé"
    return name, f"échec du téléchargement : {name}: {exc}"


def _variant_path(url: str) -> str | None:
    """The key under which ``url``'s query variants are counted (host and path), or
    ``None`` for a URL without a query."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.query else None
