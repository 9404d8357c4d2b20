"""The data dictionary (``docs/data-dictionary.md``, ``vigie checks``) is the code's own:
every check is in the catalog, every catalog entry is a check, and the committed document
is what the code generates (issue 13 point 6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import checks
from checks.catalog import BY_ID, CATALOG, TYPES, applies
from checks.registry import REGISTRY
from checks.rendered import RENDERED_CHECK_IDS
from reports import dictionary

ROOT = Path(__file__).resolve().parents[1]


def test_the_catalog_lists_exactly_the_checks_of_the_code():
    assert [entry.id for entry in CATALOG if not entry.rendered] == list(checks.CHECK_IDS)
    assert set(REGISTRY) == set(checks.CHECK_IDS)
    assert [entry.id for entry in CATALOG if entry.rendered] == list(RENDERED_CHECK_IDS)
    for entry in CATALOG:
        assert entry.applies_to is None or entry.applies_to <= set(TYPES), entry.id
        assert entry.counts, entry.id


def test_the_committed_dictionary_is_what_the_code_generates():
    committed = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == dictionary.markdown(), (
        "docs/data-dictionary.md is stale: run .venv/bin/vigie checks --markdown > "
        "docs/data-dictionary.md"
    )


def test_every_static_check_has_its_value_in_the_dictionary():
    for check_id in checks.CHECK_IDS:
        row = next(r for r in dictionary.rows() if r["id"] == check_id)
        assert row["value"], check_id


def test_applicability_answers_the_town_hall_case():
    """FranceConnect, oups.gouv.fr and the live chat are not asked of a town hall."""
    for check_id in ("franceconnect", "oups_link", "chat"):
        assert not applies(check_id, "mairie"), check_id
        assert applies(check_id, "caf"), check_id
    assert all(applies(c, t) for c in ("phone", "a11y_mention") for t in TYPES)
    assert not BY_ID["appointment"].applies("ministere")


def test_vigie_checks_prints_the_dictionary():
    def vigie(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crawler.cli", "checks", *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    listing = vigie()
    assert listing.returncode == 0 and "premium_phone" in listing.stdout
    assert "le trouver est un défaut" in listing.stdout
    rows = json.loads(vigie("--json").stdout)
    assert [r["id"] for r in rows] == [entry.id for entry in CATALOG]
    assert next(r for r in rows if r["id"] == "premium_phone")["bad_when_found"] is True
    assert vigie("--markdown").stdout == dictionary.markdown()
