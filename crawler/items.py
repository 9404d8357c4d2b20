"""What the spider yields besides requests: one item per page read, one per request failed.

Scrapy carries dataclass items as they are (``itemadapter``); the store pipeline
(:mod:`crawler.pipelines`) writes them, and the frontier learns from the store pipeline's
:data:`crawler.signals.items_stored` when they are durable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class PageItem:
    """An HTML page fetched and analysed: its row in ``pages`` and its findings.

    ``links``: the candidate links this page offered to the frontier first, as
    ``(url, priority, kind)``; a resumed crawl offers them again (:meth:`Reads.progress`).
    A page analysed after its site closed offers nothing and keeps every candidate here.
    """

    run_id: int | None
    site_id: str
    url: str
    status_code: int
    depth: int
    bytes: int
    duration_s: float
    title: str | None
    js_shell: bool
    problems: list[str] | None
    findings: list[dict[str, Any]]  # rows of the findings table (crawler.findings)
    links: list[tuple[str, int, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class ErrorItem:
    """A request that gave no page: its row in ``crawl_errors``.

    ``error_kind`` classifies the failure (:mod:`crawler.error_kinds`: ``http_503``,
    ``timeout``…) and ``reason`` says it in French; ``page_kind`` is the kind of key page
    the crawl expected there (:mod:`checks.key_pages`), so that the checks it serves read
    ``error``, not absent.
    """

    run_id: int | None
    site_id: str
    url: str
    error_kind: str
    reason: str
    is_home: bool = False
    page_kind: str | None = None
