"""``opening_hours``: opening hours for the public (CHECKS.md, engagement 2).

Hours are days *with* times: "du lundi au vendredi de 8h30 à 12h et de 13h30 à 17h",
"Lun 14h–17h30 · Ven 8h30–11h30", "le mardi : 9h - 12h", a table "Lundi | 8h30 - 12h00",
or times first, "de 08h30 à 17h30 du lundi au vendredi". The text is cut into tokens
(day expressions and time ranges) and each day expression takes the time ranges that
follow it closely; a day with no time ("Mer sur RDV", "Samedi : fermé") gives nothing.

What does not count:

* a day followed by a date ("le lundi 29 avril 2024 de 14h à 17h") is an event;
* hours in labour-law text ("horaires de travail", "durée du travail", "salarié") are
  working hours, not a desk's opening hours;
* a "Horaires" link or heading with no times;
* hours quoted for another body: the standard accessibility-declaration text gives the
  Défenseur des droits' phone hours ("Composer le 09 69 39 00 00 (du lundi au vendredi de
  8h à 20h)"). They are that body's (:func:`checks.mediator.quoted_for_defenseur` says
  which), kept apart in ``value["defenseur_des_droits"]`` as ``mediator`` keeps its links,
  and never make ``opening_hours`` found for the site.

The value is OpenStreetMap ``opening_hours`` syntax plus the raw text. The OSM string is
checked with the ``opening-hours-py`` library, never trusted from our own building: if it
does not validate, the raw text is kept with ``osm: None`` (the hours are still shown).
schema.org ``openingHours`` / ``openingHoursSpecification`` count too.

Every reading of the page — each sentence or table row, each schema.org rule — is merged
into one weekly schedule, each day's ranges united (a page that gives the desk's hours and
the phone line's means both, and in OSM a later ``;`` rule would *replace* the earlier
hours of its days), then written with the days of the same hours grouped (``Mo,Tu,Th
08:45-12:00,13:30-16:00; We,Fr 08:45-12:00``). A schema.org value in any other OSM form is
appended as written, as an additional rule (``, ``).

Value: ``{"osm", "raw", "defenseur_des_droits"}``: one OSM string for the page (null when
opening-hours-py rejects it), the distinct matched texts joined by ``" · "``, and the
Défenseur des droits' quoted hours as ``{"osm", "raw"}`` (null when the page quotes none);
with only the Défenseur's hours, ``osm`` and ``raw`` are null and ``found`` false; else
``None`` (and on error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import opening_hours as oh

from checks._contact import SchemaNode, digit_runs, schema_nodes
from checks.mediator import quoted_for_defenseur
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

_DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_INDEX = {name: i for i, name in enumerate(_DAY_NAMES)} | {
    name[:3]: i for i, name in enumerate(_DAY_NAMES)
}
#: The days an OSM rule from schema.org ``openingHours`` starts with ("Mo-Fr", "Mo,We,Fr").
_OSM_DAY_SPEC = re.compile(r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?")
_SCHEMA_DAYS = {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
} | {osm.lower(): i for i, osm in enumerate(_OSM_DAYS)}

# All patterns run on folded text (case-folded, accents stripped: "à" is "a").
_DAY = re.compile(
    r"(?<![a-z])(?P<day>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"lun|mar|mer|jeu|ven|sam|dim)(?:s(?![a-z])|\.|(?![a-z]))"
)
_EVERY_DAY = re.compile(r"(?<![a-z])(?:tous les jours|7 ?j ?/ ?7|7 jours sur 7)(?![a-z])")
_TIME = (
    r"(?:(?P<{0}h>[01]?\d|2[0-4]) ?(?:h|:|heures?) ?(?P<{0}m>[0-5]\d)?(?!\d)"
    r"|(?P<{0}w>midi|minuit))"
)
# Matched at the digit runs of the page (``digit_runs``), never scanned over the whole text.
_RANGE = re.compile(
    _TIME.format("a") + r" ?(?:a|-|–|—|/|>|jusqu.a) ?" + _TIME.format("b") + r"(?![a-z\d])"
)
_DAY_RANGE_JOIN = re.compile(r"^ ?(?:au|a|-|–|—|>|jusqu.au) ?$")
_DAY_LIST_JOIN = re.compile(r"^ ?(?:,|et|/|&|\+) ?$")
# "lundi 29 avril", "mardi 12/03", "le mercredi 1er mai": a date, hence an event.
_DATE_AFTER = re.compile(  # used with .match(text, pos): no "^", which would mean offset 0
    r" ?(?:\d{1,2}(?:er)? ?(?:janv|fevr|mars|avr|mai|juin|juil|aout|sept|oct|nov|dec)"
    r"|\d{1,2} ?[/.] ?\d{1,2}|1er)"
)
_LABOUR = re.compile(
    r"horaires? de travail|duree (?:du|de|legale du) travail|temps de travail|"
    r"heures supplementaires|salarie|employeur|travail de nuit|repos (?:quotidien|"
    r"hebdomadaire)|temps partiel|code du travail"
)
_NEGATIONS = ("ferm", "sauf", "except", "hors ")
_MAX_GAP = 30  # characters between a day and its first time range (or between ranges)
_LABOUR_CONTEXT = 250
_DAY_WINDOW = 90  # characters around a time range where its days are looked for


@dataclass(slots=True)
class _Group:
    """Days and the time ranges that go with them, with their span in the text."""

    days: frozenset[int] = frozenset()
    ranges: list[tuple[int, int]] = field(default_factory=list)  # minutes, opening-closing
    start: int = 0
    end: int = 0


def _hhmm(hour: str | None, minute: str | None, word: str | None) -> tuple[int, int] | None:
    if word:
        return (12, 0) if word == "midi" else (24, 0)
    if hour is None:
        return None
    h, m = int(hour), int(minute or 0)
    if h > 24 or (h == 24 and m):
        return None
    return h, m


def _range(m: re.Match[str]) -> tuple[int, int] | None:
    """``(510, 720)`` (minutes) for "8h30 à 12h", or None if it is not a sensible range."""
    a = _hhmm(m.group("ah"), m.group("am"), m.group("aw"))
    b = _hhmm(m.group("bh"), m.group("bm"), m.group("bw"))
    if a is None or b is None or b <= a:
        return None
    # "12/14" or "3-4" are not times: one side at least must say h/:/heures.
    if "h" not in m.group() and ":" not in m.group() and "midi" not in m.group():
        return None
    return a[0] * 60 + a[1], b[0] * 60 + b[1]


def _time_ranges(
    folded: str, runs: list[tuple[int, int]]
) -> list[tuple[int, int, tuple[int, int]]]:
    """Time ranges ("8h30 à 12h", "14h–17h30", "9:00-12:00"), tried at each 1-2 digit run."""
    ranges: list[tuple[int, int, tuple[int, int]]] = []
    last = 0
    for start, end in runs:
        if start < last or end - start > 2 or (start and folded[start - 1] in ":.,/"):
            continue
        m = _RANGE.match(folded, start)
        value = _range(m) if m is not None else None
        if m is not None and value is not None:
            ranges.append((start, m.end(), value))
            last = m.end()
    return ranges


def _day_expressions(folded: str, lo: int, hi: int) -> list[tuple[int, int, str, object]]:
    """Day expressions of ``folded[lo:hi]``: "lundi au vendredi", "lun-ven", "lundi, mardi
    et jeudi", "tous les jours", as ``(start, end, "days", (members, ranged))``.
    """
    days: list[tuple[int, int, int]] = []
    for m in _DAY.finditer(folded, lo, hi):
        if _DATE_AFTER.match(folded, m.end()):
            continue  # a date: an event, not opening hours
        days.append((m.start(), m.end(), _DAY_INDEX[m.group("day")]))
    tokens: list[tuple[int, int, str, object]] = []
    i = 0
    while i < len(days):
        start, end, first = days[i]
        members, ranged = [first], False
        while i + 1 < len(days):
            gap = folded[end : days[i + 1][0]]
            if ranged:
                break  # "lundi au samedi" is complete: what follows is another expression
            if _DAY_RANGE_JOIN.match(gap) and len(members) == 1:
                ranged = True
            elif not _DAY_LIST_JOIN.match(gap):
                break
            i += 1
            end = days[i][1]
            members.append(days[i][2])
        tokens.append((start, end, "days", (members, ranged)))
        i += 1
    for m in _EVERY_DAY.finditer(folded, lo, hi):
        tokens.append((m.start(), m.end(), "days", ([0, 6], True)))
    return tokens


def _tokens(folded: str, runs: list[tuple[int, int]]) -> list[tuple[int, int, str, object]]:
    """Time ranges and the day expressions near them, in order: (start, end, kind, data).

    Days are only looked for around time ranges: a day with no time is not opening hours,
    and scanning a long page for day names costs more than all the rest.
    """
    ranges = _time_ranges(folded, runs)
    if not ranges:
        return []
    tokens: list[tuple[int, int, str, object]] = [(s, e, "range", v) for s, e, v in ranges]
    windows: list[list[int]] = []
    for start, end, _ in ranges:
        lo, hi = max(0, start - _DAY_WINDOW), min(len(folded), end + _DAY_WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    for lo, hi in windows:
        tokens.extend(_day_expressions(folded, lo, hi))
    tokens.sort(key=lambda t: t[0])
    return tokens


def _close(gap: str) -> bool:
    """Two tokens belong together if the text between them is short, has no digit and does
    not say the opposite ("de 9h à 12h, fermé le lundi", "sauf le samedi").
    """
    return (
        len(gap) <= _MAX_GAP
        and not any(c.isdigit() for c in gap)
        and not any(word in gap for word in _NEGATIONS)
    )


def _groups(folded: str, runs: list[tuple[int, int]]) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    pending: list[tuple[int, int, tuple[int, int]]] = []  # ranges before any day ("de 8h…")
    for start, end, kind, data in _tokens(folded, runs):
        if kind == "days":
            members, ranged = data  # type: ignore[misc]
            if current is not None and current.ranges:
                groups.append(current)
            days = _days_between(*members) if ranged else frozenset(members)
            current = _Group(days, [], start, end)
            if pending and _close(folded[pending[-1][1] : start]):
                current.ranges = [r for _, _, r in pending]
                current.start = pending[0][0]
                groups.append(current)
                current = None
            pending = []
            continue
        value: tuple[int, int] = data  # type: ignore[assignment]
        if current is not None:
            last = current.end
            if _close(folded[last:start]):
                current.ranges.append(value)
                current.end = end
                continue
            if current.ranges:
                groups.append(current)
            current = None
        if pending and not _close(folded[pending[-1][1] : start]):
            pending = []
        pending.append((start, end, value))
    if current is not None and current.ranges:
        groups.append(current)
    return groups


#: A reading of the hours: the days and their opening ranges in minutes ((510, 720) is
#: 08:30-12:00), merged with the other readings of the page into one weekly schedule.
_Rule = tuple[frozenset[int], tuple[tuple[int, int], ...]]
_HHMM = re.compile(r"([01]?\d|2[0-4]):([0-5]\d)")
#: A schema.org ``openingHours`` value of the plain form: days, then time ranges.
_OSM_RULE = re.compile(
    rf"({_OSM_DAY_SPEC.pattern}(?:,{_OSM_DAY_SPEC.pattern})*) +"
    r"(\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)"
)


def _days_between(first: int, last: int) -> frozenset[int]:
    """The days of "lundi au vendredi" (and of "samedi au lundi", across the week's end)."""
    return frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))


