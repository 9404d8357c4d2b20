"""``mobile_ready``: the page is made for small screens (CHECKS.md, engagement 4).

Found when both hold on the rendered page:

* its ``<meta name="viewport">`` sets ``width=device-width``: without it a phone lays the
  page out some 980 px wide and shrinks it. The ``content`` is read as browsers read it:
  ``key=value`` pairs separated by commas or semicolons, spaces around them ignored, keys
  and ``device-width`` in any case, quotes around a value tolerated; when a page has
  several such metas the last one counts (it overrides the others);
* nothing scrolls sideways at 320 CSS px, the narrowest common phone width (WCAG 1.4.10
  "Reflow" uses the same 320): the document's scroll width measured by the browser with
  a 320 px wide window is at most 320 px, with a tolerance of :data:`TOLERANCE_PX` px
  because layouts in fractions of a pixel are rounded when the width is reported.

The scroll width can only come from a browser (:class:`~checks.rendered.RenderMetrics`):
not measured, the result is an error, never "absent".

Value: ``{"viewport", "device_width", "scroll_width_320", "horizontal_scroll"}``: the
meta's ``content`` (null without one), whether it sets ``width=device-width``, the scroll
width at 320 px and whether it exceeds 320 + the tolerance; null on error.
"""

from __future__ import annotations

import re
from typing import Any

from checks.page import Page
from checks.rendered import RenderMetrics, not_measured, rendered_check
from checks.result import CheckResult, Evidence

#: The narrow width the page must fit (CSS px), and the rounding tolerated above it.
WIDTH_PX = 320
TOLERANCE_PX = 1

_PAIR_SEPARATOR = re.compile(r"[,;]")


def viewport_meta(page: Page) -> Any | None:
    """The page's last ``<meta name="viewport">`` element (name in any case), or None."""
    found = None
    for meta in page.root.iter("meta"):
        if (meta.get("name") or "").strip().lower() == "viewport":
            found = meta
    return found


def viewport_settings(content: str) -> dict[str, str]:
    """``"width=device-width, initial-scale=1"`` → ``{"width": "device-width", …}``,
    keys lower-cased, values stripped of spaces and quotes; a later key overrides."""
    settings: dict[str, str] = {}
    for pair in _PAIR_SEPARATOR.split(content):
        key, equals, value = pair.partition("=")
        key = key.strip().lower()
        if key and equals:
            settings[key] = value.strip().strip("'\"").strip()
    return settings


def sets_device_width(content: str | None) -> bool:
    """Whether a viewport ``content`` sets ``width=device-width``."""
    if content is None:
        return False
    return viewport_settings(content).get("width", "").lower() == "device-width"


@rendered_check("mobile_ready")
def mobile_ready(page: Page, metrics: RenderMetrics) -> CheckResult:
    """``width=device-width`` in the viewport meta and no horizontal scroll at 320 px."""
    error = not_measured(metrics, "scroll_width_320")
    if error is not None:
        return error
    scroll_width = metrics.scroll_width_320
    assert scroll_width is not None  # not_measured said so
    meta = viewport_meta(page)
    content = None if meta is None else meta.get("content", "")
    device_width = sets_device_width(content)
    horizontal_scroll = scroll_width > WIDTH_PX + TOLERANCE_PX
    evidence = [
        Evidence(
            page.url,
            None,
            f"Largeur de défilement à {WIDTH_PX} px : {scroll_width} px"
            + (" (défilement horizontal)" if horizontal_scroll else ""),
        )
    ]
    if meta is not None:
        evidence.insert(0, page.element_evidence(meta))
    return CheckResult(
        found=device_width and not horizontal_scroll,
        value={
            "viewport": content,
            "device_width": device_width,
            "scroll_width_320": scroll_width,
            "horizontal_scroll": horizontal_scroll,
        },
        evidence=tuple(evidence),
    )
