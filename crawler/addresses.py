"""Which addresses Vigie may talk to: one rule for every way it fetches.

A seed list is user input, and a public site may redirect, or send a browser by script, to
an intranet address. An address is allowed when it is public (``ipaddress``'s
``is_global``), or inside a network the operator allowed on purpose
(``VIGIE_ALLOWED_NETWORKS``, e.g. its own intranet), or when private addresses are allowed
altogether (``VIGIE_ALLOW_PRIVATE``: the demo and the tests).

What is checked is the address connected to — the peer of the connection — before any byte
of the answer is used: :class:`crawler.middlewares.PeerAddressMiddleware` for every Scrapy
download (pages, robots.txt, sitemaps, redirects), the connections of :mod:`crawler.fetch`
for ``vigie inspect``. A host name whose lookup answers a public address to a first check
and a private one to the connection (DNS rebinding) is caught there, and an answer without
a known peer address is refused. Looking at a host before connecting (a literal address,
``localhost``, a name resolved now) only spares an intranet host a request; it proves
nothing about the connection that follows, so nothing here caches a name's answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Where ``localhost`` and its subdomains lead whatever a resolver says (RFC 6761, 6.3).
_LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def parse_networks(values: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """CIDR networks (``10.20.0.0/16``, ``fd00::/8``, a single address); a clear French
    error for anything else."""
    networks = []
    for value in values:
        if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
            networks.append(value)
            continue
        text = str(value).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(
                f"réseau invalide dans VIGIE_ALLOWED_NETWORKS : {text!r} "
                "(attendu : notation CIDR, par exemple 10.20.0.0/16)"
            ) from None
    return tuple(networks)


class AddressRule:
    """Tells allowed addresses from refused ones, and says why in French."""

    def __init__(
        self, allowed_networks: Iterable[str | IPNetwork] = (), allow_private: bool = False
    ) -> None:
        self.allowed_networks = parse_networks(allowed_networks)
        self.allow_private = allow_private

    @classmethod
    def from_settings(cls, settings: Any) -> AddressRule:
        """From Scrapy settings (``VIGIE_ALLOW_PRIVATE``, ``VIGIE_ALLOWED_NETWORKS``)."""
        return cls(
            settings.getlist("VIGIE_ALLOWED_NETWORKS"),
            allow_private=settings.getbool("VIGIE_ALLOW_PRIVATE"),
        )

    def allows(self, address: str | IPAddress) -> bool:
        if self.allow_private:
            return True
        ip = _ip(address)
        if ip is None:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        return ip.is_global or any(ip in network for network in self.allowed_networks)

    def host_refusal(self, host: str) -> str | None:
        """Why ``host`` is refused without a lookup: a literal address (or ``localhost``)
        that is not allowed. None for a name, which only its connection's peer can tell."""
        addresses = literal_addresses(host)
        if addresses is None or all(self.allows(a) for a in addresses):
            return None
        return f"adresse privée ou locale refusée : {host.strip('[]').lower()}"

    def address_refusal(
        self, host: str, address: str | IPAddress | None, *, peer: bool
    ) -> str | None:
        """Why the answer of ``host`` from ``address`` is refused, or None.

        ``peer``: ``address`` is the connection's (else a lookup's). An unknown address is
        refused: nothing proves where the bytes come from.
        """
        host = host.strip("[]").lower()
        if address is None:
            if self.allow_private:
                return None
            return f"adresse du serveur inconnue : réponse de {host} refusée par prudence"
        if self.allows(address):
            return None
        shown = _ip(address) or address
        if str(shown) == host:
            return f"adresse privée ou locale refusée : {host}"
        via = "connecté à" if peer else "résolu en"
        return f"adresse privée ou locale refusée : {host} ({via} {shown})"


class PrivateAddresses:
    """The rule for a client that resolves names itself (the audit browser): a URL is
    refused when its host is a refused literal, when a lookup of its name gives a refused
    address, or when the name cannot be resolved here (fails closed).

    Each call resolves again: no answer is kept, a name that changes its answer is seen.
    """

    def __init__(self, rule: AddressRule | None = None) -> None:
        self.rule = rule or AddressRule()

    async def refusal(self, url: str) -> str | None:
        """The French reason to refuse ``url``, or None when it may be fetched."""
        if self.rule.allow_private:
            return None
        host = (urlsplit(url).hostname or "").lower()
        if not host:
            return None  # file: and data: documents (``vigie inspect page.html --render``)
        if literal_addresses(host) is not None:
            return self.rule.host_refusal(host)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except (OSError, UnicodeError) as exc:
            return f"adresse introuvable pour {host} ({exc}) : refusée par prudence"
        addresses = [_sockaddr_ip(info) for info in infos]
        for address in addresses:
            if address is not None and not self.rule.allows(address):
                return self.rule.address_refusal(host, address, peer=False)
        if not any(addresses):
            return f"adresse introuvable pour {host} : refusée par prudence"
        return None


def literal_addresses(host: str) -> tuple[IPAddress, ...] | None:
    """Where ``host`` leads without a lookup: its address when written as one, loopback
    for ``localhost``; None for a name."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return _LOOPBACK
    literal = _ip(host)
    return None if literal is None else (literal,)


def _ip(address: str | IPAddress) -> IPAddress | None:
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return address
    try:
        return ipaddress.ip_address(str(address).strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _sockaddr_ip(info: tuple[Any, ...]) -> IPAddress | None:
    family, _, _, _, sockaddr = info
    if family not in (socket.AF_INET, socket.AF_INET6):
        return None
    return _ip(sockaddr[0])
