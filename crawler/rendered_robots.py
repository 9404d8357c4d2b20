"""robots.txt for the routes the audit phase renders on its own (``crawler/rendered_links.py``).

The HTTP crawl obeys robots.txt through Scrapy (``crawler/robots.py``); the routes found only
in a rendered JavaScript shell are opened by the browser after the crawl, outside Scrapy, so
they are checked here before they are rendered: the same rules (RFC 9309, parsed by Protego,
Scrapy's own parser), read once per host with the guarded opener of ``crawler/fetch.py`` (the
private-address rule applies to the connected address), the same reading of failures as the
crawl's: 4xx but 429 means no rules, 429, 5xx or no answer means nothing is fetched.
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from protego import Protego

from crawler import fetch, robots
from crawler.addresses import AddressRule

log = logging.getLogger(__name__)


class RenderedRobots:
    """``await allowed(url)``: whether the host's robots.txt lets Vigie fetch ``url``."""

    def __init__(self, user_agent: str, maxsize: int, timeout: float, rule: AddressRule) -> None:
        self.user_agent = user_agent
        self.maxsize = maxsize
        self.timeout = timeout
        self.opener = fetch.guarded_opener(rule)
        self.rules: dict[str, asyncio.Future[Protego | None]] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.rules:
            self.rules[origin] = asyncio.ensure_future(asyncio.to_thread(self._read, origin))
        rules = await self.rules[origin]
        return rules is not None and rules.can_fetch(url, self.user_agent)

    def _read(self, origin: str) -> Protego | None:
        """The host's rules; ``None`` when robots.txt is unreachable (nothing is fetched)."""
        request = urllib.request.Request(
            f"{origin}/robots.txt", headers={"User-Agent": self.user_agent}
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read(self.maxsize)
        except urllib.error.HTTPError as exc:
            if not robots.unreachable(exc.code):
                return Protego.parse("")  # unavailable: no rules (RFC 9309, 2.3.1.3)
            log.info("robots.txt inaccessible pour %s : HTTP %s", origin, exc.code)
            return None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            log.info("robots.txt inaccessible pour %s : %s", origin, exc)
            return None
        return Protego.parse(body.decode("utf-8", errors="replace"))
