"""The built-in demo "administration web" (``vigie demo`` and the tests).

Fixture sites of fictional French administrations, served on 127.0.0.1 by
:class:`~crawler.demo.server.DemoWeb`, and :data:`~crawler.demo.expected.EXPECTED`, what a
careful reader finds on each of them.

The names are loaded lazily so that ``python -m crawler.demo.server`` does not import the
server module twice (runpy warns when a package pre-imports the module it runs).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DemoWeb": "crawler.demo.server",
    "SiteSpec": "crawler.demo.server",
    "SITES": "crawler.demo.server",
    "SITE_IDS": "crawler.demo.server",
    "EXPECTED": "crawler.demo.expected",
    "SiteExpectation": "crawler.demo.expected",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