def _minutes(hhmm: str) -> int | None:
    m = _HHMM.fullmatch(hhmm)
    minutes = int(m.group(1)) * 60 + int(m.group(2)) if m else None
    return minutes if minutes is not None and minutes <= 24 * 60 else None


def _span(opens: str, closes: str) -> tuple[int, int] | None:
    a, b = _minutes(opens), _minutes(closes)
    return (a, b) if a is not None and b is not None and a < b else None


def _osm_rule(value: str) -> _Rule | None:
    """``Mo-Fr,Su 08:00-12:00,14:00-17:00`` as a reading; None for any other OSM form."""
    m = _OSM_RULE.fullmatch(value)
    if m is None:
        return None
    days: set[int] = set()
    for spec in m.group(1).split(","):
        ends = [_OSM_DAYS.index(d) for d in spec.split("-")]
        days |= _days_between(ends[0], ends[-1])
    spans = [_span(*r.split("-")) for r in m.group(2).split(",")]
    if None in spans:
        return None
    return frozenset(days), tuple(spans)  # type: ignore[arg-type]


def _schedule(rules: list[_Rule]) -> list[list[tuple[int, int]]]:
    """Each weekday's opening ranges: the union of every reading, overlaps merged.

    A page often gives the same hours twice (a table and a sentence, the text and its
    schema.org data) or two sets of hours (the desk's and the phone line's): the public
    can come in whenever one of them says it is open.
    """
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for days, spans in rules:
        for day in days:
            week[day].extend(spans)
    for day, spans in enumerate(week):
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        week[day] = merged
    return week


