"""``address``: a physical postal address (CHECKS.md, engagement 2).

An address is a street line and a "postcode commune" line: the street is what makes it a
place one can go to. So a postcode alone, or a CEDEX line under a "Libre réponse" or a
bare name ("Défenseur des droits / Libre réponse 71120 / 75342 Paris CEDEX 07") does not
count, nor does a postal box alone ("BP 2720, 80027 Amiens CEDEX"): mail reaches it, a
person cannot. The street line is a number and a type of way ("36 rue du Bourg", "26-50
avenue…", "55, boulevard…"), on the same line as the postcode or on one of the two lines
above (a building name may stand between); postal-box lines ("BP 123", "CS 22305", "TSA
10717", "Libre réponse 71120") between the street and the postcode are not counted in
those two lines, since large offices put one under their street. A few ways are named
without a number ("Place de la Mairie", "Parvis…", "Esplanade…"): they count when the
name after them is capitalised, so that "mise en place de" stays prose.

The postcode is five digits, also written with a space after the département ("75 334
Paris Cedex 07", the style of many ministries); the value writes it as five digits. A count
("30 000 Visiteurs", "12 500 Habitants") is not a postcode followed by a commune.

schema.org ``PostalAddress`` counts too, and a plain-text schema.org ``address``.

Value: list of distinct address strings: ``"<street lines>, <postcode> <commune>"`` from
the text (``"55, boulevard Diderot, CS 22305, 75610 Paris Cedex 12"``, the postcode as
five digits), or from schema.org
``"<streetAddress>, <postalCode> <addressLocality>"`` or the plain ``address`` text; else
``None`` (and on error).
"""

from __future__ import annotations

import re

from checks._contact import digit_runs, line_bounds, previous_line_start, schema_nodes
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence
from checks.text import fold

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
#: A line that is only a postal box (folded, stripped): mail is sorted there, nobody goes.
_POSTAL_BOX_LINE = re.compile(
    r"(?:(?:bp|b\.p\.|boite postale|cs|tsa|libre reponse|cedex)\.? ?\d{1,6}[ ,;.\-–]*)+"
)
#: Lines looked at above the postcode: two lines, postal-box lines not counted, this many
#: lines at most in all.
_LINES_UP, _MAX_LINES_UP = 2, 5
# Ways commonly named without a number; need a capitalised name after (checked on text).
_UNNUMBERED_STREET = re.compile(
    r"(?<![a-z])(place|parvis|esplanade|square|hotel de ville|lieu-dit|hameau|cours|quai|"
    r"allee|avenue|boulevard|rue)(?: (?:de la|de l'|de l’|du|des|de|d'|d’))? ?(?=\S)"
)
_POSTCODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}")
_COMMUNE_AFTER = re.compile(
    r"[ ,]+(?P<commune>[A-ZÀ-Ý][A-Za-zÀ-ÿ'’]*(?:[ \-][A-Za-zÀ-ÿ'’]+)*(?: \d{1,2})?)"
)
#: Words that follow a number written like a spaced postcode but make it a count.
_COUNTS = frozenset(
    """habitants habitant euros euro visiteurs visiteur personnes agents etudiants eleves
    usagers salaries logements places km kilometres metres hectares ha""".split()
)
_POSTCODE_COMMUNE = re.compile(
    r"(?<![\d\w])(?P<cp>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})(?!\d)" + _COMMUNE_AFTER.pattern
)
_SEPARATORS = " \t,;·—–-|📍:"
#: "01 75 334 …" or "75 334 12": digit groups of a longer number around a spaced postcode.
_SPACED_GROUP_BEFORE = re.compile(r"\d[ .]$")
_MORE_DIGITS = re.compile(r"[ .]?\d")


def _street_in(text: str, folded: str, start: int, end: int) -> int | None:
    """Offset where a street begins in ``text[start:end]``, or None."""
    segment = folded[start:end]
    m = _NUMBERED_STREET.search(segment)
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
    lo, budget = line_start, _LINES_UP
    for _ in range(_MAX_LINES_UP):
        if lo == 0 or budget == 0:
            break
        prev = previous_line_start(text, lo)
        found = _street_in(text, folded, prev, lo)
        if found is not None:
            return found
        if not _POSTAL_BOX_LINE.fullmatch(folded[prev:lo].strip()):
            budget -= 1
        lo = prev
    return None


def _format(street_part: str, postcode: str, commune: str) -> str:
    lines = [" ".join(line.split()).strip(_SEPARATORS) for line in street_part.split("\n")]
    street = ", ".join(line for line in lines if line)
    return f"{street}, {postcode} {commune.strip()}" if street else f"{postcode} {commune}"


def _postcodes(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the digit runs that may be postcodes: five digits, or "75 334".

    A run glued to a word is not one ("F-45000" is fine, "A45000" not), nor is a run that
    goes on with more digit groups (a phone number, a SIRET).
    """
    spans = []
    for i, (start, end) in enumerate(runs):
        if start and text[start - 1].isalnum():
            continue
        if end - start == 5:
            spans.append((start, end))
        elif end - start == 2 and i + 1 < len(runs):
            next_start, next_end = runs[i + 1]
            if (
                next_start == end + 1
                and text[end] == " "
                and next_end - next_start == 3
                and not _SPACED_GROUP_BEFORE.search(text, max(0, start - 3), start)
                and not _MORE_DIGITS.match(text, next_end)
            ):
                spans.append((start, next_end))
    return spans


def extract_addresses(page: Page) -> list[tuple[str, Evidence]]:
    """Distinct addresses of ``page`` (text then schema.org), with their evidence."""
    found: dict[str, tuple[str, Evidence]] = {}
    text, folded = page.text, page.folded
    for start, end in _postcodes(text, digit_runs(page)):
        postcode = text[start:end].replace(" ", "")
        commune = _COMMUNE_AFTER.match(text, end)
        if (
            commune is None
            or not _POSTCODE.fullmatch(postcode)
            or fold(commune.group("commune").split()[0]) in _COUNTS
        ):
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
