"""``jdma_button``: the "Je donne mon avis" button or widget (engagement 7).

The button is a link to the JDMA service (``jedonnemonavis.numerique.gouv.fr``, formerly
``voxusagers.numerique.gouv.fr`` and ``monavis.numerique.gouv.fr``) under ``/Demarches/``,
in its current form (``/Demarches/3217?button=3476``) or the legacy one
(``?…&nd_source=button&key=…``); it usually wraps the service's image. The newer floating
widget is a ``<script src=…/jdma-modal-widget.js data-jdma-form-url=…>``. A "donnez votre
avis" link to anything else — a local public consultation — is a different thing and does
not count: the host decides, never the label.

Value: ``{"form_id", "button_id", "variant", "url"}`` for the first button found (a page
rarely has two): ``url`` is the form's absolute URL (the link's target, or the widget's
``data-jdma-form-url`` resolved against the page), null when only the button's image was
seen; ids are strings or null, ``variant`` is ``"image"``, ``"text_link"`` or
``"widget"``; else ``None`` (and on error).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin

from checks._links import LinkInfo, candidates, host_in, split_url
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

HOSTS = frozenset(
    (
        "jedonnemonavis.numerique.gouv.fr",
        "voxusagers.numerique.gouv.fr",
        "monavis.numerique.gouv.fr",
    )
)

# /Demarches/3217, /Demarches/avis/42 (widget form URL): the digits are the form id.
_FORM_PATH = re.compile(r"^/demarches/(?:avis/)?(\d+)", re.I)
_DEMARCHES = re.compile(r"^/demarches(?:/|$)", re.I)
# The service's button images, current and legacy.
_IMAGE_PATH = re.compile(
    r"/(?:static|monavis-static|(?:demarches/)?assets)/(?:buttons?/)?"
    r"(?:bouton|button)-[\w.-]+\.(?:svg|png)$",
    re.I,
)
_WIDGET_SCRIPT = re.compile(r"/jdma-modal-widget\.js$", re.I)


def _candidate_images(page: Page) -> list[Any]:
    """Images that may be the service's: their source names its host or a button file.

    (Absolute on its hosts, or relative on the service itself.) Most pages have dozens of
    images and none of these: lxml's tag-filtered ``iter`` and three substring tests, half
    the time of the XPath ``//img[contains(@src, …) or …]`` they replaced.
    """
    found = []
    for img in page.root.iter("img"):
        src = img.get("src")
        if src and ("numerique.gouv.fr" in src or "bouton-" in src or "button-" in src):
            found.append(img)
    return found


def _ids(url: str) -> tuple[str | None, str | None]:
    """``(form_id, button_id)`` from a JDMA form URL (button id: ``?button=`` or ``key``)."""
    _, _, path, query, _ = split_url(url)
    form = _FORM_PATH.match(path)
    params = parse_qs(query)
    button = (params.get("button") or params.get("key") or [None])[0]
    return (form.group(1) if form else None), button


def _is_jdma_image(page: Page, src: str) -> bool:
    _, host, path, _, _ = split_url(urljoin(page.base_url, src.strip()))
    return host_in(host, HOSTS) and bool(_IMAGE_PATH.search(path))


def _is_form_link(info: LinkInfo) -> bool:
    if not (info.is_web and info.on(HOSTS)):
        return False
    return bool(_DEMARCHES.match(split_url(info.href)[2]))


def _result(form_url: str | None, variant: str, evidence: Evidence) -> CheckResult:
    form_id, button_id = _ids(form_url) if form_url else (None, None)
    value: dict[str, Any] = {
        "form_id": form_id,
        "button_id": button_id,
        "variant": variant,
        "url": form_url,
    }
    return CheckResult(found=True, value=value, evidence=(evidence,))


@check("jdma_button")
def jdma_button(page: Page) -> CheckResult:
    """The JDMA link (image or text), else the widget script, else a lone button image."""
    for info in candidates(page, hosts=HOSTS):
        if _is_form_link(info):
            imgs = info.link.element.iter("img")
            has_image = any(_is_jdma_image(page, i.get("src", "")) for i in imgs)
            variant = "image" if has_image else "text_link"
            return _result(info.href, variant, page.element_evidence(info.link.element))
    for src, attrs in page.script_srcs:
        _, host, path, _, _ = split_url(src)
        if _WIDGET_SCRIPT.search(path) and (
            host_in(host, HOSTS) or any(k.startswith("data-jdma-") for k in attrs)
        ):
            written = attrs.get("data-jdma-form-url")
            snippet = f'<script src="{src}" data-jdma-form-url="{written or ""}">'
            form_url = urljoin(page.base_url, written.strip()) if written else None
            return _result(form_url, "widget", Evidence(page.url, None, snippet))
    for img in _candidate_images(page):
        if _is_jdma_image(page, img.get("src", "")):
            return _result(None, "image", page.element_evidence(img))
    return CheckResult(found=False)