def _covered(rule: _Rule, week: list[list[tuple[int, int]]]) -> bool:
    """Whether ``week`` already holds every range of ``rule`` on every one of its days."""
    days, spans = rule
    return all(
        any(lo <= start and end <= hi for lo, hi in week[day])
        for day in days
        for start, end in spans
    )


def _osm(week: list[list[tuple[int, int]]]) -> str:
    """The schedule in OpenStreetMap syntax: days with the same hours grouped, in week
    order, three or more consecutive days as a range (``Mo,Tu,Th 08:45-12:00; We,Fr …``).
    """
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for day, spans in enumerate(week):
        if spans:
            groups.setdefault(tuple(spans), []).append(day)
    rules = []
    for spans, days in groups.items():
        times = ",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in spans)
        rules.append(f"{_days_spec(days)} {times}")
    return "; ".join(rules)


def _days_spec(days: list[int]) -> str:
    """``Mo-Fr``, ``Mo,Tu,Th``, ``Mo-We,Fr``: runs of three days or more as ranges."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_OSM_DAYS[run[0]]}-{_OSM_DAYS[run[-1]]}")
        else:
            parts.extend(_OSM_DAYS[d] for d in run)
    return ",".join(parts)


def _validated(osm: str) -> str | None:
    """``osm`` if opening-hours-py accepts it, else None (the raw text is kept anyway)."""
    try:
        oh.OpeningHours(osm)
    except oh.ParserError:
        return None  # our reading is not valid OSM: report the raw text only
    return osm


@dataclass(slots=True)
class _Readings:
    """The readings of one owner's hours: rules, their raw texts, their evidence."""

    rules: list[_Rule] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def _from_text(page: Page) -> tuple[_Readings, _Readings]:
    """The site's own readings, and those quoted for the Défenseur des droits."""
    folded = page.folded
    own, quoted = _Readings(), _Readings()
    for group in _groups(folded, digit_runs(page)):
        context = folded[max(0, group.start - _LABOUR_CONTEXT) : group.end + 60]
        if _LABOUR.search(context):
            continue  # working hours in labour-law text
        readings = quoted if quoted_for_defenseur(page, group.start, group.end) else own
        rule = (group.days, tuple(group.ranges))
        if rule in readings.rules:
            continue  # the same hours again (a footer repeating them)
        readings.rules.append(rule)
        readings.raws.append(" ".join(page.text[group.start : group.end].split()))
        readings.evidence.append(page.text_evidence(group.start, group.end))
    return own, quoted


