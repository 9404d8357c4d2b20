"""Log hygiene for long crawls: a site that is down is a finding, not a stack trace.

Scrapy's robots.txt middleware logs every failed robots.txt download at ERROR level with
a full traceback, and the retry middleware every request it gives up on. Over thousands
of sites, many of them down, that buries the log; the failure is already stored
(``crawl_errors``) and shown in the findings table. This filter turns those records into
one-line warnings; unexpected exceptions keep their traceback.
"""

from __future__ import annotations

import logging

from scrapy import exceptions as scrapy_exceptions
from twisted.internet import error as tx_error

NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    tx_error.ConnectError,
    tx_error.DNSLookupError,
    tx_error.TimeoutError,
    tx_error.ConnectionLost,
    *(
        getattr(scrapy_exceptions, name)
        for name in (
            "DownloadConnectionRefusedError",
            "CannotResolveHostError",
            "DownloadTimeoutError",
            "DownloadFailedError",
            "ResponseDataLossError",
        )
        if hasattr(scrapy_exceptions, name)
    ),
)


class NetworkErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and isinstance(exc, NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
            self._warning(record)
        elif str(record.msg).startswith("Gave up retrying"):
            self._warning(record)  # the failure is stored and reported per site
        return True

    @staticmethod
    def _warning(record: logging.LogRecord) -> None:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"


#: Loggers that report download failures (filters act where a record is created).
LOGGERS = (
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.downloadermiddlewares.retry",
    "scrapy.core.scraper",
    "scrapy.core.engine",
)


def install() -> None:
    """Add the filter to the loggers of Scrapy that report download failures."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, NetworkErrorsWithoutTraceback) for f in logger.filters):
            logger.addFilter(NetworkErrorsWithoutTraceback())
