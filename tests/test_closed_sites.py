"""What a closed site keeps: nothing that grows, once none of its requests is out.

A national crawl holds tens of thousands of sites in one process; measured, its memory grew
by ≈ 16 KiB with every finished site, most of it the fingerprints the frontier admitted
(``SiteFrontier.seen``) and the links the spider proposed (``SiteInfo.offered``), kept to
the end even for a site whose budget was spent. These tests hold the frontier and the
spider to forgetting them when the site closes (:data:`crawler.signals.site_closed`),
without changing what is fetched, refused or stored.
"""

from __future__ import annotations

import asyncio

from scrapy import Request, signals
from scrapy.http import HtmlResponse

from crawler import frontier
from crawler import signals as vigie_signals
from crawler.frontier.memory import FrontierScheduler
from crawler.items import PageItem
from crawler.seeds import Seed
from crawler.spiders.sites import SitesSpider
from crawler.store import SiteProgress
from tests.test_frontier import HOME, _crawler, _done


def _setup(resume: SiteProgress | None = None, **overrides):
    """Site "s" with the in-memory frontier, its start requests scheduled; also the site's
    closings told by the frontier and the start requests the spider yielded."""
    crawler = _crawler(**overrides)
    seed = Seed(id="s", name="Mairie", url=HOME, type="mairie")
    spider = SitesSpider.from_crawler(
        crawler, seeds=[seed], resume={"s": resume} if resume else None
    )
    crawler.spider = spider
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.open(spider)
    closed: list[tuple[str, str | None]] = []

    def on_closed(site_id: str, why: str | None) -> None:
        closed.append((site_id, why))

    crawler.signals.connect(on_closed, signal=vigie_signals.site_closed)
    crawler.on_closed = on_closed  # signals hold their receivers weakly

    async def start() -> list[Request]:
        # As Scrapy's engine: each start request is scheduled before the next is asked for.
        started = []
        async for request in spider.start():
            started.append(request)
            scheduler.enqueue_request(request)
        return started

    return crawler, spider, scheduler, closed, asyncio.run(start())


def _page(request: Request, links: list[str]) -> HtmlResponse:
    body = "<html><body><nav>{}</nav></body></html>".format(
        "".join(f'<a href="{href}">Page {n}</a>' for n, href in enumerate(links))
    )
    return HtmlResponse(request.url, body=body.encode(), encoding="utf-8", request=request)


def _parse(spider, request: Request, links: list[str]) -> tuple[PageItem, list[Request]]:
    """The spider's callback on a page linking to ``links``: its item and its requests."""
    outputs = list(spider.parse_page(_page(request, links)))
    items = [o for o in outputs if isinstance(o, PageItem)]
    assert len(items) == 1, outputs
    pages = [o for o in outputs if isinstance(o, Request) and o.meta.get(frontier.PAGE, True)]
    return items[0], pages


def test_a_site_whose_budget_is_spent_forgets_what_it_admitted_and_the_spider_too():
    crawler, spider, scheduler, closed, _ = _setup(VIGIE_MAX_PAGES_PER_SITE=3)
    home = scheduler.next_request()
    assert home.url == HOME
    _, requests = _parse(spider, home, [f"/p{n}" for n in range(6)])
    for request in requests:
        assert scheduler.enqueue_request(request)
    _done(crawler, home)
    assert len(spider.sites["s"].offered) >= 7  # the home and its six links
    fetched = []
    while (request := scheduler.next_request()) is not None:
        if request.meta.get(frontier.PAGE, True):
            fetched.append(request.url)
        _done(crawler, request, page=request.meta.get(frontier.PAGE, True))
    assert len(fetched) == 2  # the budget of 3, the home page included
    assert closed == [("s", "budget")]
    site = scheduler.sites["s"]
    assert (site.seen, site.keys, site.variants, site.taken) == (set(), set(), {}, {})
    assert spider.sites["s"].offered == set()
    # Closed is closed: a link proposed again is refused, and nothing is remembered of it.
    assert not scheduler.enqueue_request(requests[-1])
    assert crawler.stats.get_value("vigie/frontier/closed") == 1
    assert site.seen == set()


