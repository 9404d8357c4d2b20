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


def _row(check_id, status, value=None, error=None, url="https://m.fr/"):
    return {
        "check_id": check_id,
        "status": status,
        "value": value,
        "evidence": [{"url": url, "xpath": None, "snippet": check_id}],
        "error": error,
        "url": url,
    }


def test_site_level_of_the_rendered_checks():
    """Median EcoIndex (a half between two middle scores), mobile-ready only when every
    measured page is, readability medians; a page in error is left out of the figures."""
    from checks.site import aggregate_rendered

    plain = {"kandel_moles": 60.0, "lix": 45.0, "words_per_sentence": 14.0, "long_word_share": 0.3}
    rows = [
        _row("ecoindex", "found", {"score": 70}, url="https://m.fr/"),
        _row("ecoindex", "found", {"score": 81}, url="https://m.fr/a"),
        _row("ecoindex", "error", error="mesure absente", url="https://m.fr/b"),
        _row("mobile_ready", "found", {"device_width": True}, url="https://m.fr/"),
        _row("mobile_ready", "absent", {"device_width": False}, url="https://m.fr/a"),
        _row("plain_language", "found", plain, url="https://m.fr/"),
        _row("plain_language", "found", {**plain, "kandel_moles": 70.0}, url="https://m.fr/a"),
        _row("plain_language", "absent", {"reason": "texte trop court"}, url="https://m.fr/b"),
    ]
    mobile, eco, readability = aggregate_rendered(rows, pages_checked=3)
    assert (eco.status, eco.value) == ("found", {"score": 75.5, "grade": "B", "pages": 2})
    assert mobile.status == "absent"
    assert mobile.value == {"pages_ready": 1, "pages_measured": 2, "not_ready": ["https://m.fr/a"]}
    assert readability.status == "found"
    assert readability.value["kandel_moles"] == 65.0 and readability.value["pages"] == 2
    assert readability.value["band"] == "standard"


def test_rendered_checks_never_absent_without_a_rendered_page():
    from checks.site import NOT_RENDERED, aggregate_rendered

    for check in aggregate_rendered([], pages_checked=4):
        assert (check.status, check.error) == ("error", NOT_RENDERED)
    failed = [_row(c, "error", error="page non rendue : délai") for c in RENDERED_CHECK_IDS]
    for check in aggregate_rendered(failed, pages_checked=4):
        assert check.status == "error" and "page non rendue : délai" in check.error
    short = [_row("plain_language", "absent", {"reason": "texte trop court"})]
    (*_, readability) = aggregate_rendered(short, pages_checked=1)
    assert readability.status == "error" and "texte trop court" in readability.error
    for check in aggregate_rendered([], pages_checked=0, site_error="site injoignable"):
        assert (check.status, check.error) == ("error", "site injoignable")
