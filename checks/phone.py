"""``phone`` and ``premium_phone``: French phone numbers shown to users (CHECKS.md, eng. 2).

Validation is the ``phonenumbers`` library's (region FR, ``Leniency.VALID``), never ours.
Its matcher is slow pure Python, so it only runs on the few short windows of text where a
cheap regex saw a run of digits that could be a number; everything else (years, prices,
article numbers) is dropped before it gets there.

What the library cannot know, and this module adds:

* in France a number is shown with its trunk ``0`` or ``+33``: runs without either are not
  even handed to the matcher (whose ``VALID`` leniency also wants the national prefix, so
  a SIREN "267 500 452" is not 02 67 50 04 52);
* a label before the number says what it is for, or that it is a reference ("dossier
  n°", "SIRET", "commande"), which is not a phone; an amount ("… €") is not either;
* a match glued to more digit groups is a piece of a longer identifier (SIRET, IBAN);
* a 4-digit short number (3939, 3422) is only a phone next to a phone word or in a
  ``tel:`` link: otherwise it is a year, an amount, an article number;
* the cost of a short number is what the page says, never ``shortnumberinfo``'s cost
  metadata, which is wrong for 3939, 3646, 3230 (CHECKS.md);
* fax numbers are recorded but do not make ``phone`` found;
* a number quoted for another body is not the site's: the standard accessibility-declaration
  text gives the Défenseur des droits' number ("Composer le 09 69 39 00 00"). Such a number
  (that one, or one the text attributes to the Défenseur: see
  :func:`checks.mediator.quoted_for_defenseur`) is recorded with the purpose
  ``"défenseur des droits"`` and, like a fax, does not make ``phone`` found;
* "(33) 3 22 97 40 40", "(+33) …" and "+ 33 (0)3 …" are the country code written in
  brackets or spaced: read as "+33" (the library's matcher does not), and a "+" number
  right after a digit ("Cedex 1 +33 (0)3 …") is not glued to it.

Both checks read one extraction, computed once per page (:func:`extract_phones`).

Value (phone): list of ``{"e164" | "short", "display", "kind", "purpose", "surcharged"}``,
one per distinct number, fax numbers and the Défenseur des droits' included (those only: a
value but ``found`` false);
``kind`` as in CHECKS.md, ``purpose`` a label (``"standard"``, ``"fax"``…) or null,
``surcharged`` a bool or null (unknown); else ``None`` (and on error).

Value (premium_phone): the same entries for the surtaxé numbers only (``e164`` in the
``+3381``/``+3382``/``+3389`` ranges, ``short`` ``118xxx``); else ``None`` (and on error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, shortnumberinfo

from checks._contact import digit_runs, line_bounds, previous_line_start, schema_nodes
from checks.mediator import (
    DEFENSEUR_NAME,
    DEFENSEUR_PHONE,
    on_defenseur_site,
    quoted_for_defenseur,
)
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

REGION = "FR"

# What may stand between the digit groups of one number: space, dot, hyphen, "(0)".
_RUN_SEPARATORS = " .-()"
_TRUNK_OR_PLUS = re.compile(r"(?:^|[^\d])(?:0[ .\-]?\d|\+)")
#: The country code in brackets or spaced from its "+": "(33)", "(+33)", "(0033)", "+ 33".
_COUNTRY_CODE = re.compile(r"\( ?(?:\+|00)? ?33 ?\)|\+ 33(?!\d)")
#: The purpose of a number quoted for the Défenseur des droits (not the site's own).
DEFENSEUR = "défenseur des droits"
#: Purposes of numbers that do not make ``phone`` found by themselves.
_NOT_COUNTED = frozenset(("fax", DEFENSEUR))
_SHORT_SHAPE = re.compile(r"\d{4}|\d{2} \d{2}|118 ?\d{3}")
_DIGITS = re.compile(r"\d")
_GLUED_BEFORE = re.compile(r"\d[ .]?\Z")  # \Z: "$" would match before a line break
_GLUED_AFTER = re.compile(r"^[ .]?\d")
_MONEY_AFTER = re.compile(r"^\s?(?:€|eur\b|euros?\b|%)")

# Labels, in folded text (case-folded, accents stripped). Purpose keywords give the value's
# ``purpose``; phone words only say "this is a phone"; reference words say "this is an
# identifier" (order, file, company numbers).
_PURPOSES: tuple[tuple[str, str], ...] = (
    (r"fax|telecopie(?:ur)?", "fax"),
    (r"standard", "standard"),
    (r"accueil", "accueil"),
    (r"urgences?", "urgences"),
    (r"accessibilite|sourds?|malentendants?", "accessibilité"),
    (r"secretariat", "secrétariat"),
    (r"assistance", "assistance"),
    (r"support", "support"),
    (r"astreinte", "astreinte"),
    (r"renseignements?", "renseignements"),
    (r"service client", "service client"),
    (r"etat civil", "état civil"),
    (r"depuis l.etranger|de l.etranger", "depuis l'étranger"),
)
# Words that make a bare 4-digit number a phone number ("composez le 3939"): narrower than
# the labels, because "3000 utilisateurs de l'application mobile" is not a phone.
_SHORT_PHONE_WORDS = (
    r"tel|telephone|telephoner|telephonique|appel|appelez|appeler|composez|composer|"
    r"numero|allo|joindre|joignable|standard|service gratuit|prix d.un appel|numero vert|"
    r"renseignements?|assistance"
)
_PHONE_WORDS = _SHORT_PHONE_WORDS + r"|portable|mobile|gsm|contactez"
_REFERENCE_WORDS = (
    r"n ?[°º]|no\.|ref|reference|commande|dossier|facture|siret|siren|tva|rcs|iban|rib|bic|"
    r"insee|contrat|allocataire|securite sociale|article|decret|loi"
)
# Boundaries: no letter on either side ("n°123" is a reference, "tel." a phone word).
_LABEL = re.compile(
    r"(?<![a-z])(?:(?P<purpose>"
    + "|".join(f"(?P<p{i}>{pattern})" for i, (pattern, _) in enumerate(_PURPOSES))
    + rf")|(?P<phone>(?:{_PHONE_WORDS})s?)|(?P<ref>{_REFERENCE_WORDS}))(?![a-z])"
)
_SHORT_PHONE_WORD = re.compile(rf"(?<![a-z])(?:{_SHORT_PHONE_WORDS})s?(?![a-z])")
_PURPOSE_RES = tuple(
    (re.compile(rf"(?<![a-z])(?:{pattern})(?![a-z])"), purpose) for pattern, purpose in _PURPOSES
)
_TEL_THEN_FAX = re.compile(r"(?<![a-z])tel(?:ephone)?\.?\s?(?:/|et|-|&)\s?$")

# What a page says about the price of a short number (folded text).
_COST_PAID = re.compile(
    r"\d+[,.]\d+\s?€(?:\s?ttc)?\s?(?:/|par|la|de la)\s?(?:min|minute|appel)"
    r"|(?<!non )surtaxe|tarif majore|service payant"
)
_COST_FREE = re.compile(
    r"gratuit|prix d.un appel|cout d.un appel|tarif normal|tarif local|numero vert|non surtaxe"
)

_CONTEXT = 60  # characters of label looked at before a number
_SHORT_BEFORE = 30  # characters before a short number where a phone word may stand
_SHORT_AFTER = 45  # characters after it

_KINDS = {
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PREMIUM_RATE: "premium",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.PERSONAL_NUMBER: "uan",
}

# ARCEP "violet" ranges (surtaxé), in E.164 form; 118xxx directory numbers likewise.
_PREMIUM_E164 = re.compile(r"^\+33(?:81|82|89)\d{7}$")
_PREMIUM_SHORT = re.compile(r"^118\d{3}$")


@dataclass(slots=True)
class _Found:
    """One distinct number: its value entry, where it was first seen, whether it counts."""

    entry: dict[str, Any]
    evidence: Evidence
    counts: bool  # False while it has only been seen as a fax


@dataclass(slots=True)
class PhoneScan:
    """Every number of a page, deduplicated by E.164 (or short number), in page order."""

    found: dict[str, _Found] = field(default_factory=dict)

    def add(self, entry: dict[str, Any], evidence: Evidence) -> None:
        key = entry.get("e164") or f"short:{entry['short']}"
        counts = entry["purpose"] not in _NOT_COUNTED
        known = self.found.get(key)
        if known is None:
            self.found[key] = _Found(entry, evidence, counts)
            return
        if DEFENSEUR in (entry["purpose"], known.entry["purpose"]):
            # A number quoted for the Défenseur anywhere on the page is the Défenseur's.
            if known.entry["purpose"] != DEFENSEUR:
                known.entry["purpose"], known.evidence, known.counts = DEFENSEUR, evidence, False
        elif counts and not known.counts:
            # Seen first as a fax, now as a phone: the phone use wins.
            known.entry["purpose"] = entry["purpose"]
            known.evidence = evidence
            known.counts = True
        elif known.entry["purpose"] is None and entry["purpose"] not in (None, "fax"):
            known.entry["purpose"] = entry["purpose"]
        if known.entry["surcharged"] is None and entry["surcharged"] is not None:
            known.entry["surcharged"] = entry["surcharged"]

    @property
    def phones(self) -> list[_Found]:
        return list(self.found.values())


def extract_phones(page: Page) -> PhoneScan:
    """All numbers of ``page`` (text, ``tel:`` links, schema.org), computed once per page.

    Kept in the page's memo so that ``phone`` and ``premium_phone`` (and any other
    check) share one extraction.
    """
    return page.memo("phones", _scan_page)


def _scan_page(page: Page) -> PhoneScan:
    scan = PhoneScan()
    _scan_text(page, scan)
    _scan_tel_links(page, scan)
    _scan_structured(page, scan)
    return scan


# -- visible text ---------------------------------------------------------------------------


def _candidate_runs(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Digit runs joined by the separators people put in numbers: ``(start, end, digits)``.

    "01 23 45 67 89", "+33 (0)1 23…", "0 800 123 456" each become one candidate; a run glued
    to a letter ("FR76 3000 6000…", an IBAN) is dropped.
    """
    candidates = []
    i, n = 0, len(runs)
    while i < n:
        start, end = runs[i]
        count = end - start
        while i + 1 < n:
            next_start, next_end = runs[i + 1]
            gap = text[end:next_start]
            if len(gap) > 4 or gap.strip(_RUN_SEPARATORS):
                break
            if "(" in gap and text[next_start : next_end + 1] != "0)":
                break  # only the trunk "(0)" is bracketed inside a number: "3939 (0,15 €"
            i += 1
            end = runs[i][1]
            count += end - runs[i][0]
        i += 1
        if start > 0 and text[start - 1] in "+(":
            start -= 1
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_+"):
            continue
        candidates.append((start, end, count))
    return candidates


