"""Which URLs belong to a seed site, which are worth fetching first, which are traps.

Pure functions used by the spider (which links are candidate pages, how they rank, which
kind of key page they lead to, their canonical URL), by the frontier (a site's scope) and by
the guard-rails middleware (to refuse what slipped through, e.g. a redirect into a trap).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from w3lib.url import canonicalize_url

from checks import key_pages as kp
from checks.text import fold

# The bundled Public Suffix List snapshot: no download at run time.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

#: File types that are not HTML pages: never scheduled.
SKIP_EXTENSIONS = frozenset(
    """pdf doc docx odt xls xlsx ods ppt pptx odp zip gz tgz rar 7z tar jpg jpeg png
    gif svg webp ico bmp tif tiff mp3 mp4 avi mov wmv webm ogg wav css js json xml
    rss atom ics vcf exe msi dmg iso apk csv txt woff woff2 ttf eot""".split()
)

#: Keywords of the pages that carry the findings, with their weight (docs/data-dictionary.md)
#: and the kind of key page they name (:mod:`checks.key_pages`; ``None``:
#: worth fetching early, but not a kind of its own). Matched folded, on the link label and
#: the URL's path and query (not its host: a site named ``aide-sociale.fr`` would make
#: every link a help page). Short words are matched as whole words ("aide" is not "aides").
PRIORITY_KEYWORDS: tuple[tuple[str, int, str | None], ...] = (
    ("nous contacter", 100, kp.CONTACT),
    ("contact", 90, kp.CONTACT),
    ("nous ecrire", 90, kp.CONTACT),
    ("coordonnees", 60, kp.CONTACT),
    ("accessibilite", 90, kp.ACCESSIBILITY),
    ("horaire", 80, kp.HOURS),
    ("nous trouver", 40, kp.HOURS),
    ("rendez-vous", 70, kp.APPOINTMENT),
    ("rendez vous", 70, kp.APPOINTMENT),
    ("rdv", 60, kp.APPOINTMENT),
    ("mediateur", 70, kp.MEDIATOR),
    ("mediatrice", 70, kp.MEDIATOR),
    ("mediation", 70, kp.MEDIATOR),
    ("faq", 60, kp.HELP),
    ("foire aux questions", 60, kp.HELP),
    ("questions frequentes", 60, kp.HELP),
    ("aide", 40, kp.HELP),
    ("mentions legales", 50, kp.LEGAL_NOTICE),
    ("mentions-legales", 50, kp.LEGAL_NOTICE),
    ("informations legales", 50, kp.LEGAL_NOTICE),
    ("donnees personnelles", 30, kp.PRIVACY),
    ("donnees-personnelles", 30, kp.PRIVACY),
    ("protection des donnees", 30, kp.PRIVACY),
    ("confidentialite", 30, kp.PRIVACY),
    ("vie privee", 30, kp.PRIVACY),
    ("rgpd", 30, kp.PRIVACY),
    ("accueil", 30, None),
    ("adresse", 30, None),
    ("demarche", 20, None),
    ("services publics", 30, None),
    ("resultats", 20, None),
    ("plan du site", 25, None),
)
#: Keywords matched as whole words only.
_WHOLE_WORDS = frozenset({"aide", "rdv", "faq", "rgpd"})
_KEYWORD_RE = re.compile(
    "|".join(
        rf"\b{re.escape(k)}\b" if k in _WHOLE_WORDS else re.escape(k)
        for k, _, _ in PRIORITY_KEYWORDS
    )
)
_WEIGHT = {k: w for k, w, _ in PRIORITY_KEYWORDS}
_KIND = {k: kind for k, _, kind in PRIORITY_KEYWORDS}
#: Bonus of a link in the header, footer or navigation: site-wide links are the site's
#: own table of contents.
CHROME_BONUS = 10


def classify_link(label: str, url: str, in_chrome: bool = False) -> tuple[int, str | None]:
    """A link's priority and the kind of key page it leads to (``None``: none).

    Priority: the largest keyword weight of the label and the URL, plus the header/footer
    bonus. Kind: that of the heaviest keyword naming a kind (``Contact et horaires`` is a
    contact page).
    """
    text = fold(f"{label} {_path_of(url)}")
    score = 0
    kind: str | None = None
    kind_weight = -1
    for match in _KEYWORD_RE.finditer(text):
        word = match.group(0)
        weight = _WEIGHT[word]
        score = max(score, weight)
        if _KIND[word] is not None and weight > kind_weight:
            kind, kind_weight = _KIND[word], weight
    if in_chrome:
        score += CHROME_BONUS
    return score, kind


def link_score(label: str, url: str, in_chrome: bool = False) -> int:
    """Priority of a link: keyword weights of label and URL, plus header/footer bonus."""
    return classify_link(label, url, in_chrome)[0]


def link_kind(label: str, url: str) -> str | None:
    """The kind of key page a link leads to (:mod:`checks.key_pages`), or ``None``."""
    return classify_link(label, url)[1]


def _path_of(url: str) -> str:
    """``url`` from its path on: what names the page, not the site."""
    scheme_end = url.find("://")
    if scheme_end < 0:
        return url
    slash = url.find("/", scheme_end + 3)
    return "" if slash < 0 else url[slash:]


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
    frontier's limit of query variants per path (:mod:`crawler.frontier`).
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


_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def canonical_url(url: str) -> str:
    """The one spelling of ``url`` that Vigie requests and stores.

    w3lib's canonical form (what Scrapy's request fingerprint hashes: scheme and host in
    lower case, query arguments sorted, fragment dropped, percent-encoding normalised),
    and the scheme's default port dropped, which the fingerprint keeps
    (``http://site.fr:80/a`` and ``http://site.fr/a`` are one page). Raises
    ``ValueError`` for a URL that cannot be parsed.
    """
    url = canonicalize_url(url)
    scheme, sep, rest = url.partition("://")
    port = _DEFAULT_PORTS.get(scheme)
    if port and sep:
        netloc, slash, path = rest.partition("/")
        if netloc.endswith(port):
            return f"{scheme}://{netloc[: -len(port)]}{slash}{path}"
    return url
