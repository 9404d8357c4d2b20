"""Load one page for ``vigie inspect``: a local file or a URL, decoded as browsers do."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from checks.page import Page, UnreadablePage
from crawler import settings


class FetchError(Exception):
    """The page cannot be read; the message says why, in French."""


def load_page(target: str, base_url: str | None = None, timeout: float = 30.0) -> Page:
    """Parse ``target`` (path or http(s) URL) into a :class:`Page`."""
    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": settings.USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read(settings.DOWNLOAD_MAXSIZE)
                content_type = response.headers.get("Content-Type")
                url = response.geturl()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise FetchError(f"impossible de lire {target} : {exc}") from exc
        return _page(body, base_url or url, content_type)
    path = Path(target)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"fichier illisible : {target} ({exc.strerror or exc})") from exc
    if not body.strip():
        raise FetchError(f"fichier vide : {target}")
    return _page(body, base_url or path.resolve().as_uri())


def _page(body: bytes, url: str, content_type: str | None = None) -> Page:
    """The page, or a :class:`FetchError` saying why the parser could not read it whole."""
    try:
        return Page.from_bytes(body, url, content_type)
    except UnreadablePage as exc:
        raise FetchError(str(exc)) from exc
