"""``mobile_ready`` (CHECKS.md, engagement 4): viewport meta and no scroll at 320 px."""

from __future__ import annotations

import pytest

from checks.mobile_ready import mobile_ready, sets_device_width, viewport_settings
from checks.rendered import RENDERED_REGISTRY, RenderMetrics


def _page(make_page, head: str):
    return make_page(f"<html><head>{head}</head><body><p>Bonjour</p></body></html>")


@pytest.mark.parametrize(
    "content",
    [
        "width=device-width, initial-scale=1",
        "width=device-width,initial-scale=1.0",
        "initial-scale=1, width=device-width",
        "WIDTH = Device-Width ; initial-scale = 1",
        "width=device-width; initial-scale=1; shrink-to-fit=no",
        " width=device-width ",
        "width='device-width', initial-scale=1",
        "width=device-width, width=device-width",
    ],
)
def test_device_width_in_any_writing(content):
    assert sets_device_width(content)


@pytest.mark.parametrize(
    "content",
    [
        None,
        "",
        "initial-scale=1",
        "width=1024",
        "width=device-width-ish",
        "min-width=device-width",
        "height=device-width",
        "width device-width",
        "width=device-width, width=980",  # a later key overrides
    ],
)
def test_no_device_width(content):
    assert not sets_device_width(content)


def test_viewport_settings_parse():
    assert viewport_settings("width=device-width , Initial-Scale=1; user-scalable=no") == {
        "width": "device-width",
        "initial-scale": "1",
        "user-scalable": "no",
    }


def test_found_with_device_width_and_no_scroll(make_page):
    page = _page(make_page, '<meta name="viewport" content="width=device-width, initial-scale=1">')
    result = mobile_ready(page, RenderMetrics(scroll_width_320=320))
    assert result.found and result.error is None
    assert result.value == {
        "viewport": "width=device-width, initial-scale=1",
        "device_width": True,
        "scroll_width_320": 320,
        "horizontal_scroll": False,
    }
    assert result.evidence[0].xpath == "/html/head/meta"


@pytest.mark.parametrize(
    ("scroll_width", "found"),
    [(300, True), (320, True), (321, True), (322, False), (480, False), (1280, False)],
)
def test_scroll_width_with_its_one_pixel_tolerance(make_page, scroll_width, found):
    page = _page(make_page, '<meta name="viewport" content="width=device-width">')
    result = mobile_ready(page, RenderMetrics(scroll_width_320=scroll_width))
    assert result.found is found
    assert result.value["horizontal_scroll"] is not found


@pytest.mark.parametrize(
    ("head", "viewport"),
    [
        ("", None),
        ('<meta name="viewport" content="width=1024">', "width=1024"),
        ('<meta name="description" content="width=device-width">', None),
        # the last viewport meta counts
        (
            '<meta name="viewport" content="width=device-width">'
            '<meta name="viewport" content="width=980">',
            "width=980",
        ),
    ],
)
def test_no_device_width_viewport_is_not_mobile_ready(make_page, head, viewport):
    result = mobile_ready(_page(make_page, head), RenderMetrics(scroll_width_320=320))
    assert not result.found and result.error is None
    assert result.value["viewport"] == viewport
    assert result.value["device_width"] is False


def test_meta_name_in_any_case(make_page):
    page = _page(make_page, '<meta NAME=" Viewport " content="width=device-width">')
    assert mobile_ready(page, RenderMetrics(scroll_width_320=320)).found


def test_unmeasured_scroll_width_is_an_error(make_page):
    page = _page(make_page, '<meta name="viewport" content="width=device-width">')
    result = mobile_ready(page, RenderMetrics(dom_elements=10, requests=1, transfer_kb=1.0))
    assert result.status == "error"
    assert "largeur de défilement" in result.error
    assert result.value is None


def test_registered():
    assert RENDERED_REGISTRY["mobile_ready"] is mobile_ready
