"""Key pages that could not be read: the checks they serve read "error", with the reason
(``checks.key_pages``, ``checks.site.aggregate``; issue 12.7)."""

from __future__ import annotations

from checks import CHECK_IDS
from checks.key_pages import KEY_PAGES, unread_key_pages
from checks.site import aggregate

CONTACT_503 = {
    "page_kind": "contact",
    "kind": "http_503",
    "reason": "le serveur a répondu HTTP 503",
    "url": "http://mairie.fr/contact",
}


def _statuses(rows, errors) -> dict[str, tuple[str, str | None]]:
    checks = aggregate(rows, pages_checked=3, unread=unread_key_pages(errors))
    return {c.check_id: (c.status, c.error) for c in checks}


def test_every_kind_serves_known_checks():
    for page in KEY_PAGES.values():
        assert page.checks and set(page.checks) <= set(CHECK_IDS), page.kind
        assert page.label and page.label == page.label.lower()


def test_the_checks_of_a_contact_page_that_failed_are_errors_with_its_reason():
    statuses = _statuses([], [CONTACT_503])
    assert statuses["phone"] == (
        "error",
        "page de contact illisible : le serveur a répondu HTTP 503 (http://mairie.fr/contact)",
    )
    assert statuses["email"][0] == "error"
    assert statuses["faq"] == ("absent", None)  # the contact page does not serve it


def test_found_elsewhere_stays_found():
    phone_on_home = [
        {"check_id": "phone", "status": "found", "value": [], "evidence": [], "error": None}
    ]
    statuses = _statuses(phone_on_home, [CONTACT_503])
    assert statuses["phone"][0] == "found"
    assert statuses["email"][0] == "error"


def test_a_page_that_does_not_exist_hides_nothing():
    """A dead link (404, 410) to a contact page: there is no page, "absent" is true."""
    gone = {**CONTACT_503, "kind": "http_404", "reason": "le serveur a répondu HTTP 404"}
    assert _statuses([], [gone])["phone"] == ("absent", None)


def test_errors_of_pages_that_were_no_key_page_change_nothing():
    ordinary = {**CONTACT_503, "page_kind": None}
    home = {**CONTACT_503, "page_kind": "home"}
    assert unread_key_pages([ordinary, home]) == {}


def test_the_first_failed_page_gives_the_reason():
    legal = {**CONTACT_503, "page_kind": "legal_notice", "url": "http://mairie.fr/ml"}
    unread = unread_key_pages([legal, CONTACT_503])
    assert unread["phone"].startswith("page des mentions légales illisible")
    assert unread["contact_form"].startswith("page de contact illisible")