def _spec_rule(node: SchemaNode) -> _Rule | str | None:
    """A reading of an ``OpeningHoursSpecification`` node (the OSM text if its times are
    not ``HH:MM``), or None when it lacks days or times."""
    days = []
    for value in node.texts("dayOfWeek"):
        key = re.split(r"[/#:]", value.strip())[-1].lower()
        if key in _SCHEMA_DAYS:
            days.append(_SCHEMA_DAYS[key])
    opens, closes = node.texts("opens"), node.texts("closes")
    if not days or not opens or not closes:
        return None
    span = _span(opens[0].strip()[:5], closes[0].strip()[:5])
    if span is None:
        return f"{_days_spec(sorted(set(days)))} {opens[0][:5]}-{closes[0][:5]}"
    return frozenset(days), (span,)


def _opening_hours_rules(value: str) -> list[tuple[_Rule | str, str]]:
    """A schema.org ``openingHours`` value as readings, each with its raw text.

    Sites often write several rules in one value, OSM-style ("Mo-Fr 09:00-12:00; Sa
    09:00-12:00", "Mo-Fr 09:00-16:30; Mo-Fr 08:30-16:30"): each plain rule is its own
    reading, merged into the week like the others, so that a later rule adds to the
    earlier ones instead of replacing them. A value with any part in another OSM form is
    kept whole, as written.
    """
    parts = [part.strip() for part in value.split(";") if part.strip()]
    rules = [_osm_rule(part) for part in parts]
    if parts and all(rule is not None for rule in rules):
        return [(rule, part) for rule, part in zip(rules, parts, strict=True)]  # type: ignore[misc]
    return [(value, value)]


