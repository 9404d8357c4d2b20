"""Which Annuaire record goes with which site.

A seed list may say it: an ``annuaire_id`` column holds the record's ``id`` (the surest
way, and the only one when several records share a website). Otherwise Vigie links a site
to the record whose website (``site_internet``) has the site's host, compared by
:func:`host_key`: scheme, port, path and a leading ``www.`` ignored, case and IDN
spelling normalised. When several records share that host (a mairie and its CCAS, a
commune nouvelle's mairies déléguées), those whose ``pivot`` type goes with the site's
type (:data:`SEED_TYPE_PIVOTS`) are kept; if more than one is left, the site is not linked
(a wrong link would report false differences) and the candidates are listed.

When no record has the site's host, and only for the site types of
:data:`SEED_TYPE_PIVOTS`, the registrable domain is tried: a site on ``mairie.ville.fr``
goes with the only mairie record whose website is ``ville.fr``, and a site on
``ville.fr`` with the only mairie record on a host under ``ville.fr``. Never between two
subdomains: communes hosted on one platform (``commune-a.plateforme.fr``,
``commune-b.plateforme.fr``) are different bodies.

A site that no record matches is listed, with the reason in French (:meth:`Link.describe`).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Seed types (``crawler.seeds.KNOWN_TYPES``) and the Annuaire ``pivot`` types of the
#: same bodies: ``cg`` is the conseil départemental, ``cr`` the conseil régional.
SEED_TYPE_PIVOTS: Mapping[str, tuple[str, ...]] = {
    "mairie": ("mairie",),
    "prefecture": ("prefecture", "sous_pref"),
    "caf": ("caf",),
    "cpam": ("cpam",),
    "departement": ("cg",),
    "region": ("cr",),
}
#: The other way: the seed type of a record's pivot type (``autre`` when not listed).
PIVOT_SEED_TYPES: Mapping[str, str] = {
    pivot: seed_type for seed_type, pivots in SEED_TYPE_PIVOTS.items() for pivot in pivots
}

#: How a site was linked (machine values): by the seed's ``annuaire_id``, by website host,
#: by registrable domain; ``none`` when it was not.
METHODS = ("annuaire_id", "host", "domain", "none")
#: A link's outcome: ``linked``; ``unmatched`` (no record has the site's host);
#: ``ambiguous`` (several do); ``unknown_id`` (the seed's annuaire_id is not in the import).
LINK_STATUSES = ("linked", "unmatched", "ambiguous", "unknown_id")


@dataclass(frozen=True, slots=True)
class SiteRef:
    """What linking needs to know of a site."""

    site_id: str
    url: str
    type: str
    annuaire_id: str | None = None

    @classmethod
    def from_run_site(cls, row: Mapping[str, Any]) -> SiteRef:
        """A ``run_sites`` row (the seed's extra columns in ``extra``)."""
        extra = row.get("extra") or {}
        return cls(row["site_id"], row["url"], row["type"], _id(extra.get("annuaire_id")))

    @classmethod
    def from_seed(cls, seed: Any) -> SiteRef:
        """A :class:`crawler.seeds.Seed`."""
        return cls(seed.id, seed.url, seed.type, _id((seed.extra or {}).get("annuaire_id")))


@dataclass(frozen=True, slots=True)
class Link:
    """A site and its record (or why it has none)."""

    site_id: str
    status: str  # LINK_STATUSES
    method: str  # METHODS
    record_id: str | None = None
    record_name: str | None = None
    host: str | None = None
    candidates: tuple[tuple[str, str], ...] = ()  # (record_id, name) when ambiguous

    def describe(self) -> str:
        """The link in one French sentence, for people."""
        if self.status == "linked":
            how = {
                "annuaire_id": "par la colonne annuaire_id",
                "host": f"par l'hôte {self.host}",
                "domain": f"par le domaine {self.host}",
            }[self.method]
            return f"fiche {self.record_id} « {self.record_name} » ({how})"
        if self.status == "unknown_id":
            return f"annuaire_id {self.record_id} absent de l'import de l'Annuaire"
        if self.status == "ambiguous":
            listed = ", ".join(f"{rid} « {name} »" for rid, name in self.candidates[:5])
            more = f" et {len(self.candidates) - 5} autres" if len(self.candidates) > 5 else ""
            return (
                f"plusieurs fiches pour l'hôte {self.host} ({listed}{more}) : "
                "précisez la fiche dans une colonne annuaire_id"
            )
        return f"aucune fiche de l'Annuaire n'a le site {self.host or '?'}"


def host_key(url: str) -> str | None:
    """The host a site (or a record's website) is known by, or None if ``url`` has none.

    Lower case, IDNA (``xn--``) spelling, without a leading ``www.``; scheme, port and path
    ignored — except for IP addresses and ``localhost``, where the port is part of the
    site (the demo web's sites share 127.0.0.1), as in :func:`crawler.scope.site_key`.
    """
    text = (url or "").strip()
    if not text:
        return None
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    if not host.isascii():
        # A host that IDNA cannot encode (a label too long…) is compared as written.
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    if _is_ip(host) or host == "localhost" or "." not in host:
        return f"{host}:{port or (443 if parts.scheme.lower() == 'https' else 80)}"
    return host.removeprefix("www.")


def domain_key(host: str) -> str:
    """The registrable domain of a :func:`host_key` (itself for an IP address)."""
    if ":" in host:
        return host
    from crawler.scope import site_key  # imports every check: only when needed

    return site_key(f"http://{host}/")


def link_sites(store: Any, import_id: int, sites: Sequence[SiteRef]) -> list[Link]:
    """The link of every site to a record of import ``import_id`` (in the order given)."""
    by_id = {s.site_id: s for s in sites}
    links: dict[str, Link] = {}
    given = [s for s in sites if s.annuaire_id]
    if given:
        found = store.annuaire_records(import_id, [s.annuaire_id for s in given])
        for site in given:
            record = found.get(site.annuaire_id)
            links[site.site_id] = (
                Link(site.site_id, "linked", "annuaire_id", site.annuaire_id, record["name"])
                if record
                else Link(site.site_id, "unknown_id", "none", site.annuaire_id)
            )
    rest = [s for s in sites if s.site_id not in links]
    hosts = {s.site_id: host_key(s.url) for s in rest}
    by_host = store.annuaire_by_host(import_id, {h for h in hosts.values() if h})
    fallback: dict[str, tuple[str, str]] = {}  # site_id → (key, column) to try next
    for site in rest:
        host = hosts[site.site_id]
        link = _choose(site, host, by_host.get(host or "", []), "host")
        if link.status == "unmatched" and host and site.type in SEED_TYPE_PIVOTS:
            domain = domain_key(host)
            if domain != host:
                fallback[site.site_id] = (domain, "host")  # the record is on the domain
            elif ":" not in host:
                fallback[site.site_id] = (domain, "domain")  # the record is on a subdomain
        links[site.site_id] = link
    for column in ("host", "domain"):
        keys = {key for key, col in fallback.values() if col == column}
        if not keys:
            continue
        found_by = store.annuaire_by_host(import_id, keys, column=column)
        for site_id, (key, col) in fallback.items():
            if col != column:
                continue
            link = _choose(by_id[site_id], key, found_by.get(key, []), "domain")
            if link.status != "unmatched":
                links[site_id] = link
    return [links[s.site_id] for s in sites]


def _choose(site: SiteRef, host: str | None, candidates: list[dict[str, Any]], method: str) -> Link:
    """The one record among ``candidates`` for ``site``, or why there is none."""
    unique = list({c["record_id"]: c for c in candidates}.values())
    wanted = SEED_TYPE_PIVOTS.get(site.type)
    if wanted is not None:
        unique = [c for c in unique if c["pivot_type"] in wanted]
    if len(unique) == 1:
        return Link(site.site_id, "linked", method, unique[0]["record_id"], unique[0]["name"], host)
    if len(unique) > 1:
        listed = tuple((c["record_id"], c["name"]) for c in unique)
        return Link(site.site_id, "ambiguous", "none", host=host, candidates=listed)
    return Link(site.site_id, "unmatched", "none", host=host)


def record_hosts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(host, domain)`` of each website of a record (``site_internet``), without repeats."""
    out: dict[str, str] = {}
    for site in record.get("site_internet") or ():
        host = host_key(str(site.get("valeur") or ""))
        if host and host not in out:
            out[host] = domain_key(host)
    return list(out.items())


def _id(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
