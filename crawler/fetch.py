"""Load one page for ``vigie inspect``: a local file or a URL, decoded as browsers do.

A URL goes through the crawler's address rule (:mod:`crawler.addresses`): each connection
urllib opens — the first one and each redirect's — is checked right after it connects,
on the address it is connected to, before the request is sent. A redirect, or a name
that resolves, to a private address is refused with a French reason; ``allow_private``
(``vigie inspect --allow-private``) lifts the rule.
"""

from __future__ import annotations

import http.client
import mimetypes
import ssl
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from checks.page import Page, UnreadablePage
from crawler import settings
from crawler.addresses import AddressRule, PrivateAddresses


class FetchError(Exception):
    """The page cannot be read; the message says why, in French."""


class AddressRefused(OSError):
    """A connection to an address the rule refuses (raised before the request is sent)."""


def address_rule(allow_private: bool = False) -> AddressRule:
    """The crawler's rule, from ``crawler/settings.py``, for ``vigie inspect``."""
    return AddressRule(settings.VIGIE_ALLOWED_NETWORKS, allow_private=allow_private)


def navigation_guard(allow_private: bool = False) -> Callable[[str], Awaitable[str | None]] | None:
    """The same rule for the browser of ``vigie inspect --render`` (``Auditor``'s
    ``navigation_guard``); None when private addresses are allowed."""
    if allow_private:
        return None
    return PrivateAddresses(address_rule()).refusal


def guarded_opener(rule: AddressRule) -> urllib.request.OpenerDirector:
    """A urllib opener whose connections check the connected address against ``rule``
    before any request is sent (redirects included): :class:`AddressRefused` otherwise."""
    return urllib.request.build_opener(_HTTPHandler(rule), _HTTPSHandler(rule))


def load_page(
    target: str,
    base_url: str | None = None,
    timeout: float = 30.0,
    allow_private: bool = False,
) -> Page:
    """Parse ``target`` (path or http(s) URL) into a :class:`Page`."""
    if target.startswith(("http://", "https://")):
        rule = address_rule(allow_private)
        opener = guarded_opener(rule)
        request = urllib.request.Request(target, headers={"User-Agent": settings.USER_AGENT})
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read(settings.DOWNLOAD_MAXSIZE)
                content_type = response.headers.get("Content-Type")
                url = response.geturl()
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, AddressRefused):
                raise FetchError(
                    f"{exc.reason} ; page non lue : {target} (--allow-private pour une "
                    "adresse de confiance)"
                ) from exc
            raise FetchError(f"impossible de lire {target} : {exc}") from exc
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise FetchError(f"impossible de lire {target} : {exc}") from exc
        _ensure_html(body, content_type, target)
        return _page(body, base_url or url, content_type)
    path = Path(target)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"fichier illisible : {target} ({exc.strerror or exc})") from exc
    if not body.strip():
        raise FetchError(f"fichier vide : {target}")
    _ensure_html(body, mimetypes.guess_type(path.name)[0], target)
    return _page(body, base_url or path.resolve().as_uri())


class _PeerChecked:
    """A connection that checks the address it connected to before any request is sent."""

    def __init__(self, *args: Any, rule: AddressRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        sock = self.sock  # type: ignore[attr-defined]
        reason = self.rule.address_refusal(self.host, sock.getpeername()[0], peer=True)  # type: ignore[attr-defined]
        if reason is not None:
            self.close()  # type: ignore[attr-defined]
            raise AddressRefused(reason)


class _GuardedHTTPConnection(_PeerChecked, http.client.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerChecked, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, rule: AddressRule) -> None:
        super().__init__()
        self.rule = rule

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req, rule=self.rule)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, rule: AddressRule) -> None:
        self.ssl_context = ssl.create_default_context()
        super().__init__(context=self.ssl_context)
        self.rule = rule

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=self.ssl_context, rule=self.rule)


#: Media types a page may be served or named as; anything else is not checked as a page.
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _ensure_html(body: bytes, media_type: str | None, target: str) -> None:
    """Refuse what is not an HTML page: a type that says so, or bytes no text holds.

    A missing or generic type (``text/plain``, ``application/octet-stream``: files and
    servers often say nothing better) is judged on the bytes: a NUL in the first kilobyte
    is binary (images, PDF, archives), never a page.
    """
    kind = (media_type or "").split(";", 1)[0].strip().lower()
    generic = kind in ("", "text/plain", "application/octet-stream")
    if (kind and not generic and kind not in HTML_TYPES) or b"\x00" in body[:1024]:
        described = kind if kind and not generic else "contenu binaire"
        raise FetchError(f"{target} : pas une page HTML ({described})")


def _page(body: bytes, url: str, content_type: str | None = None) -> Page:
    """The page, or a :class:`FetchError` saying why the parser could not read it whole."""
    try:
        return Page.from_bytes(body, url, content_type)
    except UnreadablePage as exc:
        raise FetchError(str(exc)) from exc
