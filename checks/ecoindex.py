"""``ecoindex``: the EcoIndex score (0–100) and grade (A–G) of a rendered page (engagement 9).

EcoIndex (cnumr, the GreenIT collective) rates a page from three figures, each placed
among the pages of the HTTP Archive by a table of quantiles:

* ``dom_elements``: elements of the DOM once the page is loaded and scrolled to its
  bottom, the descendants of ``<svg>`` elements not counted;
* ``requests``: the HTTP(S) responses the page received (``data:`` URLs are not requests);
* ``transfer_kb``: the bytes transferred for them (compressed, headers included: the
  DevTools ``encodedDataLength`` at ``loadingFinished``) divided by 1000, kilobytes of
  1000 bytes, not 1024.

Each figure's position in its table is interpolated linearly between the two quantiles
around it (0 to 20); the score is ``100 − 5 × (3 q_dom + 2 q_req + q_size) / 6``, rounded
with Python's ``round`` (half to even) as the reference does, so that it lies in 0–100 (a
figure beyond the table's last quantile counts as 20). Grades by score: A above 80, B
above 70, C above 55, D above 40, E above 25, F above 10, G otherwise (80 is B).

Source: the reference implementation, https://github.com/cnumr/ecoindex_python
(``ecoindex/compute/ecoindex.py``: ``get_quantile``, ``get_score``, ``get_grade``;
``ecoindex/scraper/scrap.py``: how the three figures are measured), and its data,
https://github.com/cnumr/ecoindex_reference (``ecoindex_reference.json``: quantiles and
grade thresholds). The contract's test vectors are those of the reference's tests
(``tests/compute/test_ecoindex.py``). Written here rather than depending on the
``ecoindex`` package: the computation is a few lines, and that package brings a scraper
and its browser driver along.

A site's figure is the median of its rendered pages' scores (:func:`site_median`).

Value: ``{"score", "grade", "dom_elements", "requests", "transfer_kb"}`` (score an int
0–100, grade a letter A–G, the three measured figures); a figure the browser could not
measure makes the result an error (``found`` false, ``value`` null).
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from checks.page import Page
from checks.rendered import RenderMetrics, not_measured, rendered_check
from checks.result import CheckResult, Evidence

#: Quantiles of the HTTP Archive population (ecoindex_reference.json, "quantiles").
QUANTILES_DOM: tuple[float, ...] = (
    0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603,
    674, 753, 843, 949, 1076, 1237, 1459, 1801, 2479, 594601,
)  # fmt: skip
QUANTILES_REQUESTS: tuple[float, ...] = (
    0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78,
    86, 95, 105, 117, 130, 147, 170, 205, 281, 3920,
)  # fmt: skip
QUANTILES_SIZE_KB: tuple[float, ...] = (
    0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47, 1448.32,
    1648.27, 1876.08, 2142.06, 2465.37, 2866.31, 3401.59, 4155.73, 5400.08, 8037.54,
    223212.26,
)  # fmt: skip

#: Grade thresholds (ecoindex_reference.json, "grades"): a score above the value gets
#: the grade; below every one, G.
GRADES: tuple[tuple[float, str], ...] = (
    (80, "A"),
    (70, "B"),
    (55, "C"),
    (40, "D"),
    (25, "E"),
    (10, "F"),
)


def quantile_position(quantiles: tuple[float, ...], value: float) -> float:
    """Where ``value`` lies in ``quantiles``: 0 to 20, interpolated linearly."""
    i = bisect_right(quantiles, value)  # first quantile above value
    if i >= len(quantiles):
        return float(len(quantiles) - 1)
    low, high = quantiles[i - 1], quantiles[i]
    return i - 1 + (value - low) / (high - low)


def score(dom_elements: float, requests: float, transfer_kb: float) -> int:
    """The EcoIndex score, 0 (worst) to 100 (best)."""
    if min(dom_elements, requests, transfer_kb) < 0:
        raise ValueError("EcoIndex figures cannot be negative")
    q_dom = quantile_position(QUANTILES_DOM, dom_elements)
    q_req = quantile_position(QUANTILES_REQUESTS, requests)
    q_size = quantile_position(QUANTILES_SIZE_KB, transfer_kb)
    return round(100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6)


def grade(value: float) -> str:
    """The grade A–G of a score (a site's median may be a half: 80.5 is A)."""
    for threshold, letter in GRADES:
        if value > threshold:
            return letter
    return "G"


def site_median(scores: Iterable[float]) -> dict[str, Any] | None:
    """A site's EcoIndex from its rendered pages' scores: ``{"score", "grade", "pages"}``,
    the median score (a half when the pages are even in number and the two middle scores
    differ) and its grade; None when no page was measured."""
    values = list(scores)
    if not values:
        return None
    median = statistics.median(values)
    if isinstance(median, float) and median.is_integer():
        median = int(median)
    return {"score": median, "grade": grade(median), "pages": len(values)}


@rendered_check("ecoindex")
def ecoindex(page: Page, metrics: RenderMetrics) -> CheckResult:
    """The page's EcoIndex score and grade from the browser's three figures."""
    error = not_measured(metrics, "dom_elements", "requests", "transfer_kb")
    if error is not None:
        return error
    dom, requests, size = metrics.dom_elements, metrics.requests, metrics.transfer_kb
    assert dom is not None and requests is not None and size is not None  # not_measured
    value = score(dom, requests, size)
    summary = (
        f"EcoIndex {value} ({grade(value)}) : {dom} éléments, {requests} requêtes, "
        f"{size:g} ko transférés"
    )
    return CheckResult(
        found=True,
        value={
            "score": value,
            "grade": grade(value),
            "dom_elements": dom,
            "requests": requests,
            "transfer_kb": size,
        },
        evidence=(Evidence(page.url, None, summary),),
    )
