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


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped after (tests/services.sh)."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    admin_url = os.environ.get("VIGIE_TEST_PG_URL")
    if not admin_url:
        pytest.skip("PostgreSQL non démarré (tests/services.sh, VIGIE_TEST_PG_URL)")
    name = f"vigie_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
