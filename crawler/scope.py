"""Which URLs belong to a seed site, which are worth fetching first, which are traps.

Pure functions used by the spider (to decide what to schedule) and by the guard-rails
middleware (to refuse what slipped through, e.g. a redirect into a trap).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from checks.text import fold

# The bundled Public Suffix List snapshot: no download at run time.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

#: File types that are not HTML pages: never scheduled.
SKIP_EXTENSIONS = frozenset(
    """pdf doc docx odt xls xlsx ods ppt pptx odp zip gz tgz rar 7z tar jpg jpeg png
    gif svg webp ico bmp tif tiff mp3 mp4 avi mov wmv webm ogg wav css js json xml
    rss atom ics vcf exe msi dmg iso apk csv txt woff woff2 ttf eot""".split()
)

#: Keywords of the pages that carry the findings, with their weight (docs/data-dictionary.md,
#: ARCHITECTURE.md): contact and accessibility pages first. Matched folded, on the link
#: label and the URL.
PRIORITY_KEYWORDS: tuple[tuple[str, int], ...] = (
    ("nous contacter", 100),
    ("contact", 90),
    ("accessibilite", 90),
    ("horaire", 80),
    ("rendez-vous", 70),
    ("rendez vous", 70),
    ("rdv", 60),
    ("mediat", 70),
    ("faq", 60),
    ("foire aux questions", 60),
    ("questions frequentes", 60),
    ("aide", 40),
    ("mentions legales", 50),
    ("mentions-legales", 50),
    ("donnees personnelles", 30),
    ("confidentialite", 30),
    ("accueil", 30),
    ("adresse", 30),
    ("nous trouver", 40),
    ("coordonnees", 60),
    ("demarche", 20),
    ("services publics", 30),
    ("resultats", 20),
    ("plan du site", 25),
)
_KEYWORD_RE = re.compile("|".join(re.escape(k) for k, _ in PRIORITY_KEYWORDS))
_WEIGHT = dict(PRIORITY_KEYWORDS)


def link_score(label: str, url: str, in_chrome: bool = False) -> int:
    """Priority of a link: keyword weights of label and URL, plus header/footer bonus."""
    text = fold(f"{label} {url}")
    score = max((_WEIGHT[m.group(0)] for m in _KEYWORD_RE.finditer(text)), default=0)
    if in_chrome:
        score += 10
    return score


@lru_cache(maxsize=4096)
def site_key(url: str) -> str:
    """Registrable domain of ``url``; for IP literals and ``localhost``, host and port.

    Several demo or test sites share 127.0.0.1 on different ports: for them the port is
    part of the site's identity. Real sites are scoped to their registrable domain.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if _is_ip(host) or host == "localhost" or "." not in host:
        return f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    ext = _EXTRACT(host)
    return ext.top_domain_under_public_suffix or host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_private_host(host: str) -> bool:
    """Loopback, private, link-local and other non-public literal addresses."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not ip.is_global


def is_page_url(url: str) -> bool:
    """An http(s) URL that does not name a non-HTML file."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    last = parts.path.rsplit("/", 1)[-1]
    if "." in last:
        ext = last.rsplit(".", 1)[-1].lower()
        if ext in SKIP_EXTENSIONS:
            return False
    return True


def trap_reason(url: str, max_length: int, max_repeated_segment: int) -> str | None:
    """Why ``url`` looks like a crawler trap, or ``None``.

    Very long URLs and paths repeating a segment (``/a/b/a/b/a/b``, a relative link
    resolved again and again) are the classic traps; calendars are handled by the
    per-path query budget in the spider.
    """
    if len(url) > max_length:
        return f"URL trop longue ({len(url)} caractères)"
    segments = [s for s in urlsplit(url).path.split("/") if s]
    counts: dict[str, int] = {}
    for seg in segments:
        counts[seg] = counts.get(seg, 0) + 1
        if counts[seg] > max_repeated_segment:
            return f"segment « {seg} » répété dans le chemin"
    return None


def canonical(url: str) -> str:
    """URL without fragment, for de-duplication."""
    return url.split("#", 1)[0]
