"""The Annuaire de l'administration cross-check: does a site say what its record says?

The Annuaire (DILA) is where each office declares its phone numbers, e-mail, address and
opening hours; the programme expects the office's own website to say the same. This module
compares, field by field, one Annuaire record (a dict in the open export's shape,
``shared/reference/annuaire-format.md``, structured fields already JSON-decoded) with the
site-level values of the ``phone``, ``email``, ``address`` and ``opening_hours`` checks.
Pure functions, no I/O: which record goes with which site, and which import with which
run, is :mod:`crawler.annuaire`'s business.

How each field compares — equality of meaning, never of spelling:

* phones: E.164 numbers (``phonenumbers``, region FR) or short numbers (3230), the site's
  fax numbers left out;
* e-mail addresses: case-insensitive;
* postal address: street, postcode and commune normalised (accents, case, punctuation,
  "av." / "avenue", "bd" / "boulevard", "pl." / "place"…, CEDEX and its number dropped
  from the commune); one of the record's addresses (physical or postal) must be one the
  site shows;
* opening hours: the same weekly intervals, day by day. The record's ``plage_ouverture``
  and the site's OpenStreetMap ``opening_hours`` string are both turned into per-day
  sets of intervals (the OSM string evaluated by ``opening-hours-py`` over
  :data:`REFERENCE_WEEK`, so that its own rules — a later rule replacing an earlier one,
  ``off``… — are the library's, not ours) and the sets are compared.

A field is ``consistent`` when every value of the record is shown by the site (the site
may show more: other services, hotlines; for the address, one of the record's suffices),
``differs`` when the site shows values of that kind but not the record's,
``missing_on_site`` when it shows none, ``no_record`` when the Annuaire gives nothing to
compare with (no record for the site, or the field empty or unreadable in it), and
``error`` when the comparison cannot be made: the site's check could not run (a site that
could not be crawled is never "missing"), or the site's hours could not be read in
``opening_hours`` form (shown, but not comparable).

Value (a :class:`FieldComparison`, ``to_dict()``): ``{"field", "status", "record",
"record_keys", "site", "not_on_site", "error"}`` — ``record``: the record's values as
the Annuaire writes them; ``record_keys``: the same normalised (E.164, lower-cased
address, ``postcode|commune|street``, OSM string); ``site``: the site's values as
``{"value", "key"}`` (the orchestration adds where each is shown); ``not_on_site``: the
record's values the site does not show; ``error``: why the comparison could not be made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import opening_hours as oh
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, shortnumberinfo

from checks.text import fold

#: The fields compared, in the order of the table's columns (``annuaire_<field>``).
FIELDS: tuple[str, ...] = ("phone", "email", "address", "opening_hours")
#: A field's outcome (machine values, English).
STATUSES: tuple[str, ...] = ("consistent", "differs", "missing_on_site", "no_record", "error")
#: The outcomes as people read them (reports, command output).
STATUS_LABELS: Mapping[str, str] = {
    "consistent": "conforme à l'Annuaire",
    "differs": "diffère de l'Annuaire",
    "missing_on_site": "absent du site",
    "no_record": "rien à comparer dans l'Annuaire",
    "error": "comparaison impossible",
}
#: The fields as people read them.
FIELD_LABELS: Mapping[str, str] = {
    "phone": "téléphone",
    "email": "courriel",
    "address": "adresse",
    "opening_hours": "horaires",
}
#: The week over which an OSM ``opening_hours`` string is evaluated: an ordinary week
#: (no public or school holiday in France), Monday to Monday.
REFERENCE_WEEK: tuple[datetime, datetime] = (datetime(2024, 3, 11), datetime(2024, 3, 18))

REGION = "FR"
_DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAYS_OSM = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_HHMM = re.compile(r"^\s*(\d{1,2})[:h](\d{2})(?::\d{2})?\s*$")

#: A week: for each day (Monday first), its opening intervals in minutes, sorted, merged.
Week = tuple[tuple[tuple[int, int], ...], ...]


@dataclass(frozen=True, slots=True)
class Shown:
    """One value the site shows: as written, and its comparison key."""

    value: str
    key: str


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field of one site compared with its Annuaire record (see the module doc)."""

    field: str
    status: str
    record: tuple[str, ...] = ()
    record_keys: tuple[str, ...] = ()
    site: tuple[Shown, ...] = ()
    not_on_site: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "status": self.status,
            "record": list(self.record),
            "record_keys": list(self.record_keys),
            "site": [{"value": s.value, "key": s.key} for s in self.site],
            "not_on_site": list(self.not_on_site),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class SiteSide:
    """What the site shows for one field: its site-level check status and value."""

    status: str | None  # found / absent / error; None: the check has no row (site in error)
    value: Any = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Wanted:
    """The record's side of a field: displayed values and their keys, in the same order."""

    values: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    payloads: list[Any] = field(default_factory=list)  # what the comparison needs

    def add(self, value: str, key: str | None, payload: Any = None) -> None:
        if key is not None and key not in self.keys:
            self.values.append(value)
            self.keys.append(key)
            self.payloads.append(payload)


