"""The store pipeline: pages, findings and errors go to the SQL store in batches.

Batches keep SQLite fast (one transaction per ``VIGIE_STORE_BATCH`` items instead of one
per page); a batch is also written every ``VIGIE_STORE_FLUSH_INTERVAL`` seconds, and
whatever is buffered is written when the spider closes, whatever the reason.

Distributed (``crawler.distributed``), an item carries the lease of its request: the lease
is released once the item is written, so that a worker killed before the write loses
nothing (another worker fetches the page again). A page or error a dead worker had
written just before dying is then not written twice.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from crawler.store import Store, finding_rows, now

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, db_url: str, batch: int, interval: float = 2.0) -> None:
        self.db_url = db_url
        self.batch = batch
        self.interval = interval
        self._timer: Any = None
        self.shared: Any = None  # crawler.distributed.Coordinator of a distributed run
        self._leases: list[tuple[str | None, bool]] = []  # released once written
        self.store: Store | None = None
        self.owned_run: int | None = None
        self.crawler: Crawler | None = None
        self._pages: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self._errors: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        pipeline = cls(
            s.get("VIGIE_DB_URL"),
            s.getint("VIGIE_STORE_BATCH"),
            s.getfloat("VIGIE_STORE_FLUSH_INTERVAL"),
        )
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = Store(self.db_url)
        if spider is None and self.crawler is not None:
            spider = self.crawler.spider  # Scrapy ≥ 2.14 calls open_spider() without it
        self.shared = getattr(spider, "shared", None)
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

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        if item.get("run_id") is None:
            return item  # a spider run without a store run (scrapy crawl for a look)
        if item.get("lease") is not None or item.get("claimed"):
            self._leases.append((item.get("lease"), bool(item.get("claimed"))))
        if item["kind"] == "page":
            page = {
                k: item[k]
                for k in (
                    "run_id",
                    "site_id",
                    "url",
                    "status_code",
                    "depth",
                    "bytes",
                    "duration_s",
                    "title",
                    "js_shell",
                    "problems",
                    "links",
                )
            }
            page["fetched_at"] = now()
            self._pages.append((page, finding_rows(item["results"])))
        else:
            self._errors.append(
                {
                    "run_id": item["run_id"],
                    "site_id": item["site_id"],
                    "url": item["url"],
                    "kind": item["error_kind"],
                    "reason": item["reason"],
                    "is_home": item["is_home"],
                    "at": now(),
                }
            )
        if len(self._pages) + len(self._errors) >= self.batch:
            self.flush()
        return item

    def flush(self) -> None:
        if self.store is not None and (self._pages or self._errors):
            self.store.write_batch(self._pages, self._errors, skip_stored=self.shared is not None)
        self._pages, self._errors = [], []
        leases, self._leases = self._leases, []
        if self.shared is not None:
            for token, claimed in leases:
                self.shared.release(token, counted=claimed)

    def _timer_failed(self, failure: Any) -> None:
        # The rows stay buffered: the next batch, or the spider's close, writes them.
        logger.error("écriture périodique dans la base arrêtée : %s", failure.getErrorMessage())

    def close_spider(self, spider: Spider | None = None) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
        if self.owned_run is not None and self.store is not None:
            stats = self.crawler.stats.get_stats() if self.crawler else {}
            from crawler.aggregation import finish_run

            finish_run(self.store, self.owned_run, dict(stats))
