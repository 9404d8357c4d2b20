"""A test-only Scrapy DNS resolver whose answers change from one lookup to the next.

DNS rebinding without a DNS server: ``vigie crawl -s TWISTED_DNS_RESOLVER=
tests.scripted_dns.ScriptedResolver -s SCRIPTED_DNS="a.test=127.0.0.2*2,127.0.0.1"``
makes the first two lookups of ``a.test`` answer 127.0.0.2 and every later one 127.0.0.1
(the last answer repeats). Names it does not know are resolved as usual. Nothing is
cached, so that each connection asks again, as a rebinding name's short TTL would make it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from twisted.internet import defer
from twisted.internet.base import ThreadedResolver
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

#: The setting that scripts the answers: ``name=ip[*times],ip…;name2=…``.
SETTING = "SCRIPTED_DNS"


def parse_script(text: str) -> dict[str, list[str]]:
    """``"a.test=127.0.0.2*2,127.0.0.1"`` → ``{"a.test": ["127.0.0.2", "127.0.0.2",
    "127.0.0.1"]}``."""
    script: dict[str, list[str]] = {}
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        name, _, answers = entry.partition("=")
        sequence: list[str] = []
        for answer in answers.split(","):
            address, _, times = answer.strip().partition("*")
            sequence.extend([address] * int(times or 1))
        script[name.strip().lower()] = sequence
    return script


@implementer(IResolverSimple)
class ScriptedResolver(ThreadedResolver):
    """Answers scripted names from their sequence; installed like Scrapy's resolvers."""

    def __init__(self, reactor: Any, script: dict[str, list[str]]) -> None:
        super().__init__(reactor)
        self.script = script
        self.lookups: dict[str, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> ScriptedResolver:
        return cls(reactor, parse_script(crawler.settings.get(SETTING) or ""))

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(  # noqa: N802 (Twisted's interface)
        self, name: str, timeout: Sequence[int] = ()
    ) -> defer.Deferred[str]:
        sequence = self.script.get(name.lower())
        if not sequence:
            return super().getHostByName(name, timeout)
        with self._lock:
            n = self.lookups.get(name.lower(), 0)
            self.lookups[name.lower()] = n + 1
        return defer.succeed(sequence[min(n, len(sequence) - 1)])
