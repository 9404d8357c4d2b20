"""What the browser measures on a rendered page, for the checks that need a rendering.

Three checks of the contract cannot be judged on static HTML: ``mobile_ready`` (no
horizontal scroll at 320 CSS px), ``ecoindex`` (DOM size, requests and bytes as the
browser saw them) and ``plain_language`` (the text a person reads once scripts have run).
The audit phase renders a sample of each site's pages; for each of them the browser code
(``crawler/audit.py``) fills a :class:`RenderMetrics`, and the rendered checks are pure
functions of the rendered page and these figures, like every other check: no browser, no
I/O here, so they are tested with plain numbers.

A rendered check is registered with ``@rendered_check("<id>")`` in ``checks/<id>.py`` and
runs only on rendered pages: on a site none of whose pages could be rendered it is "not
measured", never "absent".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.page import Page
    from checks.result import CheckResult

#: The rendered checks, in the contract's order (engagement 4, 9, 7).
RENDERED_CHECK_IDS: tuple[str, ...] = ("mobile_ready", "ecoindex", "plain_language")


@dataclass(frozen=True, slots=True)
class RenderMetrics:
    """Figures read in the browser once the page is loaded (``None``: not measured).

    ``dom_elements``: elements of the rendered DOM, ``svg`` descendants not counted (the
    EcoIndex definition). ``requests`` and ``transfer_kb``: every request the page made and
    the kilobytes transferred, counted as EcoIndex's reference implementation counts them
    (``checks/ecoindex.py`` says how). ``viewport``: the ``content`` of the page's
    ``<meta name="viewport">`` as rendered, ``None`` without one. ``scroll_width_320``:
    the document's scroll width with the viewport set to 320 CSS px wide (greater than
    320: horizontal scrolling).
    """

    dom_elements: int | None = None
    requests: int | None = None
    transfer_kb: float | None = None
    viewport: str | None = None
    scroll_width_320: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


RenderedCheckFn = Callable[["Page", RenderMetrics], "CheckResult"]

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
