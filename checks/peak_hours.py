"""``peak_hours``: busy or quiet hours are published (docs/data-dictionary.md, engagement 2).

"Heures d'affluence", "heures creuses", "périodes de forte affluence", "les créneaux les
moins chargés": a desk that tells people when to come. The value quotes the lines that say
it. "Heures creuses" is also an electricity tariff; on the line of a tariff, meter or energy
supplier it is not about a desk, so it does not count.

Value: list of the distinct text lines that say it, each clipped to 300 characters; else
``None`` (and on error).
"""

from __future__ import annotations

import re

from checks._contact import line_bounds
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, clip

# Folded text (case-folded, accents stripped).
_PEAK = re.compile(
    r"(?<![a-z])(?:heures? (?:de (?:forte |faible |moindre |grande )?|d.)affluence"
    r"|(?:periodes?|jours?|moments?|creneaux?) (?:de |d.)(?:forte |faible |moindre |grande )?"
    r"affluence"
    r"|(?:forte|faible|moindre) affluence"
    r"|heures? creuses?|heures? (?:de )?pointe"
    r"|creneaux? (?:les )?(?:moins|plus) (?:charges|frequentes)"
    r"|(?:periodes?|heures?) (?:les )?(?:plus|moins) (?:chargees?|frequentees?))(?![a-z])"
)
# Words one of which every phrase above contains: tested with ``in`` (C speed) first, so
# that the pattern only runs on the rare pages that may match.
_HINTS = ("affluence", "creuse", "pointe", "s charg", "s frequent")
_ENERGY = re.compile(r"(?<![a-z])(?:tarif|electricite|compteur|edf|linky|kwh|abonnement)")


@check("peak_hours")
def peak_hours(page: Page) -> CheckResult:
    """Busy or quiet hours published for the public; value: the sentences saying so."""
    text, folded = page.text, page.folded
    lines: set[tuple[int, int]] = set()
    for hint in _HINTS:
        pos = folded.find(hint)
        while pos >= 0:
            lines.add(line_bounds(text, pos, pos + len(hint)))
            pos = folded.find(hint, pos + len(hint))
    texts: list[str] = []
    evidence = []
    for line_start, line_end in sorted(lines):
        m = _PEAK.search(folded, line_start, line_end)
        if m is None or _ENERGY.search(folded, line_start, line_end):
            continue  # no busy-hours phrase, or an electricity tariff
        line = clip(text[line_start:line_end], 300)
        if line not in texts:
            texts.append(line)
            evidence.append(page.text_evidence(m.start(), m.end()))
    return CheckResult(found=bool(texts), value=texts or None, evidence=tuple(evidence))