def compare_record(
    record: Mapping[str, Any] | None, site: Mapping[str, SiteSide]
) -> list[FieldComparison]:
    """Every field of :data:`FIELDS` for one site; ``record`` ``None``: no record."""
    return [
        _COMPARERS[name](record, site.get(name) or SiteSide(None)) if record else no_record(name)
        for name in FIELDS
    ]


def no_record(field_name: str) -> FieldComparison:
    return FieldComparison(field_name, "no_record")


def _outcome(
    field_name: str,
    wanted: _Wanted,
    side: SiteSide,
    shown: list[Shown],
    is_shown: Callable[[int], bool] | None = None,
    any_suffices: bool = False,
) -> FieldComparison:
    """The status from what the record wants and what the site shows.

    ``is_shown(i)``: whether the record's ``i``-th value is among the site's (default:
    its key is one of the site's keys); ``any_suffices``: one record value shown is enough
    (addresses: physical or postal), otherwise every one must be.
    """
    record, keys = tuple(wanted.values), tuple(wanted.keys)
    if not keys:
        return FieldComparison(field_name, "no_record", record, keys, tuple(shown))
    if side.status not in ("found", "absent"):
        reason = side.error or "le site n'a pas pu être vérifié"
        return FieldComparison(field_name, "error", record, keys, (), error=reason)
    if not shown:
        return FieldComparison(field_name, "missing_on_site", record, keys, (), record)
    site_keys = {s.key for s in shown}
    check = is_shown or (lambda i: keys[i] in site_keys)
    missing = tuple(value for i, value in enumerate(record) if not check(i))
    ok = len(missing) < len(record) if any_suffices else not missing
    status = "consistent" if ok else "differs"
    return FieldComparison(field_name, status, record, keys, tuple(shown), () if ok else missing)


# -- phones ---------------------------------------------------------------------------------


def phone_key(text: str) -> str | None:
    """E.164 of a French (or international) number, the digits of a short number, or None."""
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    if "+" not in text and len(digits) <= 6:
        # Short numbers (3939, 3230) have no E.164 form: the digits, if libphonenumber
        # knows them as a French short number.
        try:
            short = phonenumbers.parse(digits, REGION)
        except NumberParseException:
            return None
        valid = shortnumberinfo.is_valid_short_number_for_region(short, REGION)
        return digits if valid else None
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def compare_phone(record: Mapping[str, Any], side: SiteSide) -> FieldComparison:
    wanted = _Wanted()
    for entry in _objects(record.get("telephone")):
        raw = _text(entry.get("valeur"))
        if raw:
            wanted.add(raw, phone_key(raw))
    return _outcome("phone", wanted, side, shown_phones(side.value))


def shown_phones(value: Any) -> list[Shown]:
    """The numbers of a ``phone`` value, fax numbers left out (not a number to call)."""
    shown = []
    for entry in _list(value):
        if not isinstance(entry, Mapping) or entry.get("purpose") == "fax":
            continue
        key = entry.get("e164") or entry.get("short")
        if key:
            shown.append(Shown(str(entry.get("display") or key), str(key)))
    return _unique(shown)


