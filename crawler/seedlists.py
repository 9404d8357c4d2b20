"""National seed lists: a ``vigie crawl`` seed CSV built from public lists of sites.

Two sources:

* URL list files, one URL a line, such as Etalab's per-category lists of public-sector
  sites (``noms-de-domaine-organismes-secteur-public``, ``urls-communes.txt``…): the type
  of each site comes from its file's category (:data:`CATEGORY_TYPES`), unless given;
* an imported Annuaire de l'administration: the records of one type that have a website.

One site per body: URLs of the same host (:func:`crawler.annuaire.links.host_key`: with
or without ``www.``, http or https) are one site, written with ``https`` when the list has
it, then the ``www.`` form, then the shortest path. Different subdomains stay different
sites (communes hosted on one platform are different bodies); how many share a
registrable domain is said. Each site's id is its host (:func:`seed_id`), stable from one
list to the next so that runs compare; its name is its Annuaire record's when an Annuaire
is imported (matched by host, the record of the site's type preferred), else its host.
Everything merged or dropped is counted, with reasons and examples, in a French summary.
"""

from __future__ import annotations

import csv
import hashlib
import ipaddress
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from crawler.annuaire.links import (
    PIVOT_SEED_TYPES,
    SEED_TYPE_PIVOTS,
    domain_key,
    host_key,
)
from crawler.seeds import KNOWN_TYPES

#: Categories of URL list files (the file name without ``urls-`` and extension) and the
#: seed type of their sites. Etalab's lists: communes are town halls; "collectivites"
#: (other local authorities), "epci" (intercommunalities), "centre-de-gestion",
#: "mdph-mda" and "academies" (rectorats) have no type of their own; "gouvfr-divers" mixes
#: ministries, agencies and services; "sante-fr" is mostly agencies (ARS, ANSM…).
CATEGORY_TYPES: Mapping[str, str] = {
    "communes": "mairie",
    "mairies": "mairie",
    "prefectures": "prefecture",
    "conseils-departementaux": "departement",
    "departements": "departement",
    "conseils-regionaux": "region",
    "regions": "region",
    "universites": "universite",
    "hopitaux": "hopital",
    "aphp": "hopital",
    "caf": "caf",
    "cpam": "cpam",
    "ministeres": "ministere",
    "sante-fr": "agence",
    "academies": "autre",
    "centre-de-gestion": "autre",
    "collectivites": "autre",
    "epci": "autre",
    "gouvfr-divers": "autre",
    "mdph-mda": "autre",
}
#: Examples kept per reason in the summary.
EXAMPLES = 3
_ID_MAX = 100
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HOST_PORT = re.compile(r"^[^:/]+:\d")


class SeedListError(Exception):
    """Nothing usable to build a list from; the message says why, in French."""


@dataclass(slots=True)
class Site:
    """One site of the list being built."""

    host: str
    url: str
    type: str
    name: str = ""
    annuaire_id: str = ""
    rank: tuple[bool, bool, int] = (False, False, 0)  # lower is preferred (see _rank)
    id: str = ""  # set by Builder.finish


@dataclass(slots=True)
class Summary:
    """What was read, merged, dropped and named."""

    files: list[tuple[str, int, str, bool]] = field(default_factory=list)  # name, urls, type, known
    read: int = 0
    merged: int = 0
    merged_examples: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    type_conflicts: int = 0
    named: int = 0
    ambiguous_names: int = 0
    import_id: int | None = None
    shared_domains: int = 0
    shared_examples: list[str] = field(default_factory=list)
    records: int = 0  # --from-annuaire: records of the type read
    sites: int = 0

    def drop(self, reason: str, example: str) -> None:
        self.dropped[reason] += 1
        if len(self.dropped_examples[reason]) < EXAMPLES:
            self.dropped_examples[reason].append(example)

    def lines(self, output: str) -> list[str]:
        """The summary in French, a line each."""
        out = [f"Liste de sites écrite : {output} ({_n(self.sites)} sites)."]
        for name, count, kind, known in self.files:
            note = "" if known else " (catégorie inconnue)"
            out.append(f"  {name} : {_n(count)} URL, type {kind}{note}")
        if self.records:
            out.append(
                f"  {_n(self.records)} fiches de l'Annuaire lues (import n° {self.import_id})."
            )
        out.append(f"  Lu : {_n(self.read)} URL.")
        if self.merged:
            examples = ", ".join(self.merged_examples)
            out.append(
                f"  Fusionnées : {_n(self.merged)} URL d'un site déjà listé (même hôte, avec ou "
                f"sans www., http ou https ; https gardé) — par exemple {examples}."
            )
        if self.type_conflicts:
            out.append(
                f"  {_n(self.type_conflicts)} site(s) dans plusieurs catégories : le type le "
                "plus précis (autre qu'« autre ») est gardé."
            )
        labels = {
            "invalid": "URL invalides",
            "not_http": "URL qui ne sont pas en http(s)",
            "no_website": "fiches sans site internet utilisable",
        }
        for reason, count in self.dropped.most_common():
            examples = " ; ".join(self.dropped_examples[reason])
            out.append(f"  Écartées : {_n(count)} {labels[reason]} — par exemple {examples}.")
        if self.import_id is not None and not self.records:
            out.append(
                f"  Noms : {_n(self.named)} de l'Annuaire (import n° {self.import_id}), "
                "les autres d'après l'hôte."
            )
        elif self.import_id is None:
            out.append("  Noms : d'après l'hôte (aucun Annuaire importé dans la base).")
        if self.ambiguous_names:
            out.append(
                f"  {_n(self.ambiguous_names)} site(s) ont plusieurs fiches de l'Annuaire : "
                "colonne annuaire_id laissée vide (à préciser pour les comparer à l'Annuaire)."
            )
        if self.shared_domains:
            out.append(
                f"  {_n(self.shared_domains)} site(s) partagent leur domaine enregistrable avec "
                "un autre site de la liste, gardés à part (des organismes distincts peuvent "
                f"partager une plateforme) — par exemple {', '.join(self.shared_examples)}."
            )
        return out


