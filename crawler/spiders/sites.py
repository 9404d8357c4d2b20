"""One spider for every seed site: it reads pages and proposes links; the frontier decides.

For each seed the spider yields the request of its home page; for each HTML page, a
:class:`~crawler.items.PageItem` (its check results, computed by
:mod:`crawler.analysis`) and a request for every candidate link: its canonical URL
(:func:`crawler.scope.canonical_url`), its depth, its priority and the kind of key page it
leads to (:func:`crawler.scope.classify_link`); for each failed request, an
:class:`~crawler.items.ErrorItem` with a French reason. Which requests are fetched, in which
order and within which budget is the frontier's (:mod:`crawler.frontier`, Scrapy's
``SCHEDULER``): the spider keeps no queue, budget or de-duplication of its own, and is the
same in one process and as one worker of a distributed crawl.

One thing the spider remembers per site is the links it has already proposed
(``SiteInfo.offered``), for two reasons: every page repeats its site's menus, and building
a ``Request`` (Scrapy parses and quotes its URL) for each of a hundred links on each page
would cost the reactor more than the rest of the page; and a page stores the links *it*
proposed first, which a resumed crawl proposes again (:meth:`Reads.progress`). It decides
nothing: what the frontier refuses stays refused, whoever proposes it again. Once the
frontier says a site is closed (:data:`crawler.signals.site_closed`), the spider proposes
nothing more for it and forgets that set (a national crawl keeps tens of thousands of
sites); a page of it analysed after that stores every link it has, as none was proposed.

Each site is its own download slot: politeness is per administration, whatever its hosts.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import exceptions as scrapy_exceptions
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawler import error_kinds, frontier
from crawler import signals as vigie_signals
from crawler.analysis import (
    Analyser,
    AnalysisFailed,
    PageAnalysis,
    analyse_page,
    default_workers,
)
from crawler.frontier.outcome import is_page
from crawler.items import ErrorItem, PageItem
from crawler.middlewares import GuardRefused
from crawler.scope import canonical_url, classify_link, is_page_url, site_key, trap_reason
from crawler.seeds import Seed, load_seeds
from crawler.store import SiteProgress

#: Sitemaps taken from a site's robots.txt (some list one per section or language; the
#: page budget is a few dozen pages, and each sitemap gives up to VIGIE_SITEMAP_MAX_URLS).
ROBOTS_SITEMAPS_MAX = 3
#: Sitemaps of a sitemap index followed.
INDEX_SITEMAPS_MAX = 5
#: Priority of the home page and of the sitemaps: before any link.
HOME_PRIORITY = 1000
#: The lane of the home page in its site's frontier (it is no key page of its own).
HOME_KIND = "home"


@dataclass
class SiteInfo:
    """What the spider knows of one site: its seed, its sitemaps, the links it proposed."""

    seed: Seed
    sitemaps: list[str] = field(default_factory=list)  # declared in its robots.txt
    sitemap_requested: bool = False
    sitemaps_requested: set[str] = field(default_factory=set)
    offered: set[str] = field(default_factory=set)  # links proposed: hrefs, canonical URLs
    closed: bool = False  # the frontier takes no more of its requests

    def offer(self, url: str) -> None:
        """Remember ``url`` as proposed (a closed site remembers nothing more)."""
        if not self.closed:
            self.offered.add(url)

    def close(self) -> None:
        """The frontier refuses the site's requests from now on: nothing to remember."""
        self.closed = True
        self.offered = set()


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
        self.sites: dict[str, SiteInfo] = {}
        self.resume = resume or {}
        self.run_label = run_label  # for a run the store pipeline opens (Scrapyd)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SitesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_url_length = s.getint("VIGIE_MAX_URL_LENGTH")
        spider.max_repeated = s.getint("VIGIE_MAX_REPEATED_SEGMENT")
        spider.sitemap_max = s.getint("VIGIE_SITEMAP_MAX_URLS")
        workers = s.get("VIGIE_ANALYSIS_WORKERS")
        spider.analyser = Analyser(
            default_workers() if workers in (None, "auto") else int(workers),
            timeout=s.getfloat("VIGIE_ANALYSIS_TIMEOUT"),
        )
        crawler.signals.connect(spider._on_robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider._on_site_closed, signal=vigie_signals.site_closed)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    # -- the seeds ------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.crawler.stats.set_value("vigie/sites_total", len(self.seeds))
        # Every site is known before the first request leaves: a worker of a distributed
        # crawl may be handed a site's page that another worker proposed.
        self.sites = {seed.id: SiteInfo(seed) for seed in self.seeds}
        for seed in self.seeds:
            site = self.sites[seed.id]
            progress = self.resume.get(seed.id)
            if progress and (progress.fetched or progress.failed):
                for request in self._restored(site, progress):
                    yield request
            if site.closed:  # its stored pages and failures spent its budget
                continue
            home = canonical_url(seed.url)
            site.offer(home)
            yield self._page_request(site, home, 0, HOME_PRIORITY, HOME_KIND, home=True)

    def _restored(self, site: SiteInfo, progress: SiteProgress) -> Iterator[scrapy.Request]:
        """Continue an interrupted run: what is stored is done, what it linked is proposed.

        The records of what is done come first, so that the frontier counts a site's pages,
        failures and query variants before it sees any link of it.
        """
        kinds = {url: kind for url, _score, _depth, kind in progress.links}
        for url, depth in progress.fetched:
            kind = HOME_KIND if depth == 0 else kinds.get(url)
            yield self._record(site, url, "page", kind)
        for url in progress.failed:
            yield self._record(site, url, "failed", kinds.get(url))
        for url, score, depth, kind in progress.links:
            if site.closed:
                return  # the records above closed it: the frontier refuses the rest
            site.offer(url)
            yield self._page_request(site, url, depth, score, kind)
        if progress.fetched and not site.closed:
            # Its home is not fetched again: the sitemaps are asked for now (those its
            # robots.txt declares follow when it is read, _on_robots_parsed).
            yield from self._sitemap_requests(site, progress.fetched[0][0])

    def _record(self, site: SiteInfo, url: str, done: str, kind: str | None) -> scrapy.Request:
        site.offer(url)
        meta = {frontier.SITE: site.seed.id, frontier.RESTORE: done, frontier.KIND: kind}
        return scrapy.Request(url, meta=meta)

    def _page_request(
        self,
        site: SiteInfo,
        url: str,
        depth: int,
        score: int,
        kind: str | None,
        home: bool = False,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_page if self.analyser.workers == 0 else self.parse_page_pooled,
            errback=self.on_error,
            priority=score - depth,
            meta={
                frontier.SITE: site.seed.id,
                frontier.DEPTH: depth,
                frontier.KIND: kind,
                frontier.HOME: home,
                "download_slot": f"site:{site.seed.id}",
            },
        )

    def _on_closed(self, spider: scrapy.Spider) -> None:
        self.analyser.close()

    def _on_site_closed(self, site_id: str, why: str | None = None) -> None:
        site = self.sites.get(site_id)
        if site is not None and not site.closed:
            site.close()

    # -- pages ----------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Analyse in this process: a plain generator, the cheapest callback for Scrapy."""
        site = self.sites[response.meta[frontier.SITE]]
        yield from self._received(site, response)
        if not is_page(response):
            yield self._not_html(site, response)
            return
        try:
            analysis = analyse_page(response.text, response.url)
        except Exception as exc:  # reported as the page's error, never lost
            self.logger.exception("analyse impossible : %s", response.url)
            yield self._error_item(
                site,
                response.url,
                "analyse",
                f"analyse de la page impossible : {type(exc).__name__}: {exc}",
                response.meta,
            )
        else:
            yield from self._analysed(site, response, analysis)

    async def parse_page_pooled(self, response: Response) -> AsyncIterator[Any]:
        """Analyse in a worker process (``VIGIE_ANALYSIS_WORKERS`` > 0)."""
        site = self.sites[response.meta[frontier.SITE]]
        for output in self._received(site, response):
            yield output
        if not is_page(response):
            yield self._not_html(site, response)
            return
        try:
            analysis = await self.analyser.analyse(response.text, response.url)
        except AnalysisFailed as exc:  # the analysis raised, or its worker died
            self.logger.error("analyse impossible : %s : %s", response.url, exc)
            yield self._error_item(
                site,
                response.url,
                "analyse",
                f"analyse de la page impossible : {exc}",
                response.meta,
            )
        else:
            for output in self._analysed(site, response, analysis):
                yield output

    def _received(self, site: SiteInfo, response: Response) -> Iterator[scrapy.Request]:
        """The home page's answer brings the site's sitemaps."""
        if response.meta.get(frontier.HOME):
            yield from self._sitemap_requests(site, response.url)

    def _not_html(self, site: SiteInfo, response: Response) -> ErrorItem:
        return self._error_item(
            site, response.url, "non HTML", "réponse non HTML ignorée", response.meta
        )

    def _analysed(
        self, site: SiteInfo, response: Response, analysis: PageAnalysis
    ) -> Iterator[Any]:
        """The page's item, and a request for each link it proposes first."""
        depth = response.meta.get(frontier.DEPTH, 0)
        started = response.meta.get(frontier.STARTED, time.monotonic())
        proposed = self._proposals(site, analysis.links)
        yield PageItem(
            run_id=self.run_id,
            site_id=site.seed.id,
            url=response.url,
            status_code=response.status,
            depth=depth,
            bytes=len(response.body),
            duration_s=round(time.monotonic() - started, 4),
            title=analysis.title or None,
            js_shell=analysis.js_shell,
            problems=analysis.problems or None,
            findings=analysis.findings,
            links=proposed,
        )
        yield from self._requests(site, proposed, depth + 1)

    def _requests(
        self, site: SiteInfo, proposed: list[tuple[str, int, str | None]], depth: int
    ) -> Iterator[scrapy.Request]:
        """The requests of ``proposed`` links; none for a closed site, which the frontier
        would refuse."""
        if not site.closed:
            for url, score, kind in proposed:
                yield self._page_request(site, url, depth, score, kind)

    def _proposals(
        self, site: SiteInfo, links: Iterable[tuple[str, str, bool]]
    ) -> list[tuple[str, int, str | None]]:
        """``(url, score, kind)`` of the candidate pages among ``links`` not proposed
        before, in the frontier's order (:func:`crawler.frontier.proposal_order`); they
        count as proposed from now on.

        A URL linked several times on the page keeps its best label (an icon link and
        "Nous contacter" to one page rank as "Nous contacter"). For a closed site, nothing
        is remembered: every candidate of the page.
        """
        offered = set() if site.closed else site.offered
        best: dict[str, tuple[int, str | None]] = {}
        for href, label, in_chrome in links:
            if href in offered:
                continue
            try:
                url = canonical_url(href)
            except ValueError:
                offered.add(href)
                continue
            if url in offered or not is_page_url(url):
                offered.add(href)
                continue
            if trap_reason(url, self.max_url_length, self.max_repeated):
                offered.add(href)
                continue
            score, kind = classify_link(label, url, in_chrome)
            if url not in best or score > best[url][0]:
                best[url] = (score, kind)
        proposed = frontier.proposal_order(
            [(url, score, kind) for url, (score, kind) in best.items()]
        )
        offered.update(url for url, _score, _kind in proposed)
        return proposed

    # -- sitemaps -------------------------------------------------------------------------

    def _on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Keep the sitemaps a site's robots.txt declares (``Sitemap:`` lines) on its own
        domain: the standard way to find one that is not at ``/sitemap.xml``
        (``/sitemap_index.xml``, ``/wp-sitemap.xml``, ``/plan-du-site.xml``…).

        The robots.txt of a site is parsed before its home page is fetched (Scrapy holds
        the request until then), so the home's response finds them here.
        """
        site = self.sites.get(request.meta.get(frontier.SITE, ""))
        if site is None:
            return
        # Protego, Scrapy's default parser, lists them; with another parser, none is known
        # and /sitemap.xml is tried as without robots.txt.
        declared = getattr(getattr(robotparser, "rp", None), "sitemaps", None) or ()
        keys = {site_key(site.seed.url), site_key(request.url)}
        for url in (u.strip() for u in declared):
            if (
                url.startswith(("http://", "https://"))
                and site_key(url) in keys
                and url not in site.sitemaps
                and len(site.sitemaps) < ROBOTS_SITEMAPS_MAX
            ):
                site.sitemaps.append(url)
        if site.sitemap_requested:
            # A resumed site asks for /sitemap.xml before its robots.txt is read (its
            # home is not fetched again): the declared sitemaps follow now.
            for url in site.sitemaps:
                if url not in site.sitemaps_requested:
                    self.crawler.engine.crawl(self._sitemap_request(site, url, 0))

    def _sitemap_requests(self, site: SiteInfo, home_url: str) -> Iterator[scrapy.Request]:
        """The site's sitemaps: those its robots.txt declares, else ``/sitemap.xml``."""
        if site.sitemap_requested:
            return
        site.sitemap_requested = True
        parts = urlsplit(home_url)
        for url in site.sitemaps or [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]:
            yield self._sitemap_request(site, url, 0)

    def _sitemap_request(self, site: SiteInfo, url: str, level: int) -> scrapy.Request:
        site.sitemaps_requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.on_sitemap_error,
            priority=HOME_PRIORITY,
            meta={
                frontier.SITE: site.seed.id,
                frontier.DEPTH: 0,
                frontier.PAGE: False,
                "download_slot": f"site:{site.seed.id}",
                "vigie_sitemap_level": level,
            },
        )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta[frontier.SITE]]
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # lxml raises several types on non-XML bodies
            self.logger.info("sitemap illisible %s : %s", response.url, exc)
            return
        level = response.meta.get("vigie_sitemap_level", 0)
        locs = [entry.get("loc", "") for entry in itertools.islice(sitemap, self.sitemap_max)]
        if sitemap.type == "sitemapindex":
            if level == 0:
                for loc in locs[:INDEX_SITEMAPS_MAX]:
                    if loc.startswith(("http://", "https://")):
                        yield self._sitemap_request(site, loc, 1)
        else:
            proposed = self._proposals(site, ((loc, "", False) for loc in locs))
            yield from self._requests(site, proposed, depth=1)

    def on_sitemap_error(self, failure: Failure) -> None:
        # No sitemap is normal; it is not an error of the site.
        self.logger.debug("pas de sitemap : %s", failure.request.url)

    # -- errors ---------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        site = self.sites[request.meta[frontier.SITE]]
        kind, reason = classify_failure(failure)
        yield self._error_item(site, request.url, kind, reason, request.meta)

    def _error_item(
        self, site: SiteInfo, url: str, kind: str, reason: str, meta: dict[str, Any]
    ) -> ErrorItem:
        return ErrorItem(
            run_id=self.run_id,
            site_id=site.seed.id,
            url=url,
            error_kind=kind,
            reason=reason,
            is_home=bool(meta.get(frontier.HOME)),
            page_kind=meta.get(frontier.KIND),
        )


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
    """The kind (:mod:`crawler.error_kinds`, an English id) and French reason of a failure."""
    exc = failure.value
    if isinstance(exc, GuardRefused):
        return exc.kind, exc.reason
    if failure.check(HttpError):
        status = exc.response.status
        return error_kinds.http(status), f"le serveur a répondu HTTP {status}"
    if failure.check(*_DNS_ERRORS):
        return error_kinds.DNS, "nom de domaine introuvable (DNS)"
    if failure.check(*_REFUSED_ERRORS):
        return error_kinds.CONNECTION_REFUSED, "connexion refusée : le site ne répond pas"
    if failure.check(*_TIMEOUT_ERRORS):
        return error_kinds.TIMEOUT, "délai de réponse dépassé"
    if failure.check(*_CANCELLED_ERRORS):
        return error_kinds.TOO_LARGE, f"téléchargement interrompu (réponse trop grande ?) : {exc}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return error_kinds.ROBOTS_FORBIDDEN, "exploration interdite par robots.txt"
        if "redirect" in text:
            return error_kinds.REDIRECT_LOOP, "boucle ou excès de redirections"
        return error_kinds.IGNORED, f"requête ignorée : {text}"
    name = type(exc).__name__
    if "Timeout" in name:
        return error_kinds.TIMEOUT, "délai de réponse dépassé"
    return error_kinds.DOWNLOAD_FAILED, f"échec du téléchargement : {name}: {exc}"
