"""The crawl's frontier: which page of which site is fetched next, behind Scrapy's scheduler.

The spider parses pages and yields requests for every candidate link; the frontier, a
Scrapy scheduler (``SCHEDULER``), decides what becomes of them, per site:

* **de-duplication** by Scrapy's request fingerprint (``crawler.request_fingerprinter``),
  per site; the spider requests canonical URLs (:func:`crawler.scope.canonical_url`), so
  host case, default port, query order and fragment never make two pages of one;
* **scope**: the seed's registrable domain, and the domain its home page redirects to;
* **depth** (``VIGIE_MAX_DEPTH``) and **query variants** per path
  (``VIGIE_MAX_QUERY_VARIANTS``: calendars and faceted search);
* **best first, by kind**: one page of each kind of key page (contact, accessibility
  declaration, legal notice…, :mod:`checks.key_pages`) before a second page of a kind,
  then by the link's priority (``Request.priority``); so 28 near-identical accessibility
  declarations in a menu do not starve the contact page or the legal notice;
* **the page budget** (``VIGIE_MAX_PAGES_PER_SITE``) counts HTML pages answered 2xx only:
  a 404, a download error, a refusal or a redirect to an already known URL gives its slot
  back (failed requests have their own bound, ``VIGIE_MAX_FAILED_PER_SITE``);
* **in flight**: at most ``VIGIE_IN_FLIGHT_PER_SITE`` requests of a site are handed out at
  a time, so that a link found later can still overtake the ones queued; politeness itself
  stays Scrapy's, one download slot per site (``download_slot``, set by the spider);
* the **time budget** of a site (``VIGIE_SITE_TIME_BUDGET``), from its first request;
* **open sites**: at most ``VIGIE_OPEN_SITES`` sites are crawled at a time, taking turns;
  the next seed site opens when one is done. So a site's pages are not spread over the
  whole run, which its time budget would cut short in a run of 10,000 sites.

Two implementations share these rules: :class:`crawler.frontier.memory.FrontierScheduler`
(one process) and :class:`crawler.frontier.distributed.RedisFrontierScheduler` (workers on
one Redis, with leases). Choosing one is the ``SCHEDULER`` setting; nothing else in the
spider, the pipeline or the middlewares knows which one runs.

How a request's life reaches the frontier, with public Scrapy API only:

* ``request_left_downloader`` (a Scrapy signal): the download is over, the site has one
  request less in flight;
* :data:`crawler.signals.download_outcome`, sent by
  :class:`crawler.frontier.outcome.FrontierOutcomeMiddleware` (outermost downloader
  middleware): a page, or a failure (including refusals by an inner middleware, which
  never reach the downloader);
* a request the frontier handed out coming back to ``enqueue_request`` (a redirect, a
  retry): it keeps its place in the budget, and a redirect to a URL already known is
  dropped without using the budget;
* :data:`crawler.signals.items_stored`: the page's findings are in the store (the
  distributed frontier releases the request's lease then).

And the other way, :data:`crawler.signals.site_closed`: a site takes no more requests (its
budget, its time or its failures are spent). Both frontiers send it; the spider stops
proposing the site's links and forgets which it proposed, and the in-memory frontier
forgets what decided the site's admissions once none of its requests is out. Over a
national crawl, that is the memory that would otherwise grow with every finished site.

The request ``meta`` keys the frontier reads are set by the spider (:data:`SITE`…); the
ones it writes start with ``frontier_`` and must not be copied into new requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.settings import BaseSettings

from crawler.scope import canonical_url

# -- meta keys set by the spider ---------------------------------------------------------
#: The seed site a request belongs to (its frontier); a request without it is handed out
#: as it comes, outside any budget.
SITE = "site_id"
#: Link depth from the home page.
DEPTH = "vigie_depth"
#: Kind of key page expected (:mod:`checks.key_pages`), or None.
KIND = "vigie_kind"
#: True for an HTML page, which counts in the page budget; False for a sitemap.
PAGE = "vigie_page"
#: The seed's home page: its domain, and the domain it redirects to, are the site's scope.
HOME = "vigie_home"
#: A resumed run's record of a request already done: "page" or "failed". Never fetched:
#: the frontier counts it (seen, budget, kinds, query variants) and drops it.
RESTORE = "vigie_restore"
#: Set by the frontier when it hands a request out (``time.monotonic()``).
STARTED = "vigie_started"

# -- meta keys set by the frontier -------------------------------------------------------
#: Fingerprint (hex) of the request when admitted: a request coming back with it is one
#: the frontier handed out (a redirect when the fingerprint changed, else a retry).
FINGERPRINT = "frontier_fp"
#: The request is in flight (handed out, its download not over).
OUT = "frontier_out"
#: The request holds a place in its site's page budget until its outcome is known.
RESERVED = "frontier_reserved"

#: Pseudo-kind of pages that are no key page (they take turns with the key kinds).
OTHER = "other"
#: Why a request is not queued, as counted in the statistics (``vigie/frontier/<why>``).
REFUSALS = ("closed", "depth", "offsite", "duplicate", "variants")


@dataclass(frozen=True, slots=True)
class Limits:
    """The per-site rules of the frontier, from the settings (defaults: crawler/settings.py)."""

    max_pages: int
    max_failed: int
    max_depth: int
    max_query_variants: int
    in_flight: int
    time_budget: float
    open_sites: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Limits:
        return cls(
            max_pages=settings.getint("VIGIE_MAX_PAGES_PER_SITE"),
            max_failed=settings.getint("VIGIE_MAX_FAILED_PER_SITE"),
            max_depth=settings.getint("VIGIE_MAX_DEPTH"),
            max_query_variants=settings.getint("VIGIE_MAX_QUERY_VARIANTS"),
            in_flight=max(settings.getint("VIGIE_IN_FLIGHT_PER_SITE"), 1),
            time_budget=settings.getfloat("VIGIE_SITE_TIME_BUDGET"),
            open_sites=max(settings.getint("VIGIE_OPEN_SITES"), 1),
        )


V = TypeVar("V")


class ByPage(Generic[V]):
    """What the frontier awaits of the requests it handed out, by site and URL: a request
    (in memory) or a lease token (on Redis), found again when an item of that page comes.

    Several requests out at once may share a URL: ``/contact`` redirected to
    ``/contact/`` while ``/contact/``, linked too, is being fetched. So a URL holds a list,
    and a request leaves it by its own identity, never by its URL alone: else the one that
    came back (dropped as a redirect to a known page) would take the other's place away,
    and the other's item would find nothing (its budget place never settled, its lease
    never released, the distributed run pending for ever).
    """

    __slots__ = ("_by_page",)

    def __init__(self) -> None:
        self._by_page: dict[tuple[str, str], list[V]] = {}

    def add(self, site: str, url: str, value: V) -> None:
        self._by_page.setdefault((site, url), []).append(value)

    def remove(self, site: str, url: str | None, value: V) -> bool:
        """Forget ``value`` awaited at ``url`` (a request is equal to itself only); whether
        it was there."""
        values = self._by_page.get((site, url)) if url is not None else None
        if not values:
            return False
        for index, held in enumerate(values):
            if held is value or held == value:
                del values[index]
                if not values:
                    del self._by_page[(site, url)]
                return True
        return False

    def move(self, site: str, previous: str | None, url: str, value: V) -> None:
        """A redirected request awaits its item under its new URL."""
        if self.remove(site, previous, value):
            self.add(site, url, value)

    def get(self, site: str, url: str) -> list[V]:
        """What awaits an item of this page, oldest first (a copy)."""
        return list(self._by_page.get((site, url), ()))

    def __len__(self) -> int:
        return sum(len(values) for values in self._by_page.values())


def kind_of(request: Request) -> str:
    """The kind lane of a page request (:data:`OTHER` for pages that are no key page)."""
    return request.meta.get(KIND) or OTHER


def variant_key(url: str) -> str | None:
    """The key under which ``url``'s query variants are counted (host and path), or
    ``None`` for a URL without a query."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.query else None


