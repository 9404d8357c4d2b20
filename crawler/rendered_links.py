"""Links that exist only in a rendered DOM: which to render next, within the site's budget.

A JavaScript shell (a Vue or React application) gives the HTTP crawl an empty ``<div>``:
its menu, and so its contact or accessibility routes, exist only once the browser has run
its scripts. Fetched by HTTP, those routes would give the empty shell again, so the audit
phase renders them (:mod:`crawler.audit_phase`, reason :data:`REASON`). This module holds
the bookkeeping, pure (no I/O, no browser):

* **same site only**: the registrable domains of the site's stored pages
  (:func:`crawler.scope.site_key`: the seed's, and the one its home redirected to);
* **not stored yet**: canonical URLs (:func:`crawler.scope.canonical_url`) that the run
  holds neither as a page nor as a crawl error, nor offered here before;
* **the crawl's rules**: page URLs only, no trap, the maximum depth;
* **breadth first, key pages first**: one level of depth at a time, in the frontier's own
  order (:func:`crawler.frontier.proposal_order`: the best link of each kind of key page
  first);
* **the budget**: ``VIGIE_MAX_PAGES_PER_SITE`` minus the pages the site already stored. A
  place is reserved when a route is handed out, and given back when it does not become a
  page (an error, a redirect to a page already known), as the frontier does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler import frontier
from crawler.scope import canonical_url, classify_link, is_page_url, site_key, trap_reason

#: The audit reason of a page reached only through a rendered DOM's link.
REASON = "lien-rendu"


@dataclass(frozen=True, slots=True)
class Route:
    """A same-site link of a rendered DOM, to render as a page of the run."""

    site_id: str
    url: str
    depth: int


@dataclass(slots=True)
class _Site:
    keys: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    left: int = 0
    # depth → canonical URL → (priority, kind): the best label wins
    pending: dict[int, dict[str, tuple[int, str | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )


class RenderedLinks:
    """Per site of a run: what it holds, its budget left, the routes waiting to be rendered."""

    def __init__(
        self,
        pages: Iterable[Mapping[str, Any]],
        error_urls: Iterable[tuple[str, str]],
        settings: Any,
    ) -> None:
        """``pages``: the run's stored pages; ``error_urls``: ``(site_id, url)`` of its
        crawl errors; ``settings``: Scrapy settings (the defaults are crawler/settings.py)."""
        self.max_pages = settings.getint("VIGIE_MAX_PAGES_PER_SITE")
        self.max_depth = settings.getint("VIGIE_MAX_DEPTH")
        self.max_url_length = settings.getint("VIGIE_MAX_URL_LENGTH")
        self.max_repeated = settings.getint("VIGIE_MAX_REPEATED_SEGMENT")
        self.sites: dict[str, _Site] = defaultdict(_Site)
        self.depths: dict[int, int] = {}
        stored: dict[str, int] = defaultdict(int)
        for page in pages:
            site = self.sites[page["site_id"]]
            site.keys.add(site_key(page["url"]))
            site.known.add(_canonical(page["url"]))
            stored[page["site_id"]] += 1
            self.depths[page["id"]] = page["depth"] or 0
        for site_id, url in error_urls:
            if site_id in self.sites:
                self.sites[site_id].known.add(_canonical(url))
        for site_id, site in self.sites.items():
            site.left = max(self.max_pages - stored[site_id], 0)

    def offer(self, site_id: str, links: Iterable[tuple[str, str, bool]], depth: int) -> int:
        """Keep the candidate routes among a rendered page's ``links`` (``(url, label, in
        header/footer/nav)``, :class:`crawler.analysis.PageAnalysis`) found at ``depth``;
        returns how many are new."""
        site = self.sites.get(site_id)
        if site is None or depth > self.max_depth:
            return 0
        level = site.pending[depth]
        new = 0
        for href, label, in_chrome in links:
            url = _canonical(href)
            if (
                not url
                or url in site.known
                or not is_page_url(url)
                or site_key(url) not in site.keys
                or trap_reason(url, self.max_url_length, self.max_repeated)
            ):
                continue
            score, kind = classify_link(label, url, in_chrome)
            if url not in level:
                new += 1
            if url not in level or score > level[url][0]:
                level[url] = (score, kind)
        return new

    def next_level(self) -> list[Route]:
        """Per site, routes of its shallowest waiting level, key pages first, as many as
        its budget has places left (each place is reserved until :meth:`stored` or
        :meth:`release`). The routes left over wait for places given back."""
        routes: list[Route] = []
        for site_id, site in self.sites.items():
            levels = sorted(d for d, urls in site.pending.items() if urls)
            if not levels or site.left <= 0:
                continue
            depth = levels[0]
            level = site.pending[depth]
            proposed = [(url, score, kind) for url, (score, kind) in level.items()]
            for url, _score, _kind in frontier.proposal_order(proposed)[: site.left]:
                del level[url]
                site.known.add(url)
                site.left -= 1
                routes.append(Route(site_id, url, depth))
        return routes

    def is_new_page(self, route: Route, final_url: str) -> bool:
        """Whether the page a route ended on (after redirects) is one the site does not hold:
        same site, not stored, not handed out (its own URL excepted)."""
        site = self.sites[route.site_id]
        url = _canonical(final_url)
        if not url or site_key(url) not in site.keys:
            return False
        return url == route.url or url not in site.known

    def stored(self, route: Route, final_url: str) -> None:
        """The route is stored as a page (under ``final_url``): its place is used."""
        self.sites[route.site_id].known.add(_canonical(final_url))

    def release(self, route: Route) -> None:
        """The route gave no page: its place in the budget is given back."""
        self.sites[route.site_id].left += 1

    def pending_count(self) -> int:
        return sum(len(urls) for s in self.sites.values() for urls in s.pending.values())


def _canonical(url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError:
        return ""
