"""Site-level aggregation and engagement coverage (data dictionary, « Niveau du site »)."""

from __future__ import annotations

from checks import CHECK_IDS
from checks.site import aggregate, engagement_2, engagement_3, merge_values


def _row(check_id, status="found", value=None, evidence=None, error=None):
    return {
        "check_id": check_id,
        "status": status,
        "value": value,
        "evidence": evidence or [],
        "error": error,
    }


def test_found_on_any_page_with_best_evidence_first():
    rows = [
        _row("phone", value=[{"e164": "+33238000000"}], evidence=[{"url": "home"}]),
        _row("phone", value=[{"e164": "+33238000001"}], evidence=[{"url": "contact"}]),
    ]
    result = {r.check_id: r for r in aggregate(rows, pages_checked=5)}
    assert result["phone"].status == "found"
    assert result["phone"].pages_found == 2
    assert result["phone"].evidence[0]["url"] == "home"
    assert len(result["phone"].value) == 2
    assert result["email"].status == "absent"
    assert set(result) == set(CHECK_IDS)


def test_a_check_that_failed_is_error_not_absent():
    rows = [_row("address", status="error", error="ValueError: boom")]
    result = {r.check_id: r for r in aggregate(rows, pages_checked=3)}
    assert result["address"].status == "error"
    assert "boom" in result["address"].error


def test_a_site_that_could_not_be_crawled_is_error_everywhere():
    result = aggregate([], pages_checked=0, site_error="connexion refusée")
    assert {r.status for r in result} == {"error"}
    assert all(r.error == "connexion refusée" for r in result)


def test_absent_keeps_informative_values():
    rows = [_row("appointment", status="absent", value={"booking_link": False})]
    result = {r.check_id: r for r in aggregate(rows, pages_checked=1)}
    assert result["appointment"].status == "absent"
    assert result["appointment"].value == {"booking_link": False}


def test_merge_values():
    assert merge_values([[1, 2], [2, 3]]) == [1, 2, 3]
    assert merge_values([{"a": 1}, {"a": 2}]) == {"a": 1}
    assert merge_values([]) is None


def test_engagement_coverage():
    statuses = dict.fromkeys(CHECK_IDS, "absent")
    statuses.update(phone="found", contact_form="found", address="found")
    assert engagement_2(statuses) == 3 / 6
    statuses.update(email="found")  # email OR contact form: still one element
    assert engagement_2(statuses) == 3 / 6
    statuses.update(a11y_mention="found", faq="found")
    assert engagement_3(statuses) == 2 / 5
    assert engagement_3(statuses, a11y_value="placeholder") == 1 / 5
    assert engagement_3(statuses, no_critical_axe=True) == 3 / 6
    assert engagement_3(statuses, no_critical_axe=False) == 2 / 6


def test_coverage_is_empty_for_a_site_in_error():
    statuses = dict.fromkeys(CHECK_IDS, "error")
    assert engagement_2(statuses) is None
    assert engagement_3(statuses) is None
