"""Shared fixtures: where ../shared is, and helpers to build pages."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` when present; tests that need it skip cleanly otherwise."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared absent : tests sur le corpus réel ignorés")
    return SHARED


@pytest.fixture
def make_page():
    """Build a :class:`checks.page.Page` from an HTML string."""
    from checks.page import Page

    def _make(html: str, url: str = "https://www.mairie-exemple.fr/") -> Page:
        return Page(html, url)

    return _make
