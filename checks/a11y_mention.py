"""``a11y_mention``: the legal mention "Accessibilité : … conforme" (engagement 3).

The law asks every public site to show its compliance status on each page, as
"Accessibilité : totalement conforme" / "partiellement conforme" / "non conforme", usually
a footer link to the declaration. Read in the folded visible text, tolerating what real
footers do: no space before the colon ("Accessibilité: …"), no-break spaces, a line break
between the word and the status, any case, a trailing "(RGAA 4.1)", a dash for the colon.

Not the mention: the word "accessibilité" alone; the status only inside a declaration body
("Le site X est partiellement conforme avec le RGAA") — the mention is the label
"Accessibilité : <status>", so the regex needs the word right before the status. The DSFR
template's "Accessibilité : non/partiellement/totalement conforme" shipped unedited gives
the value ``placeholder`` with ``found`` false: the site did not say its status.

Value: ``"totalement"``, ``"partiellement"`` or ``"non"`` from the first real mention
(``found`` true); ``"placeholder"`` for the unedited template (``found`` false); else
``None`` (and on error).
"""

from __future__ import annotations

import re

from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

# "accessibilite" [du site|numerique] ":" or "-" status "conforme" (folded text).
_LEAD = r"accessibilite(?:\s+(?:du\s+site|numerique))?\s*[:\-–—]\s*"
_MENTION = re.compile(_LEAD + r"(totalement|partiellement|non)\s+conforme\b")
_PLACEHOLDER = re.compile(
    _LEAD + r"(?:non|partiellement|totalement)(?:\s*/\s*(?:non|partiellement|totalement)){2}"
    r"\s+conforme\b"
)


@check("a11y_mention")
def a11y_mention(page: Page) -> CheckResult:
    """The first real mention gives the value; a template placeholder only when none."""
    folded = page.folded
    match = _MENTION.search(folded)
    if match:
        evidence = page.text_evidence(match.start(), match.end())
        return CheckResult(found=True, value=match.group(1), evidence=(evidence,))
    match = _PLACEHOLDER.search(folded)
    if match:
        evidence = page.text_evidence(match.start(), match.end())
        return CheckResult(found=False, value="placeholder", evidence=(evidence,))
    return CheckResult(found=False)