def _scan_text(page: Page, scan: PhoneScan) -> None:
    text = page.text
    last_end = 0  # end of the previous number: labels before it belong to it
    for start, end, digit_count in _candidate_runs(text, digit_runs(page)):
        raw = text[start:end]
        if digit_count >= 9:
            if _TRUNK_OR_PLUS.search(raw) or _COUNTRY_CODE.search(text, max(0, start - 2), end):
                last_end = _scan_long(page, scan, start, end, last_end)
        elif (
            4 <= digit_count <= 6
            and _SHORT_SHAPE.fullmatch(raw)
            and _scan_short(page, scan, start, end, last_end)
        ):
            last_end = end


def _scan_long(page: Page, scan: PhoneScan, start: int, end: int, last_end: int) -> int:
    """Run the phonenumbers matcher on the window of one digit run; return the last end."""
    text = page.text
    line_start, line_end = line_bounds(text, start, end)
    win_start, win_end = max(line_start, start - 2), min(line_end, end + 2)
    # "(33) 3 22…" as "+33  3 22…": the same length, so offsets stay those of the text.
    window = _COUNTRY_CODE.sub(_as_plus, text[win_start:win_end])
    matcher = phonenumbers.PhoneNumberMatcher(window, REGION, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        m_start, m_end = win_start + match.start, win_start + match.end
        # No trunk-"0" check here: Leniency.VALID already refuses a French number written
        # without its national prefix ("267 500 452", a SIREN, is not 02 67 50 04 52).
        raw = text[m_start:m_end]
        glued_before = match.raw_string[0] != "+" and _GLUED_BEFORE.search(
            text[max(0, m_start - 2) : m_start]
        )
        if glued_before or _GLUED_AFTER.search(text[m_end : m_end + 2]):
            continue  # part of a longer digit sequence (SIRET, IBAN, RIB)
        if _MONEY_AFTER.search(text[m_end : m_end + 7].casefold()):
            continue
        label = _label_before(page, m_start, max(last_end, line_start))
        if label == "ref":
            continue
        number = match.number
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        purpose = _label_value(label)
        if _defenseurs(page, e164) or quoted_for_defenseur(page, m_start, m_end, by_number=False):
            purpose = DEFENSEUR
        entry = {
            "e164": e164,
            "display": " ".join(raw.split()),
            "kind": _kind(number),
            "purpose": purpose,
            "surcharged": _surcharged(number, e164),
        }
        scan.add(entry, page.text_evidence(m_start, m_end))
        last_end = m_end
    return last_end


def _scan_short(page: Page, scan: PhoneScan, start: int, end: int, last_end: int) -> bool:
    """Record a 4-digit (or 118xxx) short number if a phone word stands next to it."""
    text, folded = page.text, page.folded
    if _MONEY_AFTER.search(text[end : end + 7].casefold()):
        return False
    line_start, line_end = line_bounds(text, start, end)
    # The phone word first: most short digit runs (years, postcodes) have none near them,
    # and reading the label costs more.
    before = folded[max(line_start, last_end, start - _SHORT_BEFORE) : start]
    after = folded[end : min(line_end, end + _SHORT_AFTER)]
    if not (_SHORT_PHONE_WORD.search(before) or _SHORT_PHONE_WORD.search(after)):
        return False
    label = _label_before(page, start, max(last_end, line_start))
    if label == "ref":
        return False
    digits = "".join(_DIGITS.findall(text[start:end]))
    if not _is_short_number(digits):
        return False
    cost_text = folded[max(line_start, start - 40) : min(line_end, end + 80)]
    purpose = (
        DEFENSEUR
        if quoted_for_defenseur(page, start, end, by_number=False)
        else _label_value(label)
    )
    entry = _short_entry(digits, text[start:end], purpose, _short_cost(cost_text))
    scan.add(entry, page.text_evidence(start, end))
    return True


def _defenseurs(page: Page, e164: str | None) -> bool:
    """Whether ``e164`` is the Défenseur des droits' number shown on another site."""
    return e164 == DEFENSEUR_PHONE and not on_defenseur_site(page)


def _as_plus(match: re.Match[str]) -> str:
    """A bracketed or spaced country code as "+33", padded to its length."""
    return "+33".ljust(len(match.group()))


def _label_before(page: Page, start: int, floor: int) -> str | None:
    """The label of the number at ``start``: a purpose, "phone", "ref" or None.

    Labels are read from ``floor`` (the end of the previous number: "Tél : 01… Fax : 02…"
    gives each its own) to the number. A reference word as the last label ("dossier n°")
    makes it an identifier; otherwise the last purpose keyword wins over plain phone words
    ("depuis l'étranger, composez le +33…" is for callers abroad). When the number begins
    its line (a definition list, a table cell, "📞 01 …"), the label is often on the line
    above, so that line is read too.
    """
    text, folded = page.text, page.folded
    line_start = text.rfind("\n", 0, start) + 1
    lo = max(floor, start - _CONTEXT)
    if not any(c.isalpha() for c in text[line_start:start]) and floor <= line_start:
        prev = previous_line_start(text, line_start)
        if not _DIGITS.search(text[prev:line_start]):  # a label line, not another number
            lo = max(prev, start - _CONTEXT - 40)
    context = folded[lo:start]
    last = purpose_match = None
    phone_after_purpose = False
    for last in _LABEL.finditer(context):
        if last.group("purpose"):
            purpose_match, phone_after_purpose = last, False
        elif last.group("phone"):
            phone_after_purpose = True
    if last is None:
        return None
    if last.group("ref"):
        return "ref"
    if purpose_match is None:
        return "phone"
    for i, (_, purpose) in enumerate(_PURPOSES):
        if purpose_match.group(f"p{i}"):
            if purpose == "fax" and (
                phone_after_purpose or _TEL_THEN_FAX.search(context[: purpose_match.start()])
            ):
                return "téléphone/fax"  # "Tél./Fax : 01 …", "Fax et tél. : 01 …"
            return purpose
    return None


def _label_value(label: str | None) -> str | None:
    """``purpose`` for a label: phone words are not a purpose."""
    return None if label in (None, "phone", "ref") else label


# -- tel: links and structured data ---------------------------------------------------------


def _scan_tel_links(page: Page, scan: PhoneScan) -> None:
    for link in page.links:
        if link.raw_href[:4].lower() != "tel:":
            continue
        target = unquote(link.raw_href[4:]).split(";", 1)[0].strip()
        if not _DIGITS.search(target):
            continue  # "tel:" with no digits: nothing to call
        purpose = _purpose_from_label(link.folded)
        if DEFENSEUR_NAME.search(link.folded) and not on_defenseur_site(page):
            purpose = DEFENSEUR
        entry = _parse_any(target, purpose, _short_cost(link.folded))
        if entry is not None:
            if _defenseurs(page, entry.get("e164")):
                entry["purpose"] = DEFENSEUR
            scan.add(entry, page.element_evidence(link.element))


def _scan_structured(page: Page, scan: PhoneScan) -> None:
    for node in schema_nodes(page):
        for prop in ("telephone", "faxNumber"):
            for value in node.texts(prop):
                if prop == "faxNumber":
                    purpose: str | None = "fax"
                else:
                    kinds = node.texts("contactType")
                    purpose = kinds[0].strip().lower() if kinds else None
                entry = _parse_any(value, purpose, None)
                if entry is not None:
                    if _defenseurs(page, entry.get("e164")):
                        entry["purpose"] = DEFENSEUR
                    scan.add(entry, page.structured_evidence(f"{node.label} {prop}: {value}"))


def _parse_any(target: str, purpose: str | None, cost: bool | None) -> dict[str, Any] | None:
    """A number from a ``tel:`` target or a schema.org value, or None if not a phone."""
    digits = "".join(_DIGITS.findall(target))
    if "+" not in target and len(digits) <= 6:
        if _is_short_number(digits):
            return _short_entry(digits, target, purpose, cost)
        return None
    try:
        number = phonenumbers.parse(target, REGION)
    except NumberParseException:
        return None  # not a number at all: nothing to record
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return {
        "e164": e164,
        "display": " ".join(target.split()),
        "kind": _kind(number),
        "purpose": purpose,
        "surcharged": _surcharged(number, e164),
    }


def _purpose_from_label(folded_label: str) -> str | None:
    for pattern, purpose in _PURPOSE_RES:
        if pattern.search(folded_label):
            return purpose
    return None


# -- number facts ---------------------------------------------------------------------------


def _is_short_number(digits: str) -> bool:
    """A short number known for France (3BCD, 118xxx, 10xx…), per libphonenumber."""
    if not 3 <= len(digits) <= 6:
        return False
    try:
        number = phonenumbers.parse(digits, REGION)
    except NumberParseException:
        return False  # unparsable digits cannot be a short number
    return shortnumberinfo.is_valid_short_number_for_region(number, REGION)


def _short_entry(
    digits: str, display: str, purpose: str | None, cost: bool | None
) -> dict[str, Any]:
    if _PREMIUM_SHORT.match(digits):
        cost = True  # 118xxx directory enquiries are always surtaxés
    return {
        "short": digits,
        "display": " ".join(display.split()),
        "kind": "short",
        "purpose": purpose,
        "surcharged": cost,
    }


def _short_cost(folded_context: str) -> bool | None:
    """What the page says of a short number's price: paid, free, or unknown (None)."""
    if _COST_PAID.search(folded_context):
        return True
    if _COST_FREE.search(folded_context):
        return False
    return None


def _kind(number: Any) -> str:
    return _KINDS.get(phonenumbers.number_type(number), "fixed")


def _surcharged(number: Any, e164: str) -> bool | None:
    """Surtaxé by ARCEP range for French numbers; unknown for foreign ones."""
    if number.country_code != 33:
        return None
    return bool(_PREMIUM_E164.match(e164))


# -- checks ---------------------------------------------------------------------------------


@check("phone")
def phone(page: Page) -> CheckResult:
    """A French phone number shown to users; fax-only numbers are listed but do not count."""
    scan = extract_phones(page)
    phones = scan.phones
    return CheckResult(
        found=any(p.counts for p in phones),
        value=[p.entry for p in phones] or None,
        evidence=tuple(p.evidence for p in phones),
    )


@check("premium_phone")
def premium_phone(page: Page) -> CheckResult:
    """A surtaxé number shown: 081x/082x/089x (10 digits) or 118xxx (CHECKS.md)."""
    premium = [
        p
        for p in extract_phones(page).phones
        if _PREMIUM_E164.match(p.entry.get("e164") or "")
        or _PREMIUM_SHORT.match(p.entry.get("short") or "")
    ]
    return CheckResult(
        found=bool(premium),
        value=[p.entry for p in premium] or None,
        evidence=tuple(p.evidence for p in premium),
    )
