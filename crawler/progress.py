"""Progress display for long crawls: sites done / total, pages, errors, redirects, pace.

A line on stderr every ``VIGIE_PROGRESS_INTERVAL`` seconds (and a last one at the end),
readable in a terminal and in a log file alike, in French for the operators.
"""

from __future__ import annotations

import sys
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self.stream = sys.stderr

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("VIGIE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.report, spider)
        self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop and self._loop.running:
            self._loop.stop()
        self.report(spider, final=True)

    def line(self, spider: Spider) -> str:
        """Sites done / total, pages, errors and redirects to a known page, from the
        crawl's statistics (the spider counts the sites, the frontier those done, the
        store pipeline the pages and errors): failed requests and redirects do not use the
        page budget, so they are shown apart."""
        stats = self.crawler.stats
        elapsed = time.monotonic() - self.started
        pages = stats.get_value("vigie/pages", 0)
        pace = pages / elapsed if elapsed > 0 else 0.0
        return (
            f"[vigie] sites {stats.get_value('vigie/sites_done', 0)}"
            f"/{stats.get_value('vigie/sites_total', 0)}"
            f" · pages {pages} · erreurs {stats.get_value('vigie/errors', 0)}"
            f" · redirections vers une page connue "
            f"{stats.get_value('vigie/redirects_to_known', 0)}"
            f" · {pace:.1f} pages/s · {elapsed:.0f} s"
        )

    def report(self, spider: Spider, final: bool = False) -> None:
        print(self.line(spider) + (" · terminé" if final else ""), file=self.stream, flush=True)
