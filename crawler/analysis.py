"""The CPU-bound part of a crawl: parse a page, run every check, list its links.

Scrapy runs on one thread; with the checks on that thread as well, the crawl of many
sites is bound by one core while the others idle. :class:`Analyser` runs
:func:`analyse_page` in worker processes (``VIGIE_ANALYSIS_WORKERS``; 0 runs it inline,
which small crawls and the tests use). Workers come from a *forkserver* that has already
imported the checks: forking the crawling process itself, threads and reactor included,
would not be safe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from checks import CheckResult, run_checks
from checks.page import Page

#: Visible characters below which a page that loads scripts is an empty JavaScript shell.
JS_SHELL_MAX_TEXT = 80
#: Where links sit when they are site-wide (header, footer, navigation).
CHROME_TAGS = frozenset(("header", "footer", "nav"))
CHROME_ROLES = frozenset(("contentinfo", "banner", "navigation"))


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What the spider needs of a page: check results and the links to follow."""

    results: dict[str, CheckResult]
    links: list[tuple[str, str, bool]]  # (absolute URL, label, in header/footer/nav)
    title: str
    js_shell: bool
    problems: list[str]


def analyse_page(text: str, url: str) -> PageAnalysis:
    """Parse ``text`` once, run every check, extract links. Pure: no I/O."""
    page = Page(text, url)
    results = run_checks(page)
    links = [(link.href, link.text, _in_chrome(link.element)) for link in page.links]
    # A framed page is part of what a person sees (contact forms are often framed).
    links.extend(
        (urljoin(page.base_url, frame.get("src", "").strip()), frame.get("title") or "", True)
        for frame in page.root.iter("iframe", "frame")
        if frame.get("src", "").strip()
    )
    js_shell = len(page.text.strip()) < JS_SHELL_MAX_TEXT and bool(page.script_srcs)
    return PageAnalysis(results, links, page.title[:500], js_shell, list(page.problems))


def _in_chrome(element: Any) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in CHROME_TAGS or ancestor.get("role") in CHROME_ROLES:
            return True
    return False


def default_workers() -> int:
    """One worker per core beyond two: one for Scrapy's reactor, one for the rest.

    Measured (docs/benchmarks.md): on two cores, a worker process slows the crawl down —
    the pickling and the extra process cost more than the second core gives back.
    """
    return max((os.cpu_count() or 1) - 2, 0)


class Analyser:
    """Runs :func:`analyse_page` inline or in a pool of worker processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self.restart()

    def restart(self) -> None:
        """(Re)create the pool; a pool whose worker died cannot be used again."""
        self.close()
        if self.workers > 0:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["checks", "crawler.analysis"])
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    async def analyse(self, text: str, url: str) -> PageAnalysis:
        if self._pool is None:
            return analyse_page(text, url)
        return await asyncio.wrap_future(self._pool.submit(analyse_page, text, url))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