# -- e-mail ---------------------------------------------------------------------------------


def email_key(text: str) -> str | None:
    address = text.strip().strip("<>").removeprefix("mailto:").strip().lower()
    return address if re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z0-9-]{2,}", address) else None


def compare_email(record: Mapping[str, Any], side: SiteSide) -> FieldComparison:
    wanted = _Wanted()
    raw = record.get("adresse_courriel")
    for part in re.split(r"[;,\s]+", raw) if isinstance(raw, str) else _list(raw):
        if isinstance(part, str) and part.strip():
            wanted.add(part.strip(), email_key(part))
    return _outcome("email", wanted, side, shown_emails(side.value))


def shown_emails(value: Any) -> list[Shown]:
    """The addresses of an ``email`` value."""
    shown = []
    for entry in _list(value):
        address = entry.get("address") if isinstance(entry, Mapping) else entry
        key = email_key(address) if isinstance(address, str) else None
        if key:
            shown.append(Shown(address, key))
    return _unique(shown)


# -- postal address -------------------------------------------------------------------------

#: Abbreviations of street words, in folded text, and what they stand for.
_ABBREVIATIONS: Mapping[str, str] = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "bvd": "boulevard",
    "boul": "boulevard",
    "pl": "place",
    "r": "rue",
    "ch": "chemin",
    "che": "chemin",
    "chem": "chemin",
    "rte": "route",
    "imp": "impasse",
    "all": "allee",
    "sq": "square",
    "crs": "cours",
    "fg": "faubourg",
    "fbg": "faubourg",
    "pass": "passage",
    "prom": "promenade",
    "qu": "quai",
    "res": "residence",
    "st": "saint",
    "ste": "sainte",
    "pt": "pont",
    "za": "zone artisanale",
    "zi": "zone industrielle",
    "zac": "zone d amenagement concerte",
    "b p": "bp",
    "bte": "boite",
}
_CEDEX = re.compile(r"\bcedex(?:\s*\d{1,3})?\b")
_POSTCODE = re.compile(r"(?<!\d)(\d{2}) ?(\d{3})(?!\d)")
#: "… , 75012 Paris" / "… 75610 Paris Cedex 12": the postcode and commune ending a line.
_POSTCODE_COMMUNE = re.compile(r"(?:^|[\s,])(\d{2} ?\d{3})\s+([^\d,][^,]*?)\s*$")


def normalize_words(text: str) -> str:
    """Folded words, punctuation gone, abbreviations written out: "Av. de l'Hôtel-de-Ville"
    and "avenue de l hotel de ville" are the same street."""
    words = re.sub(r"[^a-z0-9]+", " ", fold(text)).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = " ".join(words[i : i + 2])
        if pair in _ABBREVIATIONS:  # "b p" (B.P.)
            out.append(_ABBREVIATIONS[pair])
            i += 2
            continue
        out.append(_ABBREVIATIONS.get(words[i], words[i]))
        i += 1
    return " ".join(out)


def normalize_commune(text: str) -> str:
    """A commune's name without CEDEX and its number: "Paris CEDEX 07" is "paris"."""
    return normalize_words(_CEDEX.sub(" ", fold(text)))


def normalize_postcode(text: str) -> str:
    match = _POSTCODE.search(text)
    return match.group(1) + match.group(2) if match else ""


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """An address reduced to what is compared: normalised street, postcode, commune."""

    street: str
    postcode: str
    commune: str

    @property
    def key(self) -> str:
        return f"{self.postcode}|{self.commune}|{self.street}"