def category_of(path: str | Path) -> str:
    """``urls-communes.txt`` → ``communes``."""
    stem = Path(path).name.split(".", 1)[0].lower()
    return stem.removeprefix("urls-").removeprefix("urls_")


def type_of(category: str) -> str | None:
    """The seed type of a category, or None when it is unknown (the site is ``autre``)."""
    return CATEGORY_TYPES.get(category)


def seed_id(host: str) -> str:
    """A site's id from its host (:func:`host_key`), valid for ``crawler.seeds``: the host
    itself (``saint-exemple.fr``; an IP address's port after ``_``), cut to 100 characters
    with a hash of the whole when longer."""
    ident = re.sub(r"[^A-Za-z0-9._-]", "_", host).strip("._-") or "site"
    if len(ident) > _ID_MAX:
        digest = hashlib.sha1(host.encode("utf-8")).hexdigest()[:8]
        ident = ident[: _ID_MAX - 9].rstrip("._-") + "-" + digest
    return ident


def _rank(url: str) -> tuple[bool, bool, int]:
    """Which URL of one site to keep (lowest first): https, then www., then the shortest
    path; the first read among equals."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (parts.scheme != "https", not host.startswith("www."), len(parts.path.strip("/")))


def clean_url(text: str) -> tuple[str | None, str | None]:
    """``(url, None)``, or ``(None, reason)`` with reason ``not_http`` or ``invalid``."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return None, "invalid"
    if "://" not in text:
        if _SCHEME.match(text) and not _HOST_PORT.match(text):  # mailto:, javascript:…
            return None, "not_http"
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return None, "invalid"
    if parts.scheme.lower() not in ("http", "https"):
        return None, "not_http"
    host = parts.hostname or ""
    if not ("." in host.strip(".") or host == "localhost" or _is_ip(host)):
        return None, "invalid"
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, "")), None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Builder:
    """Sites gathered from several sources, one per host."""

    def __init__(self) -> None:
        self.sites: dict[str, Site] = {}
        self.summary = Summary()

    def add(self, text: str, kind: str, source: str, name: str = "", annuaire_id: str = "") -> None:
        """One URL read at ``source`` (``urls-communes.txt:12``, ``fiche …``)."""
        self.summary.read += 1
        url, problem = clean_url(text)
        host = host_key(url) if url else None
        if url is None or host is None:
            self.summary.drop(problem or "invalid", f"{source} « {text.strip()[:80]} »")
            return
        rank = _rank(url)
        known = self.sites.get(host)
        if known is None:
            self.sites[host] = Site(host, url, kind, name, annuaire_id, rank)
            return
        self.summary.merged += 1
        if len(self.summary.merged_examples) < EXAMPLES:
            self.summary.merged_examples.append(f"{url} avec {known.url}")
        if rank < known.rank:
            known.url, known.rank = url, rank
        if known.type != kind:
            self.summary.type_conflicts += 1
            if known.type == "autre":
                known.type = kind
        if annuaire_id and known.annuaire_id != annuaire_id:
            # Two records for one site: which one is the site's is not known.
            if known.annuaire_id or known.name:
                self.summary.ambiguous_names += 1
            known.annuaire_id = ""
            known.name = min(known.name or name, name, key=lambda n: (len(n), n))

    def read_url_file(self, path: str | Path, kind: str | None = None) -> None:
        """Every URL of a list file (blank lines and ``#`` comments skipped)."""
        path = Path(path)
        category = category_of(path)
        known_type = type_of(category)
        chosen = kind or known_type or "autre"
        count = 0
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as stream:
                for line_number, line in enumerate(stream, start=1):
                    text = line.strip()
                    if not text or text.startswith("#"):
                        continue
                    count += 1
                    self.add(text, chosen, f"{path.name}:{line_number}")
        except OSError as exc:
            raise SeedListError(f"liste illisible : {path} ({exc.strerror or exc})") from exc
        self.summary.files.append((path.name, count, chosen, bool(kind or known_type)))

    def read_annuaire(self, store: Any, import_id: int, kind: str) -> None:
        """The records of one type (a seed type, or an Annuaire pivot type) with a website."""
        pivots = SEED_TYPE_PIVOTS.get(kind, (kind,))
        seed_type = kind if kind in KNOWN_TYPES else PIVOT_SEED_TYPES.get(kind, "autre")
        self.summary.import_id = import_id
        for record in store.annuaire_records_of_types(import_id, pivots):
            self.summary.records += 1
            websites = [
                str(s.get("valeur") or "").strip()
                for s in record["data"].get("site_internet") or ()
            ]
            usable = [w for w in websites if clean_url(w)[0]]
            if not usable:
                label = f"fiche {record['record_id']} « {record['name']} »"
                self.summary.drop("no_website", label)
                continue
            source = f"fiche {record['record_id']}"
            self.add(usable[0], seed_type, source, record["name"], record["record_id"])

    def name_from_annuaire(self, store: Any, import_id: int) -> None:
        """Names (and ``annuaire_id`` when one record only) from the Annuaire, by host."""
        self.summary.import_id = import_id
        found = store.annuaire_by_host(import_id, list(self.sites))
        for host, site in self.sites.items():
            candidates = found.get(host, [])
            wanted = SEED_TYPE_PIVOTS.get(site.type)
            typed = [c for c in candidates if wanted is None or c["pivot_type"] in wanted]
            if not typed:
                continue  # no record, or only other bodies' (a CCAS on the mairie's site)
            best = min(typed, key=lambda c: (len(c["name"]), c["name"]))
            site.name = site.name or best["name"]
            self.summary.named += 1
            if len({c["record_id"] for c in typed}) == 1:
                site.annuaire_id = site.annuaire_id or typed[0]["record_id"]
            elif len(typed) > 1:
                self.summary.ambiguous_names += 1

    def finish(self) -> list[Site]:
        """The sites, by id, with their ids made unique; shared domains counted."""
        domains: dict[str, list[str]] = defaultdict(list)
        for host in self.sites:
            domains[domain_key(host)].append(host)
        for domain, hosts in sorted(domains.items()):
            if len(hosts) > 1:
                self.summary.shared_domains += len(hosts)
                if len(self.summary.shared_examples) < EXAMPLES:
                    self.summary.shared_examples.append(f"{domain} ({len(hosts)} sites)")
        used: set[str] = set()
        out = []
        for host in sorted(self.sites):
            site = self.sites[host]
            ident = base = seed_id(host)
            n = 1
            while ident in used:
                n += 1
                ident = f"{base[: _ID_MAX - 1 - len(str(n))]}-{n}"
            used.add(ident)
            site.id = ident
            out.append(site)
        self.summary.sites = len(out)
        return out