def proposal_order(links: list[tuple[str, int, str | None]]) -> list[tuple[str, int, str | None]]:
    """A page's links ``(url, priority, kind)`` in the frontier's own order: the best link
    of each kind first, then the second best of each kind…, by priority within a round.

    Scrapy hands a callback's requests to the scheduler one at a time and asks for the
    next request in between: the first links a page proposes may leave before its last
    ones are known. Proposed in this order, those first ones are the ones the frontier
    would have chosen from the whole page (the contact page before the 28th declaration).
    """
    rank_in_kind: dict[int, int] = {}
    by_kind: dict[str | None, list[int]] = {}
    for index, (_, _, kind) in enumerate(links):
        by_kind.setdefault(kind or OTHER, []).append(index)
    for indexes in by_kind.values():
        indexes.sort(key=lambda i: -links[i][1])
        for rank, i in enumerate(indexes):
            rank_in_kind[i] = rank
    order = sorted(range(len(links)), key=lambda i: (rank_in_kind[i], -links[i][1], i))
    return [links[i] for i in order]


def in_redirect_chain(request: Request) -> bool:
    """Whether ``request`` was redirected back to a URL of its own redirect chain: a loop,
    which must go on until Scrapy's RedirectMiddleware stops it (``REDIRECT_MAX_TIMES``)
    and the site's error says so, rather than end as a redirect to a page known."""
    chain = request.meta.get("redirect_urls") or ()
    if not chain:
        return False
    target = canonical_url(request.url)
    return any(canonical_url(url) == target for url in chain)


def check_components(settings: BaseSettings) -> None:
    """The frontier needs its outcome middleware: without it no budget place is given back
    at download time. Fail at start, in French, rather than crawl on half the rules."""
    wanted = "crawler.frontier.outcome.FrontierOutcomeMiddleware"
    components = settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES")
    if not any(_path(c) == wanted and order is not None for c, order in components.items()):
        raise ValueError(
            f"l'ordonnanceur de Vigie a besoin du middleware {wanted} "
            "(DOWNLOADER_MIDDLEWARES, crawler/settings.py)"
        )


def _path(component: Any) -> str:
    if isinstance(component, str):
        return component
    return f"{component.__module__}.{component.__qualname__}"