def record_addresses(record: Mapping[str, Any]) -> list[tuple[str, PostalAddress]]:
    """The record's addresses (``adresse``: physical and postal), as written and reduced."""
    out = []
    for entry in _objects(record.get("adresse")):
        street_parts = [
            _text(entry.get(k))
            for k in ("numero_voie", "complement1", "complement2", "service_distribution")
        ]
        postcode = normalize_postcode(_text(entry.get("code_postal")))
        commune = normalize_commune(_text(entry.get("nom_commune")))
        street = normalize_words(
            _text(entry.get("numero_voie")) or _text(entry.get("service_distribution"))
        )
        if not (street and postcode):
            continue
        written = ", ".join(p for p in street_parts if p)
        written += f", {_text(entry.get('code_postal'))} {_text(entry.get('nom_commune'))}"
        out.append((written.strip(", "), PostalAddress(street, postcode, commune)))
    return out


def parse_site_address(text: str) -> PostalAddress | None:
    """A site's address string (``"<street lines>, <postcode> <commune>"``) reduced."""
    match = _POSTCODE_COMMUNE.search(text.strip())
    if not match:
        return None
    street = text[: match.start(1)].strip(" ,")
    return PostalAddress(
        normalize_words(street),
        normalize_postcode(match.group(1)),
        normalize_commune(match.group(2)),
    )


def same_address(wanted: PostalAddress, shown: PostalAddress) -> bool:
    """Same postcode and commune, and the record's street among the site's street lines
    (which may add a building name, a "CS 22305" or "BP 123" line)."""
    if wanted.postcode != shown.postcode or wanted.commune != shown.commune:
        return False
    return f" {wanted.street} " in f" {shown.street} "


def compare_address(record: Mapping[str, Any], side: SiteSide) -> FieldComparison:
    wanted = _Wanted()
    for written, reduced in record_addresses(record):
        wanted.add(written, reduced.key, reduced)
    shown = shown_addresses(side.value)
    reduced_shown = [p for p in (parse_site_address(s.value) for s in shown) if p]
    return _outcome(
        "address",
        wanted,
        side,
        shown,
        is_shown=lambda i: any(same_address(wanted.payloads[i], s) for s in reduced_shown),
        # An office may print only its postal address, or only where to find it.
        any_suffices=True,
    )


def shown_addresses(value: Any) -> list[Shown]:
    """The addresses of an ``address`` value, keyed by their reduced form."""
    shown = []
    for text in _list(value):
        if isinstance(text, str) and text.strip():
            parsed = parse_site_address(text)
            shown.append(Shown(text, parsed.key if parsed else normalize_words(text)))
    return _unique(shown)


# -- opening hours --------------------------------------------------------------------------


