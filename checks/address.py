"""``address``: a physical postal address (CHECKS.md, engagement 2).

An address is a street line and a "postcode commune" line: the street is what makes it a
place one can go to. So a postcode alone, or a CEDEX line under a "Libre réponse" or a
bare name ("Défenseur des droits / Libre réponse 71120 / 75342 Paris CEDEX 07") does not
count. The street line is a number and a type of way ("36 rue du Bourg", "26-50 avenue…",
"55, boulevard…", "BP 123"), on the same line as the postcode or on one of the two lines
above (a building name or a "CS 22305" line may stand between). A few ways are named
without a number ("Place de la Mairie", "Parvis…", "Esplanade…"): they count when the
name after them is capitalised, so that "mise en place de" stays prose.

schema.org ``PostalAddress`` counts too, and a plain-text schema.org ``address``.

Value: list of distinct address strings: ``"<street lines>, <postcode> <commune>"`` from
the text (``"55, boulevard Diderot, CS 22305, 75610 Paris Cedex 12"``), or from schema.org
``"<streetAddress>, <postalCode> <addressLocality>"`` or the plain ``address`` text; else
``None`` (and on error).
"""

from __future__ import annotations

import re

from checks._contact import digit_runs, line_bounds, previous_line_start, schema_nodes
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

# Types of way, in folded text (case-folded, accents stripped).
_WAYS = (
    r"rue|avenue|av\.|bd|boulevard|bld|place|pl\.|allee|allees|chemin|ch\.|quai|impasse|"
    r"route|rte|cours|square|esplanade|parvis|rond-point|rond point|voie|passage|promenade|"
    r"cite|lieu-dit|lieu dit|hameau|faubourg|fg|sentier|montee|mail|residence|ruelle|"
    r"venelle|traverse|carrefour|chaussee|levee|digue|port|domaine|zone|za|zi|zac|"
    r"parc|rocade|villa|clos|mas|hotel de ville"
)
# "36 rue", "26-50 avenue", "55, boulevard", "12 bis rue", "3 ter, place".
_NUMBERED_STREET = re.compile(
    r"(?<![\w,.])\d{1,4}(?: ?(?:bis|ter|quater|[a-d]))?(?: ?[-/] ?\d{1,4})?,? +"
    rf"(?:{_WAYS})(?![a-z]) +\S"
)
_POSTAL_BOX = re.compile(r"(?<![a-z])(?:bp|b\.p\.|boite postale)\.? ?\d{1,5}(?!\d)")
# Ways commonly named without a number; need a capitalised name after (checked on text).
_UNNUMBERED_STREET = re.compile(
    r"(?<![a-z])(place|parvis|esplanade|square|hotel de ville|lieu-dit|hameau|cours|quai|"
    r"allee|avenue|boulevard|rue)(?: (?:de la|de l'|de l’|du|des|de|d'|d’))? ?(?=\S)"
)
_POSTCODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}")
_COMMUNE_AFTER = re.compile(
    r"[ ,]+(?P<commune>[A-ZÀ-Ý][A-Za-zÀ-ÿ'’]*(?:[ \-][A-Za-zÀ-ÿ'’]+)*(?: \d{1,2})?)"
)
_POSTCODE_COMMUNE = re.compile(
    r"(?<![\d\w])(?P<cp>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})(?!\d)" + _COMMUNE_AFTER.pattern
)
_SEPARATORS = " \t,;·—–-|📍:"


def _street_in(text: str, folded: str, start: int, end: int) -> int | None:
    """Offset where a street begins in ``text[start:end]``, or None."""
    segment = folded[start:end]
    m = _NUMBERED_STREET.search(segment) or _POSTAL_BOX.search(segment)
    if m:
        return start + m.start()
    for m in _UNNUMBERED_STREET.finditer(segment):
        after = text[start + m.end() : start + m.end() + 1]
        if after[:1].isupper():
            return start + m.start()
    return None


def _street_before(text: str, folded: str, cp_start: int) -> int | None:
    """Offset of the street of the postcode at ``cp_start``: same line or two lines up."""
    line_start, _ = line_bounds(text, cp_start, cp_start)
    found = _street_in(text, folded, line_start, cp_start)
    if found is not None:
        return found
    lo = line_start
    for _ in range(2):
        if lo == 0:
            break
        prev = previous_line_start(text, lo)
        found = _street_in(text, folded, prev, lo)
        if found is not None:
            return found
        lo = prev
    return None


def _format(street_part: str, postcode: str, commune: str) -> str:
    lines = [" ".join(line.split()).strip(_SEPARATORS) for line in street_part.split("\n")]
    street = ", ".join(line for line in lines if line)
    return f"{street}, {postcode} {commune.strip()}" if street else f"{postcode} {commune}"


def extract_addresses(page: Page) -> list[tuple[str, Evidence]]:
    """Distinct addresses of ``page`` (text then schema.org), with their evidence."""
    found: dict[str, tuple[str, Evidence]] = {}
    text, folded = page.text, page.folded
    for start, end in digit_runs(page):
        # Postcodes are 5-digit runs not glued to a word ("F-45000" is fine, "A45000" not).
        if end - start != 5 or (start and text[start - 1].isalnum()):
            continue
        postcode = text[start:end]
        commune = _COMMUNE_AFTER.match(text, end)
        if commune is None or not _POSTCODE.fullmatch(postcode):
            continue
        street_start = _street_before(text, folded, start)
        if street_start is None:
            continue
        address = _format(text[street_start:start], postcode, commune.group("commune"))
        key = " ".join(address.casefold().split())
        if key not in found:
            found[key] = (address, page.text_evidence(street_start, commune.end()))

    for node in schema_nodes(page):
        if "PostalAddress" in node.types:
            street = " ".join(node.texts("streetAddress"))
            code = " ".join(node.texts("postalCode"))
            locality = " ".join(node.texts("addressLocality"))
            if not (street or (code and locality)):
                continue
            address = ", ".join(x for x in (street, f"{code} {locality}".strip()) if x)
        else:
            texts = node.texts("address")
            if not texts:
                continue
            address = texts[0]
            if not _POSTCODE_COMMUNE.search(address):
                continue
        key = " ".join(address.casefold().split())
        if key not in found:
            found[key] = (address, page.structured_evidence(f"{node.label}: {address}"))
    return list(found.values())


@check("address")
def address(page: Page) -> CheckResult:
    """A physical postal address: street + postcode + commune, or schema.org PostalAddress."""
    addresses = extract_addresses(page)
    return CheckResult(
        found=bool(addresses),
        value=[a for a, _ in addresses] or None,
        evidence=tuple(ev for _, ev in addresses),
    )
