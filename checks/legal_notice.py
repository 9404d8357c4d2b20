"""``legal_notice`` and ``privacy``: the "Mentions légales" and personal-data links (eng. 4).

Both are plain footer links, so both are read the same way: the link's label (or, for a
label-less icon link, its target path). They share this module because they share that
reading, as the data dictionary groups them on one row.

Value (legal_notice, privacy): list of the distinct link targets (absolute URLs); else
``None`` (and on error).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from checks._links import LinkInfo, Sieve, links_result, links_where, phrase_pattern
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

_LEGAL_LABEL = phrase_pattern("mentions legales", "mention legale", "informations legales")
_LEGAL_TARGET = Sieve(
    re.compile(r"(?:^|/)(?:mentions?|informations)[-_]?legales?(?:[./?]|$)"), ("legal",)
)

_PRIVACY_LABEL = phrase_pattern(
    "donnees personnelles",
    "donnees a caractere personnel",
    "politique de confidentialite",
    "confidentialite",
    "protection des donnees",
    "vie privee",
    "rgpd",
)
_PRIVACY_TARGET = Sieve(
    re.compile(
        r"(?:^|/)(?:[\w-]*donnees[-_]personnelles|[\w-]*confidentialite|protection[-_]des[-_]"
        r"donnees[\w-]*|vie[-_]privee|rgpd|privacy(?:[-_]policy)?)(?:[./?]|$)"
    ),
    ("donnees", "confidentialite", "privee", "rgpd", "privacy"),
)


def _matches(label: Sieve, target: Sieve) -> Callable[[LinkInfo], bool]:
    """A link filter: a real destination whose label or target path says so."""

    def keep(info: LinkInfo) -> bool:
        if info.in_page or not info.is_web:
            return False
        return bool(label.search(info.label) or target.search(info.target))

    return keep


@check("legal_notice")
def legal_notice(page: Page) -> CheckResult:
    """Links labelled "Mentions légales" (or to a ``/mentions-legales`` page)."""
    keep = _matches(_LEGAL_LABEL, _LEGAL_TARGET)
    return links_result(
        page, links_where(page, keep, labels=(_LEGAL_LABEL,), targets=(_LEGAL_TARGET,))
    )


@check("privacy")
def privacy(page: Page) -> CheckResult:
    """Links labelled "Données personnelles" / "Politique de confidentialité" and kin."""
    keep = _matches(_PRIVACY_LABEL, _PRIVACY_TARGET)
    return links_result(
        page, links_where(page, keep, labels=(_PRIVACY_LABEL,), targets=(_PRIVACY_TARGET,))
    )
