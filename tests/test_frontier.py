"""The in-memory frontier (``crawler.frontier.memory.FrontierScheduler``), without a crawl.

Requests go in through ``enqueue_request`` and out through ``next_request``, as with
Scrapy's engine; how their downloads end is told through the same signals the engine and
``FrontierOutcomeMiddleware`` send. The last test watches the distributed frontier's
background tasks, which need no Redis to fail.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from scrapy import Request, signals
from scrapy.utils.test import get_crawler

from crawler import frontier
from crawler import settings as defaults
from crawler import signals as vigie_signals
from crawler.frontier.memory import FrontierScheduler
from crawler.scope import canonical_url, classify_link
from crawler.spiders.sites import HOME_KIND, HOME_PRIORITY, SitesSpider

HOME = "http://127.0.0.1:8000/"


def _crawler(**overrides):
    settings = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
    settings.update(VIGIE_ANALYSIS_WORKERS=0, **overrides)
    return get_crawler(SitesSpider, settings)


def _scheduler(**overrides) -> tuple[FrontierScheduler, object]:
    crawler = _crawler(**overrides)
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.open(SitesSpider.from_crawler(crawler, seeds=[]))
    return scheduler, crawler


def _request(
    url: str, label: str = "", depth: int = 1, site: str = "s", home: bool | None = None
) -> Request:
    """A link request as the spider builds it (``home``: the seed's home page)."""
    score, kind = classify_link(label, url)
    home = url == HOME if home is None else home
    return Request(
        canonical_url(url),
        priority=(HOME_PRIORITY if home else score) - depth,
        meta={
            frontier.SITE: site,
            frontier.DEPTH: 0 if home else depth,
            frontier.KIND: HOME_KIND if home else kind,
            frontier.HOME: home,
        },
    )


def _done(crawler, request: Request, page: bool = True) -> None:
    """The request's download ended (the engine's and the outcome middleware's signals)."""
    crawler.signals.send_catch_log(signals.request_left_downloader, request=request, spider=None)
    crawler.signals.send_catch_log(vigie_signals.download_outcome, request=request, page=page)


def _drain(
    scheduler: FrontierScheduler, crawler, page: Callable[[Request], bool] = lambda r: True
) -> list[str]:
    """Hand out every request, one at a time, each ending as ``page`` says."""
    out = []
    while (request := scheduler.next_request()) is not None:
        out.append(request.url)
        _done(crawler, request, page(request))
    return out


def _with_home(scheduler: FrontierScheduler, crawler) -> None:
    assert scheduler.enqueue_request(_request(HOME))
    home = scheduler.next_request()
    assert home is not None and home.url == HOME
    _done(crawler, home)


def test_host_case_default_port_query_order_and_fragment_are_one_page():
    """Scrapy's fingerprint folds the host's case, the query's order and the fragment, not
    the default port: the spider's canonical URL drops it before the request is made."""
    crawler = _crawler()
    fingerprint = crawler.request_fingerprinter.fingerprint
    assert fingerprint(Request("HTTP://Site.fr/a?c=2&b=1#x")) == fingerprint(
        Request("http://site.fr/a?b=1&c=2")
    )
    assert fingerprint(Request("http://site.fr:80/a")) != fingerprint(Request("http://site.fr/a"))
    scheduler, crawler = _scheduler()
    assert scheduler.enqueue_request(_request("http://Site.fr/", home=True))
    variants = [
        "http://site.fr/a?b=1&c=2",
        "HTTP://Site.FR/a?c=2&b=1#haut",
        "http://SITE.fr:80/a?b=1&c=2",
        "http://site.fr:80/a?c=2&b=1#x",
    ]
    admitted = [scheduler.enqueue_request(_request(url)) for url in variants]
    assert admitted == [True, False, False, False]
    assert crawler.stats.get_value("vigie/frontier/duplicate") == 3


def test_one_page_of_each_kind_before_a_second_of_the_same_kind():
    """28 declarations first in menu order, each scoring like "Contact": the contact page,
    the legal notice and the privacy page come before the second declaration."""
    scheduler, crawler = _scheduler()
    _with_home(scheduler, crawler)
    for n in range(28):
        url = f"http://127.0.0.1:8000/declarations/app-{n}/"
        scheduler.enqueue_request(_request(url, "Déclaration d'accessibilité"))
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/contact/", "Contact"))
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/ml/", "Mentions légales"))
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/dp/", "Données personnelles"))
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/actu/", "Actualités"))
    order = _drain(scheduler, crawler)
    first_four = {u.rsplit("/", 2)[-2] for u in order[:5]}
    assert {"contact", "ml", "dp", "app-0", "actu"} == first_four, order[:6]
    assert len(order) == 29  # the budget (30) less the home page


def test_a_link_found_later_overtakes_the_queued_ones():
    """At most VIGIE_IN_FLIGHT_PER_SITE requests of a site are out: the others wait in
    the frontier, where a better link found meanwhile goes before them."""
    scheduler, crawler = _scheduler(VIGIE_IN_FLIGHT_PER_SITE=2)
    _with_home(scheduler, crawler)
    for n in range(5):
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/p{n}", f"Page {n}"))
    first = [scheduler.next_request(), scheduler.next_request()]
    assert all(first) and scheduler.next_request() is None  # two in flight: wait
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/contact", "Nous contacter"))
    _done(crawler, first[0])
    assert scheduler.next_request().url.endswith("/contact")


def test_at_most_open_sites_are_crawled_at_a_time_and_the_next_opens_when_one_is_done():
    """Three seed sites, room for two: the third's home waits until a site is done, so its
    time budget, counted from its first request, is not spent waiting for the others."""
    scheduler, crawler = _scheduler(VIGIE_OPEN_SITES=2, VIGIE_SITE_TIME_BUDGET=60)
    homes = {s: f"http://127.0.0.{n}:8000/" for n, s in enumerate("abc", start=2)}
    for site, url in homes.items():
        assert scheduler.enqueue_request(_request(url, site=site, home=True))
    a, b = scheduler.next_request(), scheduler.next_request()
    assert [a.url, b.url] == [homes["a"], homes["b"]]
    assert scheduler.next_request() is None  # two sites open, each with its home out
    scheduler.enqueue_request(_request(homes["a"] + "contact", "Contact", site="a"))
    _done(crawler, a)
    contact = scheduler.next_request()
    assert contact.url == homes["a"] + "contact"  # an open site goes before a new one
    assert scheduler.next_request() is None
    _done(crawler, contact)  # site a is done
    c = scheduler.next_request()
    assert c is not None and c.url == homes["c"]
    assert scheduler.sites["c"].started is not None
    assert crawler.stats.get_value("vigie/sites_time_budget_exceeded") is None


def test_failed_requests_and_redirects_to_known_pages_give_their_budget_back():
    scheduler, crawler = _scheduler(VIGIE_MAX_PAGES_PER_SITE=4)
    _with_home(scheduler, crawler)
    known = _request("http://127.0.0.1:8000/services/", "Services")
    scheduler.enqueue_request(known)
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/services", "Démarche"))
    for n in range(3):
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/mort{n}", "Démarche"))
    for n in range(5):
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/p{n}"))
    pages, failed = [], []
    while (request := scheduler.next_request()) is not None:
        if request.url.endswith("/services"):
            # Answered 301 to /services/, which the frontier knows: it comes back (as in
            # Scrapy, the download has left before the redirect middleware copies it).
            crawler.signals.send_catch_log(
                signals.request_left_downloader, request=request, spider=None
            )
            redirected = request.replace(url=request.url + "/")
            redirected.meta["redirect_urls"] = [request.url]
            assert not scheduler.enqueue_request(redirected)
            continue
        dead = "/mort" in request.url
        (failed if dead else pages).append(request.url)
        _done(crawler, request, page=not dead)
    assert len(pages) == 3  # with the home page: the budget of 4, whatever failed
    assert len(failed) == 3
    assert crawler.stats.get_value("vigie/redirects_to_known") == 1


def test_a_redirect_loop_goes_on_until_scrapy_stops_it():
    scheduler, crawler = _scheduler()
    _with_home(scheduler, crawler)
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/a", "A"))
    request = scheduler.next_request()
    for target in ("/b", "/a", "/b"):
        crawler.signals.send_catch_log(
            signals.request_left_downloader, request=request, spider=None
        )
        redirected = request.replace(url=f"http://127.0.0.1:8000{target}")
        redirected.meta["redirect_urls"] = [*request.meta.get("redirect_urls", []), request.url]
        assert scheduler.enqueue_request(redirected), target
        request = scheduler.next_request()
        assert request.url.endswith(target)
        assert scheduler.sites["s"].out == 1  # one request in flight, counted once


def test_depth_scope_and_query_variants():
    scheduler, crawler = _scheduler(VIGIE_MAX_QUERY_VARIANTS=2, VIGIE_MAX_DEPTH=2)
    _with_home(scheduler, crawler)
    assert not scheduler.enqueue_request(_request("http://127.0.0.1:8000/deep", depth=3))
    assert not scheduler.enqueue_request(_request("http://127.0.0.1:9999/other-site"))
    agenda = [
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/agenda?m={n}")) for n in range(4)
    ]
    assert agenda == [True, True, False, False]
    stats = crawler.stats.get_stats()
    assert stats["vigie/frontier/depth"] == 1 and stats["vigie/frontier/offsite"] == 1
    assert stats["vigie/frontier/variants"] == 2


def test_a_redirected_home_brings_its_new_domain_into_scope():
    scheduler, crawler = _scheduler()
    scheduler.enqueue_request(_request("http://ancien-site.fr/", site="a", home=True))
    home = scheduler.next_request()
    moved = home.replace(url="https://www.nouveau-site.fr/accueil")
    moved.meta["redirect_urls"] = [home.url]
    crawler.signals.send_catch_log(signals.request_left_downloader, request=home, spider=None)
    assert scheduler.enqueue_request(moved)
    assert scheduler.enqueue_request(_request("https://nouveau-site.fr/contact", site="a"))
    assert not scheduler.enqueue_request(_request("https://ailleurs.fr/", site="a"))


def test_the_site_time_budget_drops_what_is_left(monkeypatch):
    scheduler, crawler = _scheduler(VIGIE_SITE_TIME_BUDGET=10)
    clock = [1000.0]
    monkeypatch.setattr("crawler.frontier.memory.time.monotonic", lambda: clock[0])
    _with_home(scheduler, crawler)
    for n in range(3):
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/p{n}"))
    clock[0] += 11
    assert scheduler.next_request() is None
    assert not scheduler.has_pending_requests()
    assert crawler.stats.get_value("vigie/sites_time_budget_exceeded") == 1


@pytest.mark.parametrize("page", [True, False])
def test_the_engine_is_told_when_nothing_is_left(page):
    scheduler, crawler = _scheduler(VIGIE_MAX_PAGES_PER_SITE=2, VIGIE_MAX_FAILED_PER_SITE=2)
    _with_home(scheduler, crawler)
    for n in range(5):
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/p{n}"))
    _drain(scheduler, crawler, page=lambda r: page)
    assert not scheduler.has_pending_requests() and len(scheduler) == 0
    assert crawler.stats.get_value("vigie/sites_done") == 1


def test_the_frontier_refuses_to_run_without_its_outcome_middleware():
    crawler = _crawler(
        DOWNLOADER_MIDDLEWARES={"crawler.frontier.outcome.FrontierOutcomeMiddleware": None}
    )
    with pytest.raises(ValueError, match="FrontierOutcomeMiddleware"):
        FrontierScheduler.from_crawler(crawler)


def test_scope_is_the_frontiers_alone_scrapys_offsite_filter_is_not_loaded():
    """The spider declares no allowed_domains (the frontier keeps each site's scope), so
    Scrapy's offsite middleware could only cost time: it is not loaded."""
    crawler = _crawler()
    components = crawler.settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES")
    assert components["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] is None
    assert not getattr(SitesSpider, "allowed_domains", None)


def test_spider_middlewares_that_only_cost_are_not_loaded():
    """A URL too long is refused by the guard rails (400 characters, every request) long
    before Scrapy's UrlLengthMiddleware (2,083) could drop it, and the spider never copies
    response.meta (MetaCopyDetectionMiddleware's warning): neither wraps its output."""
    crawler = _crawler()
    components = crawler.settings.get_component_priority_dict_with_base("SPIDER_MIDDLEWARES")
    assert components["scrapy.spidermiddlewares.urllength.UrlLengthMiddleware"] is None
    assert components["scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware"] is None
    assert crawler.settings.getint("VIGIE_MAX_URL_LENGTH") < crawler.settings.getint(
        "URLLENGTH_LIMIT"
    )


def test_a_pages_links_are_proposed_one_of_each_kind_first():
    links = [(f"/d{n}", 100, "accessibility") for n in range(5)]
    links += [("/contact", 100, "contact"), ("/ml", 60, "legal_notice"), ("/a", 10, None)]
    order = [url for url, _, _ in frontier.proposal_order(links)]
    assert order[:4] == ["/d0", "/contact", "/ml", "/a"]
    assert order[4:] == ["/d1", "/d2", "/d3", "/d4"]


def test_an_item_settles_a_budget_place_that_no_outcome_did():
    """A downloader middleware that raises on a response (the peer-address guard) reaches
    neither the outcome middleware nor ``process_exception``: the request's error item
    gives its place back, else the site would wait for ever."""
    from crawler.items import ErrorItem

    scheduler, crawler = _scheduler(VIGIE_MAX_PAGES_PER_SITE=2)
    _with_home(scheduler, crawler)
    for n in range(3):
        scheduler.enqueue_request(_request(f"http://127.0.0.1:8000/p{n}"))
    request = scheduler.next_request()
    assert scheduler.next_request() is None  # the budget of 2: the home and this one
    crawler.signals.send_catch_log(signals.request_left_downloader, request=request, spider=None)
    assert scheduler.next_request() is None  # no outcome yet: the place is still held
    error = ErrorItem(None, "s", request.url, "private_address", "adresse refusée")
    crawler.signals.send_catch_log(signals.item_scraped, item=error, response=None, spider=None)
    assert scheduler.next_request() is not None


def test_a_redirect_to_a_page_being_fetched_leaves_that_pages_place_alone():
    """``/services`` (301 → ``/services/``) and ``/services/`` out at once: the redirect,
    dropped as a redirect to a known page, gives its own place back, not the place of the
    ``/services/`` request, whose item must still settle it (no outcome told here: the
    peer-address guard raised on its response)."""
    from crawler.items import ErrorItem

    scheduler, crawler = _scheduler(VIGIE_MAX_PAGES_PER_SITE=3)
    _with_home(scheduler, crawler)
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/services/", "Services"))
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/services", "Démarche"))
    scheduler.enqueue_request(_request("http://127.0.0.1:8000/p0"))
    first, second = scheduler.next_request(), scheduler.next_request()
    assert {first.url, second.url} == {
        "http://127.0.0.1:8000/services/",
        "http://127.0.0.1:8000/services",
    }
    assert scheduler.next_request() is None  # the budget of 3: the home and these two
    slashless = first if first.url.endswith("/services") else second
    slashed = second if slashless is first else first
    crawler.signals.send_catch_log(signals.request_left_downloader, request=slashless, spider=None)
    redirected = slashless.replace(url=slashless.url + "/")
    redirected.meta["redirect_urls"] = [slashless.url]
    assert not scheduler.enqueue_request(redirected)  # to a page known: dropped
    crawler.signals.send_catch_log(signals.request_left_downloader, request=slashed, spider=None)
    error = ErrorItem(None, "s", slashed.url, "adresse privée", "adresse refusée")
    crawler.signals.send_catch_log(signals.item_scraped, item=error, response=None, spider=None)
    site = scheduler.sites["s"]
    assert (site.reserved, site.failed) == (0, 1)  # its item settled its place
    last = scheduler.next_request()
    assert last is not None and last.url == "http://127.0.0.1:8000/p0"


def test_a_redis_frontier_task_ended_by_an_unexpected_error_stops_the_worker_loudly(caplog):
    """Not a Redis outage (the pump retries those) but a bug: logged and the worker stops,
    instead of the crawl waiting for ever on a frontier nobody feeds. No Redis needed: the
    error comes before any command."""
    import asyncio

    from crawler.frontier.distributed import RedisFrontierScheduler

    crawler = _crawler(VIGIE_REDIS_URL="redis://127.0.0.1:1/0", VIGIE_REDIS_RUN_KEY="t")
    scheduler = RedisFrontierScheduler(crawler)  # from_crawler wants Twisted's reactor
    stops: list[bool] = []

    async def stop_async() -> None:
        stops.append(True)

    async def broken_step() -> float:
        raise RuntimeError("réponse inattendue")

    crawler.stop_async = stop_async
    scheduler._step = broken_step

    async def scenario() -> None:
        scheduler._start_tasks()
        await asyncio.sleep(0.05)

    asyncio.run(scenario())
    assert stops == [True]
    assert "erreur imprévue (réponse inattendue)" in caplog.text
    assert crawler.stats.get_value("vigie/frontier/task_failed") == "RuntimeError"
