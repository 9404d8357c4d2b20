"""The rendered checks' registry and runner (``checks/rendered.py``)."""

from __future__ import annotations

import subprocess
import sys

import checks
from checks.rendered import (
    RENDERED_CHECK_IDS,
    RENDERED_ENGAGEMENT,
    RENDERED_REGISTRY,
    RenderMetrics,
    not_measured,
    rendered_check,
    run_rendered_checks,
)


def test_import_checks_registers_the_three_rendered_checks():
    """A fresh interpreter: ``import checks`` alone must register them."""
    code = "import checks; print(' '.join(sorted(checks.rendered.RENDERED_REGISTRY)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == sorted(RENDERED_CHECK_IDS)


def test_rendered_checks_are_not_static_checks():
    assert not set(RENDERED_CHECK_IDS) & set(checks.CHECK_IDS)
    assert set(RENDERED_ENGAGEMENT) == set(RENDERED_CHECK_IDS)


def test_unknown_or_duplicate_ids_are_refused():
    import pytest

    with pytest.raises(ValueError):
        rendered_check("phone")(lambda page, metrics: None)
    with pytest.raises(ValueError):
        rendered_check("ecoindex")(lambda page, metrics: None)


def test_not_measured_names_the_missing_figures_in_french():
    metrics = RenderMetrics(dom_elements=10, transfer_kb=-1.0)
    error = not_measured(metrics, "dom_elements", "requests", "transfer_kb")
    assert error is not None and error.status == "error"
    assert error.error == "mesure absente ou invalide : nombre de requêtes, poids transféré"
    assert not_measured(metrics, "dom_elements") is None


def test_run_rendered_checks(make_page):
    page = make_page(
        '<html><head><meta name="viewport" content="width=device-width"></head>'
        "<body><main><p>Bonjour.</p></main></body></html>"
    )
    metrics = RenderMetrics(dom_elements=240, requests=20, transfer_kb=331, scroll_width_320=320)
    results = run_rendered_checks(page, metrics)
    assert list(results) == list(RENDERED_CHECK_IDS)
    assert results["mobile_ready"].found
    assert results["ecoindex"].value["grade"] == "A"
    assert results["plain_language"].status == "absent"  # too short: not measured
    unmeasured = run_rendered_checks(page, RenderMetrics())
    assert unmeasured["mobile_ready"].status == "error"
    assert unmeasured["ecoindex"].status == "error"


def test_a_raising_check_is_an_error(make_page, monkeypatch):
    def broken(page, metrics):
        raise RuntimeError("boom")

    monkeypatch.setitem(RENDERED_REGISTRY, "ecoindex", broken)
    result = run_rendered_checks(make_page("<html></html>"), RenderMetrics(), ("ecoindex",))
    assert result["ecoindex"].error == "RuntimeError: boom"
