"""The store pipeline: pages, findings and errors go to the SQL store in batches.

Batches keep SQLite fast (one transaction per ``VIGIE_STORE_BATCH`` items instead of one
per page); a batch is also written every ``VIGIE_STORE_FLUSH_INTERVAL`` seconds, and
whatever is buffered is written when the spider closes, whatever the reason. After each
batch the pipeline sends :data:`crawler.signals.items_stored`: a distributed frontier
releases then the requests whose findings are durable (a worker killed before the write
loses nothing: another one fetches the page again).

``VIGIE_STORE_SKIP_STORED`` (set for the workers of a distributed crawl) leaves out the
pages and errors the run already holds: a page a dead worker had written just before dying
is not written twice.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from crawler import settings, signals
from crawler.items import ErrorItem, PageItem
from crawler.store import Store, now

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(
        self,
        db_url: str,
        batch: int,
        interval: float = settings.VIGIE_STORE_FLUSH_INTERVAL,
        skip_stored: bool = False,
    ) -> None:
        self.db_url = db_url
        self.batch = batch
        self.interval = interval
        self.skip_stored = skip_stored
        self._timer: Any = None
        self.store: Store | None = None
        self.owned_run: int | None = None
        self.crawler: Crawler | None = None
        self._pages: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self._errors: list[dict[str, Any]] = []
        self._items: list[PageItem | ErrorItem] = []  # announced once written

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        pipeline = cls(
            s.get("VIGIE_DB_URL"),
            s.getint("VIGIE_STORE_BATCH"),
            s.getfloat("VIGIE_STORE_FLUSH_INTERVAL"),
            s.getbool("VIGIE_STORE_SKIP_STORED"),
        )
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = Store(self.db_url)
        if spider is None and self.crawler is not None:
            spider = self.crawler.spider  # Scrapy ≥ 2.14 calls open_spider() without it
        if self.interval > 0:
            from twisted.internet import task

            self._timer = task.LoopingCall(self.flush)
            self._timer.start(self.interval, now=False).addErrback(self._timer_failed)
        # Under Scrapyd (``scrapy crawl sites -a seeds=FILE -a run_label=…``) nobody has
        # opened a run for the spider: the pipeline opens it, and closes it at the end.
        if spider is not None and getattr(spider, "run_id", 0) is None and spider.seeds:
            spider.run_id = self.store.start_run(
                spider.seeds, label=getattr(spider, "run_label", None)
            )
            self.owned_run = spider.run_id

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, PageItem):
            self._count("vigie/pages")
            if item.run_id is None:
                return item  # a spider run without a store run (scrapy crawl for a look)
            page = {
                "run_id": item.run_id,
                "site_id": item.site_id,
                "url": item.url,
                "status_code": item.status_code,
                "depth": item.depth,
                "bytes": item.bytes,
                "duration_s": item.duration_s,
                "title": item.title,
                "js_shell": item.js_shell,
                "problems": item.problems,
                "links": [list(link) for link in item.links],
                "fetched_at": now(),
            }
            self._pages.append((page, item.findings))
        elif isinstance(item, ErrorItem):
            self._count("vigie/errors")
            if item.run_id is None:
                return item
            self._errors.append(
                {
                    "run_id": item.run_id,
                    "site_id": item.site_id,
                    "url": item.url,
                    "kind": item.error_kind,
                    "reason": item.reason,
                    "is_home": item.is_home,
                    "page_kind": item.page_kind,
                    "at": now(),
                }
            )
        else:
            return item
        self._items.append(item)
        if len(self._pages) + len(self._errors) >= self.batch:
            self.flush()
        return item

    def _count(self, key: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def flush(self) -> None:
        if self.store is not None and (self._pages or self._errors):
            self.store.write_batch(self._pages, self._errors, skip_stored=self.skip_stored)
        items = self._items
        self._pages, self._errors, self._items = [], [], []
        if items and self.crawler is not None:
            self.crawler.signals.send_catch_log(signal=signals.items_stored, items=items)

    def _timer_failed(self, failure: Any) -> None:
        # The rows stay buffered: the next batch, or the spider's close, writes them.
        logger.error("écriture périodique dans la base arrêtée : %s", failure.getErrorMessage())

    def close_spider(self, spider: Spider | None = None) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        try:
            self.flush()
            if self.owned_run is not None and self.store is not None:
                stats = self.crawler.stats.get_stats() if self.crawler else {}
                from crawler.aggregation import finish_run

                finish_run(self.store, self.owned_run, dict(stats))
        finally:
            if self.store is not None:
                self.store.close()  # its connections, now: not when the collector gets to it
