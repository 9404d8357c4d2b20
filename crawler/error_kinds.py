"""Kinds of crawl errors: stable English ids in the store, French labels for people.

``crawl_errors.kind`` is a machine value that exports, the table's ``error_kinds`` column
and users' scripts group by, so it is a short English id from a closed set (``timeout``,
``http_503``…); what a person reads (site pages, the terminal) is :func:`label`, and the
detailed French reason stays in ``crawl_errors.reason``. Stores written before these ids
held French kinds (« délai dépassé », « HTTP 503 »): migration 0006 rewrites them, with
its own copy of the mapping (a migration never follows later code).
"""

from __future__ import annotations

import re

DNS = "dns"
CONNECTION_REFUSED = "connection_refused"
TIMEOUT = "timeout"
#: The download was stopped: a body past ``DOWNLOAD_MAXSIZE`` (or inflated past it).
TOO_LARGE = "too_large"
#: robots.txt forbids the URL.
ROBOTS_FORBIDDEN = "robots_forbidden"
#: robots.txt could not be read (an exception while fetching it): the site is not crawled.
ROBOTS_UNREACHABLE = "robots_unreachable"
REDIRECT_LOOP = "redirect_loop"
#: Dropped by a Scrapy middleware for another reason (its message is the reason).
IGNORED = "ignored"
PRIVATE_ADDRESS = "private_address"
#: A crawler trap avoided (calendars, session ids, endless paths).
TRAP = "trap"
#: Any other download failure; the exception's class and message are in the reason.
DOWNLOAD_FAILED = "download_failed"

LABELS: dict[str, str] = {
    DNS: "nom de domaine introuvable",
    CONNECTION_REFUSED: "connexion refusée",
    TIMEOUT: "délai dépassé",
    TOO_LARGE: "réponse trop grande",
    ROBOTS_FORBIDDEN: "interdit par robots.txt",
    ROBOTS_UNREACHABLE: "robots.txt illisible",
    REDIRECT_LOOP: "boucle de redirections",
    IGNORED: "requête ignorée",
    PRIVATE_ADDRESS: "adresse privée",
    TRAP: "piège à robots",
    DOWNLOAD_FAILED: "échec du téléchargement",
}

_HTTP = re.compile(r"http_(\d{3})")


def http(status: int) -> str:
    """The kind of an HTTP error status: ``http_503``."""
    return f"http_{status}"


def http_status(kind: str) -> int | None:
    """The status of an ``http_NNN`` kind, else ``None``."""
    match = _HTTP.fullmatch(kind)
    return int(match.group(1)) if match else None


def label(kind: str) -> str:
    """The French label of a kind (« HTTP 503 », « délai dépassé »); an unknown kind as is."""
    status = http_status(kind)
    if status is not None:
        return f"HTTP {status}"
    return LABELS.get(kind, kind)
