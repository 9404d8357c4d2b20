"""Are we getting better? Coverage and check shares across runs, overall and by group.

Computed from counts the store groups in SQL (:meth:`crawler.store.Reads.status_patterns`,
:meth:`~crawler.store.Reads.check_counts`): a run of 10,000 sites is a few hundred
patterns of statuses, never 10,000 rows in memory, however many runs are stored. Each
pattern's coverage is computed by :func:`checks.site.engagement_coverage`, the one
definition the findings table uses, so the trend's last point is the overview's figure
(``tests/test_report_trends.py`` compares them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checks import CHECK_IDS
from checks.site import COVERED_CHECKS, engagement_coverage

#: The check whose value decides coverage (a placeholder accessibility mention).
VALUE_CHECK = "a11y_mention"
#: Checks read in each pattern, in a fixed order.
PATTERN_CHECKS: tuple[str, ...] = tuple(c for c in CHECK_IDS if c in COVERED_CHECKS)
#: A share at or above this is "every counted element found" (floating point).
FULL = 0.999


@dataclass(slots=True)
class Point:
    """One run's coverage for one group of sites (or the whole list)."""

    run_id: int
    label: str | None
    started_at: datetime | None
    sites: int = 0
    explored: int = 0
    #: Sites whose coverage is known, per engagement (explored, at least one check ran).
    measured: dict[int, int] = field(default_factory=lambda: {2: 0, 3: 0})
    sums: dict[int, float] = field(default_factory=lambda: {2: 0.0, 3: 0.0})
    full: dict[int, int] = field(default_factory=lambda: {2: 0, 3: 0})

    def mean(self, engagement: int) -> float | None:
        n = self.measured[engagement]
        return self.sums[engagement] / n if n else None

    @property
    def engagement_2(self) -> float | None:
        return self.mean(2)

    @property
    def engagement_3(self) -> float | None:
        return self.mean(3)


@dataclass(slots=True)
class CheckPoint:
    """One run's counts for one check: sites where found, absent, in error, not applicable."""

    run_id: int
    label: str | None
    started_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> int:
        return self.counts.get("found", 0)

    @property
    def measured(self) -> int:
        return self.found + self.counts.get("absent", 0)

    @property
    def share(self) -> float | None:
        return self.found / self.measured if self.measured else None


@dataclass(slots=True)
class Trends:
    """Every trend of a report, runs in order (the report's run last)."""

    runs: list[dict[str, Any]]
    overall: list[Point]
    #: dimension → group value → one point per run (a group absent from a run has an
    #: empty point: 0 sites).
    by_group: dict[str, dict[str, list[Point]]]
    by_check: dict[str, list[CheckPoint]]


def _value(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _ratios(pattern: dict[str, Any], memo: dict[tuple[Any, ...], dict[int, float | None]]):
    """Engagement 2 and 3 coverage of a pattern of statuses (the same for every site that
    shares it; patterns repeat across runs and groups, hence ``memo``)."""
    key = (
        tuple(pattern["statuses"].values()),
        pattern["value"],
        pattern["no_critical"],
        pattern.get("ran", True),
    )
    known = memo.get(key)
    if known is None:
        statuses = {c: s or "error" for c, s in pattern["statuses"].items()}
        if not pattern.get("ran", True):
            statuses = dict.fromkeys(statuses, "error")  # no check could run: not measured
        value = _value(pattern["value"])
        known = memo[key] = {
            n: engagement_coverage(n, statuses, value, pattern["no_critical"]).ratio for n in (2, 3)
        }
    return known


def _add(point: Point, pattern: dict[str, Any], ratios: dict[int, float | None]) -> None:
    sites = pattern["sites"]
    point.sites += sites
    if pattern["site_status"] != "ok":
        return
    point.explored += sites
    for n in (2, 3):
        ratio = ratios[n]
        if ratio is None:
            continue
        point.measured[n] += sites
        point.sums[n] += ratio * sites
        point.full[n] += sites if ratio >= FULL else 0


def _points(runs: Sequence[dict[str, Any]]) -> list[Point]:
    return [Point(r["id"], r["label"], r["started_at"]) for r in runs]


def compute(store: Any, run_id: int, dimensions: Iterable[str] = ()) -> Trends:
    """The trends of every finished run up to ``run_id``, overall, by ``type`` and by each
    of ``dimensions`` (extra columns of the seed list)."""
    runs = [r for r in store.list_runs() if r["id"] <= run_id and r["status"] == "finished"]
    ids = [r["id"] for r in runs]
    index = {r["id"]: i for i, r in enumerate(runs)}
    overall = _points(runs)
    dims = ("type", *dimensions)
    groups: dict[str, dict[str, list[Point]]] = {d: {} for d in dims}
    memo: dict[tuple[Any, ...], dict[int, float | None]] = {}
    for pattern in store.status_patterns(ids, PATTERN_CHECKS, VALUE_CHECK, dims):
        i = index[pattern["run_id"]]
        ratios = _ratios(pattern, memo)
        _add(overall[i], pattern, ratios)
        for dimension, value in pattern["groups"].items():
            points = groups[dimension].get(value or "")
            if points is None:
                points = groups[dimension][value or ""] = _points(runs)
            _add(points[i], pattern, ratios)
    by_group = {d: dict(sorted(g.items())) for d, g in groups.items()}
    by_check: dict[str, list[CheckPoint]] = {}
    for row in store.check_counts(ids):
        points = by_check.setdefault(
            row["check_id"], [CheckPoint(r["id"], r["label"], r["started_at"]) for r in runs]
        )
        counts = points[index[row["run_id"]]].counts
        counts[row["status"]] = counts.get(row["status"], 0) + row["sites"]
    return Trends(runs, overall, by_group, by_check)