def _minutes(text: str) -> int | None:
    match = _HHMM.match(text or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def _day(text: Any) -> int | None:
    name = fold(_text(text)).strip()
    for index, day in enumerate(_DAYS_FR):
        if name == day or (len(name) >= 3 and day.startswith(name)):
            return index
    return None


def merge_week(days: Sequence[Iterable[tuple[int, int]]]) -> Week:
    """Each day's intervals sorted, overlapping or touching ones united."""
    week = []
    for intervals in days:
        merged: list[list[int]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        week.append(tuple((a, b) for a, b in merged))
    return tuple(week)


def record_week(plages: Any) -> Week | None:
    """The record's ``plage_ouverture`` as a week of intervals; None when it gives none.

    Each entry covers the days from ``nom_jour_debut`` to ``nom_jour_fin`` (one day when
    the latter is empty) with up to two ranges (``_1``, and ``_2`` when the office closes
    at noon); several entries add up.
    """
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    any_range = False
    for entry in _objects(plages):
        first = _day(entry.get("nom_jour_debut"))
        if first is None:
            continue
        last = _day(entry.get("nom_jour_fin"))
        last = first if last is None else last
        covered = [(first + i) % 7 for i in range((last - first) % 7 + 1)]
        for n in (1, 2):
            start = _minutes(_text(entry.get(f"valeur_heure_debut_{n}")))
            end = _minutes(_text(entry.get(f"valeur_heure_fin_{n}")))
            if start is None or end is None or end <= start:
                continue
            any_range = True
            for day in covered:
                days[day].append((start, end))
    return merge_week(days) if any_range else None


def osm_week(osm: str) -> Week:
    """An OSM ``opening_hours`` string as a week of intervals, evaluated by opening-hours-py
    over :data:`REFERENCE_WEEK`; ``ValueError`` if the library cannot read it."""
    try:
        hours = oh.OpeningHours(osm)
    except (oh.ParserError, ValueError, TypeError) as exc:
        raise ValueError(f"horaires illisibles en opening_hours : {osm!r} ({exc})") from exc
    start_of_week = REFERENCE_WEEK[0]
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for start, end, state, _comment in hours.intervals(*REFERENCE_WEEK):
        if state != oh.State.OPEN:
            continue
        # Split at midnight: "Fr 22:00-02:00" is Friday to 24:00 and Saturday from 00:00.
        while start < end:
            day = (start - start_of_week).days
            midnight = start_of_week + timedelta(days=day + 1)
            stop = min(end, midnight)
            if 0 <= day < 7:
                first = start.hour * 60 + start.minute
                last = 1440 if stop == midnight else stop.hour * 60 + stop.minute
                if last > first:
                    days[day].append((first, last))
            start = stop
    return merge_week(days)


def format_week(week: Week) -> str:
    """A week in OSM syntax, days with the same hours grouped: "Mo-Fr 08:30-12:00,13:30-17:00"."""
    rules: list[tuple[list[int], tuple[tuple[int, int], ...]]] = []
    for day, intervals in enumerate(week):
        if not intervals:
            continue
        for days, same in rules:
            if same == intervals:
                days.append(day)
                break
        else:
            rules.append(([day], intervals))
    if not rules:
        return "closed"
    parts = []
    for days, intervals in rules:
        times = ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in intervals)
        parts.append(f"{_days_spec(days)} {times}")
    return "; ".join(parts)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_spec(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        _DAYS_OSM[r[0]]
        if len(r) == 1
        else f"{_DAYS_OSM[r[0]]}-{_DAYS_OSM[r[-1]]}"
        if len(r) > 2
        else f"{_DAYS_OSM[r[0]]},{_DAYS_OSM[r[1]]}"
        for r in runs
    )


def compare_opening_hours(record: Mapping[str, Any], side: SiteSide) -> FieldComparison:
    wanted = _Wanted()
    week = record_week(record.get("plage_ouverture"))
    if week is not None:
        formatted = format_week(week)
        wanted.add(formatted, formatted)
    shown = shown_hours(side.value) if side.status == "found" else []
    unreadable = [s for s in shown if not s.key]
    if wanted.keys and unreadable:
        return FieldComparison(
            "opening_hours",
            "error",
            tuple(wanted.values),
            tuple(wanted.keys),
            tuple(unreadable),
            error="les horaires du site n'ont pas pu être lus en opening_hours "
            f"(« {unreadable[0].value} »)",
        )
    # The weeks are compared through their canonical writing (format_week of the merged
    # per-day intervals): equal strings are equal sets of intervals, day by day.
    return _outcome("opening_hours", wanted, side, shown)


def shown_hours(value: Any) -> list[Shown]:
    """The hours of an ``opening_hours`` value: its OSM string, keyed by its week written
    canonically; key ``""`` when it cannot be read (no OSM form, or one the library
    refuses)."""
    if not isinstance(value, Mapping):
        return []
    osm, raw = value.get("osm"), value.get("raw")
    if not osm:
        return [Shown(str(raw), "")] if raw else []
    try:
        return [Shown(str(osm), format_week(osm_week(str(osm))))]
    except ValueError:
        return [Shown(str(osm), "")]


#: What a site shows, field by field, from its check's value.
SHOWN: Mapping[str, Callable[[Any], list[Shown]]] = {
    "phone": shown_phones,
    "email": shown_emails,
    "address": shown_addresses,
    "opening_hours": shown_hours,
}


_COMPARERS = {
    "phone": compare_phone,
    "email": compare_email,
    "address": compare_address,
    "opening_hours": compare_opening_hours,
}


# -- helpers --------------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in _list(value) if isinstance(v, Mapping)]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _unique(shown: list[Shown]) -> list[Shown]:
    seen: set[str] = set()
    out = []
    for s in shown:
        if s.key not in seen:
            seen.add(s.key)
            out.append(s)
    return out
