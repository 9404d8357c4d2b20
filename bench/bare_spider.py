"""The baseline of ``crawl_throughput.py``: a bare Scrapy spider fetching a URL list.

    .venv/bin/python bench/bare_spider.py URLS_FILE SETTINGS_JSON [follow]

No parsing, no checks, no store: it fetches every URL of the file (one per line, with its
site id) with the same settings and one download slot per site, as Vigie does, and prints
Scrapy's statistics as JSON on stdout.

With ``follow``, it finds those pages the way a crawler must: it starts from each site's
first URL of the file (its home page) and follows the links of each page, read with
Scrapy's ``LinkExtractor``, that are in the file; Scrapy's duplicate filter fetches each
once. The same pages, plus the cost of reading each one for its links.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


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


class FollowingSpider(BareSpider):
    """From each site's home page, the links of each page that are in the list."""

    name = "bare-follow"

    def __init__(self, rows: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(rows, **kwargs)
        self.allowed = {url: site_id for site_id, url in rows}
        self.links = LinkExtractor()

    async def start(self):
        homes: dict[str, str] = {}
        for site_id, url in self.rows:
            homes.setdefault(site_id, url)
        for site_id, url in homes.items():
            yield self._request(site_id, url)

    def _request(self, site_id: str, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, meta={"download_slot": f"site:{site_id}"})

    def parse(self, response):
        super().parse(response)
        for link in self.links.extract_links(response):
            site_id = self.allowed.get(link.url)
            if site_id is not None:
                yield self._request(site_id, link.url)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        rows = [tuple(line.rstrip("\n").split("\t", 1)) for line in fh]
    settings = json.loads(sys.argv[2])
    process = CrawlerProcess({**settings, "LOG_LEVEL": "ERROR"})
    follow = sys.argv[3:] == ["follow"]
    crawler = process.create_crawler(FollowingSpider if follow else BareSpider)
    process.crawl(crawler, rows=rows)
    process.start()
    json.dump(crawler.stats.get_stats(), sys.stdout, default=str)


if __name__ == "__main__":
    main()
