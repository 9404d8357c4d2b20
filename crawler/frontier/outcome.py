"""How each download handed out by the frontier ended: a page, or a failure.

The outermost downloader middleware (the smallest order in ``DOWNLOADER_MIDDLEWARES``):
its ``process_response`` sees the final response only (a redirect or a retry returns a
new request before reaching it, and that request comes back to the scheduler), and its
``process_exception`` sees every exception no inner middleware recovered from, including
refusals raised before the download (robots.txt, guard rails), which never reach the
downloader and so never send ``request_left_downloader``. It sends
:data:`crawler.signals.download_outcome`; the scheduler in use listens.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawler import signals
from crawler.frontier import FINGERPRINT


def is_page(response: Response) -> bool:
    """An HTML page answered 2xx: what the page budget counts."""
    if not 200 <= response.status < 300 or not isinstance(response, TextResponse):
        return False
    content_type = response.headers.get("Content-Type") or b"text/html"
    return b"html" in content_type.lower()


class FrontierOutcomeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierOutcomeMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if FINGERPRINT in request.meta:
            self._send(request, is_page(response))
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if FINGERPRINT in request.meta:
            self._send(request, False)
        return None  # the failure goes on to the spider's errback

    def _send(self, request: Request, page: bool) -> None:
        self.crawler.signals.send_catch_log(
            signal=signals.download_outcome, request=request, page=page
        )
