"""Load one page for ``vigie inspect``: a local file or a URL, decoded as browsers do."""

from __future__ import annotations

import mimetypes
import urllib.error
import urllib.request
from pathlib import Path

from checks.page import Page
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
        _ensure_html(body, content_type, target)
        return Page.from_bytes(body, base_url or url, content_type)
    path = Path(target)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"fichier illisible : {target} ({exc.strerror or exc})") from exc
    if not body.strip():
        raise FetchError(f"fichier vide : {target}")
    _ensure_html(body, mimetypes.guess_type(path.name)[0], target)
    return Page.from_bytes(body, base_url or path.resolve().as_uri())


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
