"""The SSRF guard's one question: does this host lead to a private or local address?

Shared by the crawler's downloader middleware (every request, redirects included) and the
browser's navigation guard (every document the audited page navigates to): a seed list is
user input, and a public site may redirect, or send a browser by script, to an intranet
address. A host is private when it is written as a non-public address (loopback, private,
link-local…, ``localhost``) or when its name resolves to one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from crawler.scope import is_private_host


class PrivateAddresses:
    """Tells private hosts, resolving names once per host (the answer is cached)."""

    def __init__(self) -> None:
        self._resolved: dict[str, bool] = {}

    async def is_private(self, host: str) -> bool:
        return is_private_host(host) or await self._resolves_private(host)

    async def refusal(self, url: str) -> str | None:
        """The French reason to refuse ``url``, or None when its host is public."""
        host = (urlsplit(url).hostname or "").lower()
        if host and await self.is_private(host):
            return f"adresse privée ou locale refusée : {host} (VIGIE_ALLOW_PRIVATE=False)"
        return None

    async def _resolves_private(self, host: str) -> bool:
        """Whether a host name resolves to a non-public address (cached per host)."""
        if host in self._resolved:
            return self._resolved[host]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except (OSError, UnicodeError):
            # Unresolvable: let the download fail and report the DNS error itself.
            self._resolved[host] = False
            return False
        private = any(_not_global(info) for info in infos)
        self._resolved[host] = private
        return private


def _not_global(info: tuple[Any, ...]) -> bool:
    family, _, _, _, sockaddr = info
    if family not in (socket.AF_INET, socket.AF_INET6):
        return False
    return not ipaddress.ip_address(sockaddr[0].split("%", 1)[0]).is_global
