"""Seed lists: the CSV of sites to crawl (``id,name,url,type``, extra columns kept).

Bad input gets a clear error and nothing is lost: a malformed line is reported with its
line number and skipped, duplicates (same id, or same normalised URL) are merged, and an
empty or unreadable file raises :class:`SeedError` so the command exits non-zero.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REQUIRED = ("id", "name", "url", "type")
KNOWN_TYPES = frozenset(
    """mairie prefecture caf cpam ministere hopital universite departement region
    agence operateur autre""".split()
)
_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class SeedError(Exception):
    """The seed file cannot be used at all (unreadable, empty, no header)."""


@dataclass(frozen=True, slots=True)
class Seed:
    """One administration site to crawl."""

    id: str
    name: str
    url: str
    type: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SeedList:
    seeds: list[Seed]
    problems: list[str]  # "ligne N : …" messages, in French, for the user


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, default path "/", fragment dropped; ``ValueError`` if bad."""
    url = url.strip()
    if "://" not in url:
        if _OTHER_SCHEME.match(url):  # mailto:, javascript:… (but not host:port)
            raise ValueError(f"URL invalide : {url!r}")
        url = "https://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise ValueError(f"URL invalide : {url!r}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"URL invalide : {url!r}")
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def load_seeds(path: str | Path) -> SeedList:
    """Read a seed CSV file; see :func:`parse_seeds`."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SeedError(f"liste de sites illisible : {path} ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel exports in France
    return parse_seeds(text, source=str(path))


def parse_seeds(text: str, source: str = "<seeds>") -> SeedList:
    """Parse seed CSV text (comma or semicolon separated, as Excel writes it in France)."""
    if not text.strip():
        raise SeedError(f"liste de sites vide : {source}")
    first_line = text.lstrip().splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SeedError(
            f"{source} : en-tête invalide, colonnes manquantes : {', '.join(missing)}"
            f" (attendu : {','.join(REQUIRED)}[,…])"
        )
    seeds: dict[str, Seed] = {}
    by_url: dict[str, str] = {}
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if row[0].lstrip().startswith("#"):
            continue
        if len(row) != len(header):
            problems.append(f"ligne {line} : {len(row)} colonnes au lieu de {len(header)}, ignorée")
            continue
        rec = {h: v.strip() for h, v in zip(header, row, strict=True)}
        if not _ID.match(rec["id"]):
            problems.append(f"ligne {line} : identifiant invalide {rec['id']!r}, ignorée")
            continue
        try:
            url = normalize_url(rec["url"])
        except ValueError as exc:
            problems.append(f"ligne {line} : {exc}, ignorée")
            continue
        kind = rec["type"].lower() or "autre"
        if kind not in KNOWN_TYPES:
            problems.append(f"ligne {line} : type {rec['type']!r} inconnu, classé « autre »")
            kind = "autre"
        extra = {k: v for k, v in rec.items() if k not in REQUIRED}
        seed = Seed(rec["id"], rec["name"] or rec["id"], url, kind, extra)
        if seed.id in seeds or url in by_url:
            first = seed.id if seed.id in seeds else by_url[url]
            problems.append(f"ligne {line} : doublon de « {first} », fusionné")
            old = seeds[first]
            merged_extra = {**seed.extra, **old.extra}
            seeds[first] = Seed(old.id, old.name, old.url, old.type, merged_extra)
            continue
        seeds[seed.id] = seed
        by_url[url] = seed.id
    if not seeds:
        raise SeedError(f"{source} : aucun site valide" + (f" ({problems[0]})" if problems else ""))
    return SeedList(list(seeds.values()), problems)