def write_csv(sites: Sequence[Site], stream: IO[str], with_annuaire_id: bool) -> None:
    """``id,name,url,type[,annuaire_id]``, as ``crawler.seeds`` reads it."""
    writer = csv.writer(stream, lineterminator="\n")
    header = ["id", "name", "url", "type"] + (["annuaire_id"] if with_annuaire_id else [])
    writer.writerow(header)
    for site in sites:
        row = [site.id, site.name or site.host, site.url, site.type]
        if with_annuaire_id:
            row.append(site.annuaire_id)
        writer.writerow(row)


def _n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def build(
    files: Iterable[str | Path],
    kind: str | None,
    store: Any | None,
    import_id: int | None,
    from_annuaire: bool,
) -> tuple[list[Site], Summary]:
    """The sites of the files (or of the Annuaire), named from the Annuaire if imported."""
    builder = Builder()
    if from_annuaire:
        if store is None or import_id is None or not kind:
            raise SeedListError("--from-annuaire : un Annuaire importé et --type sont nécessaires")
        builder.read_annuaire(store, import_id, kind)
    for path in files:
        builder.read_url_file(path, kind)
    if store is not None and import_id is not None and not from_annuaire:
        builder.name_from_annuaire(store, import_id)
    sites = builder.finish()
    if not sites:
        raise SeedListError("aucun site valide dans " + (
            "les fiches de l'Annuaire de ce type" if from_annuaire else "les listes données"
        ))  # fmt: skip
    return sites, builder.summary
