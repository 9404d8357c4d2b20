"""The baseline of ``crawl_throughput.py``: a bare Scrapy spider fetching a URL list.

    .venv/bin/python bench/bare_spider.py URLS_FILE SETTINGS_JSON

No parsing, no checks, no store: it fetches every URL of the file (one per line, with its
site id) with the same settings and one download slot per site, as Vigie does, and prints
Scrapy's statistics as JSON on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, rows: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows = rows

    async def start(self):
        for site_id, url in self.rows:
            yield scrapy.Request(
                url,
                dont_filter=True,
                callback=self.parse,
                meta={"download_slot": f"site:{site_id}"},
            )

    def parse(self, response):
        # Counted apart from robots.txt, which Scrapy's response count includes.
        self.crawler.stats.inc_value("bare/pages")


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        rows = [tuple(line.rstrip("\n").split("\t", 1)) for line in fh]
    settings = json.loads(sys.argv[2])
    process = CrawlerProcess({**settings, "LOG_LEVEL": "ERROR"})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, rows=rows)
    process.start()
    json.dump(crawler.stats.get_stats(), sys.stdout, default=str)


if __name__ == "__main__":
    main()
