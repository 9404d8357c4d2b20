"""What a resumed crawl restores, without a crawl: the spider proposes again what the store
holds (``SitesSpider.start``), and the frontier counts what was done before it takes any
link (pages, failures, query variants)."""

from __future__ import annotations

import asyncio

from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler import signals as vigie_signals
from crawler.frontier.memory import FrontierScheduler
from crawler.seeds import Seed
from crawler.spiders.sites import SitesSpider
from crawler.store import SiteProgress

HOME = "http://127.0.0.1:8000/"


def _fetched(progress: SiteProgress | None, **settings) -> list[str]:
    """Every URL the frontier hands out for site "p" after a resume (each a page)."""
    values = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
    values.update(VIGIE_MAX_QUERY_VARIANTS=3, VIGIE_ANALYSIS_WORKERS=0, **settings)
    crawler = get_crawler(SitesSpider, values)
    seed = Seed(id="p", name="Préfecture", url=HOME, type="prefecture")
    spider = SitesSpider.from_crawler(
        crawler, seeds=[seed], resume={"p": progress} if progress else None
    )
    crawler.spider = spider
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.open(spider)

    async def start() -> list:
        return [request async for request in spider.start()]

    for request in asyncio.run(start()):
        scheduler.enqueue_request(request)
    out = []
    while (request := scheduler.next_request()) is not None:
        if request.meta.get("vigie_page", True):
            out.append(request.url)
        crawler.signals.send_catch_log(signals.request_left_downloader, request=request)
        crawler.signals.send_catch_log(
            vigie_signals.download_outcome,
            request=request,
            page=request.meta.get("vigie_page", True),
        )
    return out


def test_a_resumed_crawl_keeps_counting_a_calendars_query_variants():
    """Three ``?month=`` variants were fetched before the interruption (the limit is 3): the
    fourth, linked from them, stays refused after ``--resume`` as it was before."""
    agenda = [f"{HOME}agenda/?month={n}" for n in range(3)]
    progress = SiteProgress(
        [(HOME, 0), *((url, 1) for url in agenda)],
        [],
        [(f"{HOME}agenda/?month=3", 40, 2, None), (f"{HOME}contact.html", 90, 1, "contact")],
    )
    fetched = _fetched(progress)
    assert fetched == [f"{HOME}contact.html"]


def test_a_failed_variant_counts_too():
    progress = SiteProgress(
        [(HOME, 0), (f"{HOME}agenda/?month=0", 1), (f"{HOME}agenda/?month=1", 1)],
        [f"{HOME}agenda/?month=2"],
        [(f"{HOME}agenda/?month=3", 40, 2, None)],
    )
    assert _fetched(progress) == []


def test_variants_below_the_limit_are_still_taken():
    progress = SiteProgress(
        [(HOME, 0), (f"{HOME}agenda/?month=0", 1)],
        [],
        [(f"{HOME}agenda/?month=1", 40, 2, None), (f"{HOME}agenda/?month=2", 40, 2, None)],
    )
    assert sorted(_fetched(progress)) == [f"{HOME}agenda/?month=1", f"{HOME}agenda/?month=2"]


def test_the_pages_stored_count_in_the_budget_and_the_failures_do_not():
    """Four pages stored of a budget of five, and two failures: one more page is taken."""
    progress = SiteProgress(
        [(HOME, 0), *((f"{HOME}p{n}", 1) for n in range(3))],
        [f"{HOME}mort{n}" for n in range(2)],
        [(f"{HOME}q{n}", 10, 2, None) for n in range(4)],
    )
    assert len(_fetched(progress, VIGIE_MAX_PAGES_PER_SITE=5)) == 1


def test_a_fresh_site_starts_at_its_home_page():
    assert _fetched(None) == [HOME]
