"""What changed for one site between two runs: findings that appeared, findings fixed.

A web team wants two short lists, not a diff of JSON: the problems that are new since the
previous run of the site, and the ones that are gone. A "problem" is a check that is not
met — ``absent`` for most checks, ``found`` for those whose finding is a fault
(``premium_phone``). A check that could not run (``error``) on either side is neither new
nor fixed: it is listed apart as "not comparable", so a site that was down last time does
not look fully repaired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reports.advice import advice_for


@dataclass(frozen=True, slots=True)
class Change:
    check_id: str
    label: str
    before: str | None
    after: str | None


@dataclass(slots=True)
class SiteChanges:
    """The comparison with the previous run that contains the same site.

    ``previous`` is that run (``None``: first run of the site). ``previous_unreachable``:
    the site could not be crawled then, so nothing is compared check by check.
    """

    previous: dict[str, Any] | None = None
    previous_unreachable: bool = False
    appeared: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    not_comparable: list[Change] = field(default_factory=list)
    criteria_appeared: list[dict[str, Any]] = field(default_factory=list)
    criteria_fixed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(
            self.appeared
            or self.fixed
            or self.not_comparable
            or self.criteria_appeared
            or self.criteria_fixed
        )


def is_problem(check_id: str, status: str | None) -> bool | None:
    """Whether ``status`` means the check is not met; ``None`` when unknown or in error."""
    if status not in ("found", "absent"):
        return None
    advice = advice_for(check_id)
    if advice.indicator:
        return None
    return (status == "found") if advice.problem_when_found else (status == "absent")


def diff_statuses(
    before: Mapping[str, str],
    after: Mapping[str, str],
    order: Iterable[str],
) -> tuple[list[Change], list[Change], list[Change]]:
    """(appeared, fixed, not comparable) between two ``check_id → status`` maps.

    ``order`` gives the listing order (the check order of the reports); a check present on
    one side only is a new or retired check, not a change of the site.
    """
    appeared, fixed, unknown = [], [], []
    for check_id in order:
        if check_id not in before or check_id not in after:
            continue
        old, new = before[check_id], after[check_id]
        if old == new:
            continue
        change = Change(check_id, advice_for(check_id).label, old, new)
        was, now = is_problem(check_id, old), is_problem(check_id, new)
        if was is None or now is None:
            if "error" in (old, new):
                unknown.append(change)
            continue
        if now and not was:
            appeared.append(change)
        elif was and not now:
            fixed.append(change)
    return appeared, fixed, unknown


def diff_criteria(
    before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """RGAA criteria newly violated, and no longer violated (by criterion number)."""
    old = {c["criterion"]: dict(c) for c in before}
    new = {c["criterion"]: dict(c) for c in after}
    appeared = [new[k] for k in new if k not in old]
    fixed = [old[k] for k in old if k not in new]
    return appeared, fixed


def compare(
    previous_run: dict[str, Any] | None,
    before: Mapping[str, str] | None,
    after: Mapping[str, str],
    order: Iterable[str],
    criteria_before: list[dict[str, Any]] | None = None,
    criteria_after: list[dict[str, Any]] | None = None,
) -> SiteChanges:
    """The :class:`SiteChanges` of one site (see the module docstring)."""
    result = SiteChanges(previous=previous_run)
    if previous_run is None or before is None:
        return result
    if before and all(s == "error" for s in before.values()):
        result.previous_unreachable = True
        return result
    result.appeared, result.fixed, result.not_comparable = diff_statuses(before, after, order)
    if criteria_before is not None and criteria_after is not None:
        result.criteria_appeared, result.criteria_fixed = diff_criteria(
            criteria_before, criteria_after
        )
    return result