def test_a_page_still_out_when_its_site_closes_keeps_what_it_needs():
    """Too many failures close the site while a page is out; redirected within the site,
    that page must still be recognised as the site's (its scope kept until it is back)."""
    crawler, spider, scheduler, closed, _ = _setup(
        VIGIE_MAX_FAILED_PER_SITE=1, VIGIE_IN_FLIGHT_PER_SITE=2
    )
    home = scheduler.next_request()
    _, requests = _parse(spider, home, ["/mort", "/services"])
    for request in requests:
        assert scheduler.enqueue_request(request)
    _done(crawler, home)
    dead, page = scheduler.next_request(), scheduler.next_request()
    assert (dead.url, page.url) == (HOME + "mort", HOME + "services")
    _done(crawler, dead, page=False)
    assert closed == [("s", "failures")]
    assert scheduler.sites["s"].keys  # a page is out: kept
    # As Scrapy: the download has left, then the redirect middleware makes the new request.
    crawler.signals.send_catch_log(signals.request_left_downloader, request=page)
    moved = page.replace(url=HOME + "services/")
    moved.meta["redirect_urls"] = [page.url]
    assert scheduler.enqueue_request(moved)  # within the site: it goes on
    again = scheduler.next_request()
    assert again.url == moved.url
    _done(crawler, again)
    assert scheduler.sites["s"].seen == set()  # nothing out any more: forgotten
    assert scheduler.sites["s"].pages == 2


def test_a_sitemap_back_after_its_site_closed_is_dropped():
    """A redirected or retried sitemap of a closed site would only bring links it refuses."""
    crawler, spider, scheduler, closed, _ = _setup(VIGIE_MAX_PAGES_PER_SITE=2)
    home = scheduler.next_request()
    _, requests = _parse(spider, home, ["/contact"])
    for request in requests:
        assert scheduler.enqueue_request(request)
    sitemap = Request(
        HOME + "sitemap.xml", meta={frontier.SITE: "s", frontier.DEPTH: 0, frontier.PAGE: False}
    )
    assert scheduler.enqueue_request(sitemap)
    _done(crawler, home)
    out = [scheduler.next_request(), scheduler.next_request()]
    page = next(r for r in out if r.meta.get(frontier.PAGE, True))
    sitemap = next(r for r in out if not r.meta.get(frontier.PAGE, True))
    _done(crawler, page)
    assert closed == [("s", "budget")]
    # As Scrapy: the download has left, then the redirect middleware makes the new request.
    crawler.signals.send_catch_log(signals.request_left_downloader, request=sitemap)
    moved = sitemap.replace(url=HOME + "plan-du-site.xml")
    moved.meta["redirect_urls"] = [sitemap.url]
    assert not scheduler.enqueue_request(moved)
    assert scheduler.next_request() is None
    assert not scheduler.has_pending_requests()
    assert scheduler.sites["s"].seen == set()


def test_a_page_analysed_after_its_site_closed_proposes_nothing_and_stores_its_links():
    """Its links are refused whoever proposes them; it stores them all, so that a resumed
    run (which gives a time-closed site a new time budget) still knows them."""
    crawler, spider, scheduler, closed, _ = _setup(VIGIE_MAX_PAGES_PER_SITE=30)
    home = scheduler.next_request()
    item, requests = _parse(spider, home, ["/a", "/b"])
    assert [url for url, *_ in item.links] == [HOME + "a", HOME + "b"]
    crawler.signals.send_catch_log(vigie_signals.site_closed, site_id="s", why="time")
    assert spider.sites["s"].offered == set()
    late = Request(HOME + "a", meta=requests[0].meta)
    item, requests = _parse(spider, late, ["/", "/b", "/c", "/c"])
    assert requests == []
    assert [url for url, *_ in item.links] == [HOME, HOME + "b", HOME + "c"]
    assert spider.sites["s"].offered == set()


def test_a_resumed_site_closed_by_its_records_is_proposed_nothing_more():
    """A resumed run whose stored pages fill the budget: the frontier closes the site on
    its records, and the spider neither proposes its links again nor remembers them."""
    progress = SiteProgress(
        [(HOME, 0), (HOME + "p0", 1), (HOME + "p1", 1)],
        [],
        [(f"{HOME}q{n}", 10, 2, None) for n in range(50)],
    )
    _, spider, scheduler, closed, proposed = _setup(progress, VIGIE_MAX_PAGES_PER_SITE=3)
    assert closed == [("s", "budget")]
    assert len(proposed) == 3  # the three records; no link, no home, no sitemap
    assert spider.sites["s"].offered == set()
    assert scheduler.next_request() is None
