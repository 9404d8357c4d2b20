"""Key pages: the kinds of page a crawl looks for first, and the checks each kind serves.

The crawl classifies every link by the kind of page it leads to (``crawler.scope``: a
contact page, the accessibility declaration, the legal notice…), spends its page budget on
one page of each kind before a second of the same kind, and stores the kind of every
request that failed. When such a *key page* could not be read, the checks it would have
served cannot say "absent": what they look for may be on that very page. The site-level
aggregation (:func:`checks.site.aggregate`) reads them as ``error`` with the reason of
the failed page, unless another page showed the finding (data dictionary: "a check that could
not run … is error, never found: false").

Pure data and functions; the kind ids are machine values (English), the labels are what
people read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CONTACT = "contact"
ACCESSIBILITY = "accessibility"
LEGAL_NOTICE = "legal_notice"
PRIVACY = "privacy"
HELP = "help"
MEDIATOR = "mediator"
APPOINTMENT = "appointment"
HOURS = "hours"


@dataclass(frozen=True, slots=True)
class KeyPage:
    """A kind of key page: its id, its French name, and the checks it serves."""

    kind: str
    label: str
    checks: tuple[str, ...]


#: Every kind of key page and the checks whose finding it usually carries. A contact page
#: shows the phone numbers (and whether one is surtaxé), e-mail, form, address, hours, the
#: service for deaf users and the chat; a legal notice names the publisher with its postal
#: address, phone and e-mail (the only place some sites give a phone); the accessibility
#: declaration gives its rate and the adapted phone service…
KEY_PAGES: Mapping[str, KeyPage] = {
    page.kind: page
    for page in (
        KeyPage(
            CONTACT,
            "page de contact",
            (
                "phone",
                "premium_phone",
                "email",
                "contact_form",
                "address",
                "opening_hours",
                "accessible_phone",
                "chat",
            ),
        ),
        KeyPage(
            ACCESSIBILITY, "déclaration d'accessibilité", ("a11y_statement", "accessible_phone")
        ),
        KeyPage(
            LEGAL_NOTICE,
            "page des mentions légales",
            ("legal_notice", "phone", "premium_phone", "email", "address"),
        ),
        KeyPage(PRIVACY, "page des données personnelles", ("privacy", "email")),
        KeyPage(HELP, "page d'aide", ("faq",)),
        KeyPage(MEDIATOR, "page du médiateur", ("mediator",)),
        KeyPage(APPOINTMENT, "page de prise de rendez-vous", ("appointment",)),
        KeyPage(HOURS, "page des horaires", ("opening_hours", "peak_hours", "address")),
    )
}

#: Failures that say the page does not exist (a dead link): nothing was hidden from the
#: checks, so "absent" stays absent. Any other failure (server error, timeout, refused by
#: robots.txt, too large, not HTML, analysis failed) left the page unread.
GONE = frozenset({"http_404", "http_410"})  # crawler.error_kinds.http(404), (410)


def unread_key_pages(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Check id → why it could not be judged: the first key page serving it that failed.

    ``errors`` are a site's stored request failures, in the order they happened, each
    with its ``page_kind`` (the kind of page the crawl expected, or ``None``), ``kind``
    (the error kind, e.g. ``http_503``), ``reason`` (French) and ``url``.
    """
    unread: dict[str, str] = {}
    for error in errors:
        page = KEY_PAGES.get(error.get("page_kind") or "")
        if page is None or error.get("kind") in GONE:
            continue
        why = f"{page.label} illisible : {error['reason']} ({error['url']})"
        for check_id in page.checks:
            unread.setdefault(check_id, why)
    return unread
