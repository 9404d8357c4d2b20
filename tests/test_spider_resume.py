"""What a resumed crawl restores in the spider, without a crawl: ``SitesSpider._restore``."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler.seeds import Seed
from crawler.spiders.sites import SitesSpider
from crawler.store import SiteProgress

HOME = "http://127.0.0.1:8000/"


def _queued(spider: SitesSpider) -> list[str]:
    """Every URL the spider would fetch for site "p": requests handed out and frontier."""
    urls = [request.url for request in spider._home_requests()]
    return urls + [url for _, _, url, _ in spider.sites["p"].frontier]


def _spider(progress: SiteProgress | None) -> SitesSpider:
    """The spider as ``vigie crawl`` builds it: Vigie's settings, three variants a path."""
    settings = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
    settings.update(VIGIE_MAX_QUERY_VARIANTS=3, VIGIE_ANALYSIS_WORKERS=0)
    crawler = get_crawler(SitesSpider, settings)
    seed = Seed(id="p", name="Préfecture", url=HOME, type="prefecture")
    return crawler._create_spider(seeds=[seed], resume={"p": progress} if progress else None)


def test_a_resumed_crawl_keeps_counting_a_calendars_query_variants():
    """Three ``?month=`` variants were fetched before the interruption (the limit is 3): the
    fourth, linked from them, stays refused after ``--resume`` as it was before."""
    agenda = [f"{HOME}agenda/?month={n}" for n in range(3)]
    progress = SiteProgress(
        [(HOME, 0), *((url, 1) for url in agenda)],
        [],
        [(f"{HOME}agenda/?month=3", 40, 2), (f"{HOME}contact.html", 90, 1)],
    )
    queued = _queued(_spider(progress))
    assert f"{HOME}contact.html" in queued
    assert not any("month=" in url for url in queued), queued


def test_a_failed_variant_counts_too():
    progress = SiteProgress(
        [(HOME, 0), (f"{HOME}agenda/?month=0", 1), (f"{HOME}agenda/?month=1", 1)],
        [f"{HOME}agenda/?month=2"],
        [(f"{HOME}agenda/?month=3", 40, 2)],
    )
    assert not any("month=3" in url for url in _queued(_spider(progress)))


def test_variants_below_the_limit_are_still_taken():
    progress = SiteProgress(
        [(HOME, 0), (f"{HOME}agenda/?month=0", 1)],
        [],
        [(f"{HOME}agenda/?month=1", 40, 2), (f"{HOME}agenda/?month=2", 40, 2)],
    )
    queued = _queued(_spider(progress))
    assert f"{HOME}agenda/?month=1" in queued and f"{HOME}agenda/?month=2" in queued
