"""What the browser measures on a rendered page, for the checks that need a rendering.

Three checks of the contract cannot be judged on static HTML: ``mobile_ready`` (no
horizontal scroll at 320 CSS px), ``ecoindex`` (DOM size, requests and bytes as the
browser saw them) and ``plain_language`` (the text a person reads once scripts have run).
The audit phase renders a sample of each site's pages; for each of them the browser code
(``crawler/audit.py``) fills a :class:`RenderMetrics`, and the rendered checks are pure
functions of the rendered page (a :class:`~checks.page.Page` of the DOM as rendered) and
these figures, like every other check: no browser, no I/O here, so they are tested with
plain numbers.

A rendered check is registered with ``@rendered_check("<id>")`` in ``checks/<id>.py`` and
runs only on rendered pages: on a site none of whose pages could be rendered it is "not
measured", never "absent". A figure it needs that the browser could not measure makes its
result an ``error`` (:func:`not_measured`), never ``found: false``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from checks.catalog import BY_ID
from checks.result import CheckResult

if TYPE_CHECKING:
    from checks.page import Page

#: The rendered checks, in the contract's order (engagement 4, 9, 7). They are not in
#: ``checks.CHECK_IDS``, which lists the static checks run on every page.
RENDERED_CHECK_IDS: tuple[str, ...] = ("mobile_ready", "ecoindex", "plain_language")

#: Which engagement each rendered check serves (CHECKS.md, "Engagements 1, 4, 6, 7, 9").
#: Their engagements, from the catalog (:mod:`checks.catalog`, the one source).
RENDERED_ENGAGEMENT: dict[str, int] = {
    check_id: BY_ID[check_id].engagement for check_id in RENDERED_CHECK_IDS
}


@dataclass(frozen=True, slots=True)
class RenderMetrics:
    """Figures read in the browser once the page is loaded (``None``: not measured).

    ``dom_elements``: elements of the rendered DOM, ``svg`` descendants not counted (the
    EcoIndex definition). ``requests`` and ``transfer_kb``: every request the page made and
    the kilobytes transferred, counted as EcoIndex's reference implementation counts them
    (``checks/ecoindex.py`` says how). ``scroll_width_320``: the document's scroll width
    (``document.documentElement.scrollWidth``) with the browser window 320 CSS px wide
    (greater than 320: horizontal scrolling).

    The page's ``<meta name="viewport">`` is not a figure: ``mobile_ready`` reads it from
    the rendered page itself, where "no such element" and "not measured" cannot be mixed up.
    """

    dom_elements: int | None = None
    requests: int | None = None
    transfer_kb: float | None = None
    scroll_width_320: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: The figures in the words of the reports, for error messages.
METRIC_NAMES: dict[str, str] = {
    "dom_elements": "nombre d'éléments du DOM",
    "requests": "nombre de requêtes",
    "transfer_kb": "poids transféré",
    "scroll_width_320": "largeur de défilement à 320 px",
}


def not_measured(metrics: RenderMetrics, *names: str) -> CheckResult | None:
    """An ``error`` result naming the figures among ``names`` the browser did not measure
    (or measured as a negative number), or None when all of them are there."""
    missing = [
        METRIC_NAMES[name]
        for name in names
        if getattr(metrics, name) is None or getattr(metrics, name) < 0
    ]
    if not missing:
        return None
    return CheckResult(found=False, error=f"mesure absente ou invalide : {', '.join(missing)}")


RenderedCheckFn = Callable[["Page", RenderMetrics], CheckResult]

RENDERED_REGISTRY: dict[str, RenderedCheckFn] = {}


def rendered_check(check_id: str) -> Callable[[RenderedCheckFn], RenderedCheckFn]:
    """Register a rendered check under ``check_id`` (one of :data:`RENDERED_CHECK_IDS`)."""

    def register(fn: RenderedCheckFn) -> RenderedCheckFn:
        if check_id not in RENDERED_CHECK_IDS:
            raise ValueError(f"unknown rendered check id: {check_id}")
        if check_id in RENDERED_REGISTRY:
            raise ValueError(f"rendered check id registered twice: {check_id}")
        RENDERED_REGISTRY[check_id] = fn
        return fn

    return register


def run_rendered_checks(
    page: Page, metrics: RenderMetrics, ids: tuple[str, ...] = RENDERED_CHECK_IDS
) -> dict[str, CheckResult]:
    """Run the rendered checks ``ids``; an exception becomes that check's ``error``, as in
    ``checks.run_checks``."""
    results: dict[str, CheckResult] = {}
    for check_id in ids:
        try:
            results[check_id] = RENDERED_REGISTRY[check_id](page, metrics)
        except Exception as exc:  # reported as the check's error, never swallowed
            results[check_id] = CheckResult(found=False, error=f"{type(exc).__name__}: {exc}")
    return results
