"""``ecoindex`` (CHECKS.md, engagement 9): the reference's formula, quantiles and grades."""

from __future__ import annotations

import pytest

from checks.ecoindex import (
    QUANTILES_DOM,
    QUANTILES_REQUESTS,
    QUANTILES_SIZE_KB,
    ecoindex,
    grade,
    quantile_position,
    score,
    site_median,
)
from checks.rendered import RENDERED_REGISTRY, RenderMetrics


@pytest.mark.parametrize(
    ("dom", "requests", "kb", "expected"),
    [
        # The contract's four test vectors (cnumr's reference tests).
        (100, 100, 100, 72),
        (100, 100, 1000, 67),
        (240, 20, 331, 83),
        (2355, 267, 2493, 10),
        # More of the reference's own.
        (100, 100, 10000, 58),
        (200, 200, 10000, 46),
        (2240, 100, 310182.902, 16),
    ],
)
def test_score_of_the_reference_vectors(dom, requests, kb, expected):
    assert score(dom, requests, kb) == expected


def test_quantile_positions_of_the_reference():
    assert quantile_position(QUANTILES_SIZE_KB, 2500) == pytest.approx(14.086372025739513)
    assert quantile_position(QUANTILES_DOM, 150) == pytest.approx(2.892857142857143)
    assert quantile_position(QUANTILES_REQUESTS, 23) == pytest.approx(2.8)
    assert quantile_position(QUANTILES_SIZE_KB, 310182.902) == 20  # beyond the table
    assert quantile_position(QUANTILES_DOM, 0) == 0
    assert quantile_position(QUANTILES_DOM, 47) == 1  # exactly a quantile


def test_score_bounds():
    assert score(0, 0, 0) == 100
    assert score(10**7, 10**5, 10**7) == 0
    with pytest.raises(ValueError):
        score(-1, 10, 10)


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        (100, "A"),
        (81, "A"),
        (80.5, "A"),
        (80, "B"),
        (71, "B"),
        (70, "C"),
        (56, "C"),
        (55, "D"),
        (50.2, "D"),
        (41, "D"),
        (40, "E"),
        (26, "E"),
        (25, "F"),
        (11, "F"),
        (10, "G"),
        (2, "G"),
        (0, "G"),
    ],
)
def test_grade_boundaries(value, letter):
    """A score *above* a threshold gets its grade (the reference's ``>``): 80 is B."""
    assert grade(value) == letter


def test_registered_as_a_rendered_check():
    import checks

    assert checks.rendered.RENDERED_REGISTRY["ecoindex"] is ecoindex
    assert "ecoindex" not in checks.CHECK_IDS  # a rendered check, not a static one


def test_check_result(make_page):
    page = make_page("<html><body><p>Bonjour</p></body></html>")
    metrics = RenderMetrics(dom_elements=240, requests=20, transfer_kb=331.0)
    result = RENDERED_REGISTRY["ecoindex"](page, metrics)
    assert result.found and result.error is None
    assert result.value == {
        "score": 83,
        "grade": "A",
        "dom_elements": 240,
        "requests": 20,
        "transfer_kb": 331.0,
    }
    assert result.evidence[0].url == page.url
    assert "83" in result.evidence[0].snippet


@pytest.mark.parametrize(
    ("metrics", "named"),
    [
        (RenderMetrics(requests=20, transfer_kb=331.0), "éléments du DOM"),
        (RenderMetrics(dom_elements=240, transfer_kb=331.0), "requêtes"),
        (RenderMetrics(dom_elements=240, requests=20), "poids transféré"),
        (RenderMetrics(dom_elements=240, requests=-1, transfer_kb=3.0), "requêtes"),
        (RenderMetrics(), "éléments du DOM, nombre de requêtes, poids transféré"),
    ],
)
def test_a_missing_figure_is_an_error_not_absent(make_page, metrics, named):
    result = ecoindex(make_page("<html><body></body></html>"), metrics)
    assert result.status == "error"
    assert not result.found and result.value is None
    assert named in result.error


def test_site_median():
    assert site_median([83, 10, 72]) == {"score": 72, "grade": "B", "pages": 3}
    assert site_median([80, 81]) == {"score": 80.5, "grade": "A", "pages": 2}
    assert site_median([70, 70]) == {"score": 70, "grade": "C", "pages": 2}
    assert site_median([]) is None