def _from_structured(page: Page) -> tuple[list[_Rule | str], list[str], list[Evidence]]:
    """Readings of schema.org data: plain rules, or OSM text kept as written (``str``)."""
    rules: list[_Rule | str] = []
    raws: list[str] = []
    evidence: list[Evidence] = []
    for node in schema_nodes(page):
        candidates: list[tuple[_Rule | str | None, str]] = []
        for value in node.texts("openingHours"):
            candidates.extend(_opening_hours_rules(value.strip()))
        for spec in node.nodes("openingHoursSpecification"):
            rule = _spec_rule(spec)
            if rule is not None:
                candidates.append(
                    (rule, rule if isinstance(rule, str) else _osm(_schedule([rule])))
                )
        for rule, raw in candidates:
            if rule and rule not in rules:
                rules.append(rule)
                raws.append(raw)
                evidence.append(page.structured_evidence(f"{node.label} openingHours: {raw}"))
    return rules, raws, evidence


@check("opening_hours")
def opening_hours(page: Page) -> CheckResult:
    """Days with times for the public, as OSM ``opening_hours`` (validated) and raw text."""
    own, quoted = _from_text(page)
    rules, raws, evidence = own.rules, own.raws, own.evidence
    s_rules, s_raws, s_evidence = _from_structured(page)
    other: list[str] = []  # OSM text from schema.org that is not a plain days-and-times rule
    for rule, raw in zip(s_rules, s_raws, strict=True):
        if isinstance(rule, str):
            other.append(rule)
        elif not _covered(rule, _schedule(rules)):  # hours the text gave are not said twice
            rules.append(rule)
        else:
            continue
        raws.append(raw)
    evidence += s_evidence
    defenseur = None
    if quoted.rules:
        defenseur = {
            "osm": _validated(_osm(_schedule(quoted.rules))),
            "raw": " · ".join(dict.fromkeys(quoted.raws)),
        }
    if not rules and not other:
        if defenseur is None:
            return CheckResult(found=False)
        value = {"osm": None, "raw": None, "defenseur_des_droits": defenseur}
        return CheckResult(found=False, value=value, evidence=tuple(quoted.evidence))
    osm = ", ".join(filter(None, [_osm(_schedule(rules)), *other]))
    return CheckResult(
        found=True,
        value={
            "osm": _validated(osm),
            "raw": " · ".join(dict.fromkeys(raws)),
            "defenseur_des_droits": defenseur,
        },
        evidence=tuple(evidence),
    )
