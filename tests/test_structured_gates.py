"""The raw-markup regexes that gate structured-data extraction never hide what the tree has.

``checks.page`` runs its whole-tree XPath searches (and extruct) only when a regex over the
page's HTML finds a candidate attribute. The regex may be wider than the XPath, never
narrower: on every demo and corpus page, and on hand-written markup, an XPath hit implies
a regex hit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from w3lib.encoding import html_to_unicode

from checks.page import (
    _MICRODATA_GATES,
    _RELEVANT_MICRODATA,
    _RELEVANT_RDFA,
    _SCHEMA_RDFA,
    _SCHEMA_RDFA_GATES,
    Page,
    _gate_open,
    _parse,
)

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"

HAND_WRITTEN = [
    '<div itemscope itemtype="https://schema.org/GovernmentOffice">'
    '<span itemprop="telephone">01 23 45 67 89</span></div>',
    "<div itemscope><span itemprop = 'name email'>x</span></div>",
    "<div itemscope><span itemprop=openingHours content=Mo-Fr>x</span></div>",
    '<div itemscope itemtype="http://schema.org/PostalAddress"><span itemprop=x>y</span></div>',
    '<div vocab="https://schema.org/" typeof="Place"><span property="telephone">1</span></div>',
    "<div vocab='http://schema.org/'><p property='address'>Rue</p></div>",
    '<div typeof="schema:PostalAddress"><span property="schema:streetAddress">1</span></div>',
    "<div property=schema:email>a@b.fr</div>",
    '<div vocab="http://xmlns.com/foaf/0.1/"><span property="name">Drupal</span></div>',
    '<p itemprop="name">Sans propriété utile</p>',
]


def _assert_gates_cover(markup: str, name: str) -> None:
    root = _parse(markup)
    if _RELEVANT_MICRODATA(root):
        assert _gate_open(markup, _MICRODATA_GATES), f"{name}: microdata hidden by the gate"
    if _SCHEMA_RDFA(root) and _RELEVANT_RDFA(root):
        assert _gate_open(markup, _SCHEMA_RDFA_GATES), f"{name}: RDFa hidden by the gate"


@pytest.mark.parametrize("markup", HAND_WRITTEN)
def test_gates_cover_hand_written_markup(markup):
    _assert_gates_cover(markup, markup)


def test_gates_open_on_relevant_markup_and_stay_shut_otherwise():
    opened = [
        _gate_open(m, _MICRODATA_GATES) or _gate_open(m, _SCHEMA_RDFA_GATES) for m in HAND_WRITTEN
    ]
    assert opened == [True] * 8 + [False, False]


def test_structured_items_still_extracted_through_the_gates():
    page = Page(HAND_WRITTEN[0], "https://gates.invalid/")
    assert [item.get("properties", {}).get("telephone") for item in page.structured] == [
        "01 23 45 67 89"
    ]
    page = Page(HAND_WRITTEN[4], "https://gates.invalid/")
    assert any("telephone" in str(item) for item in page.structured)


def test_gates_cover_every_demo_page():
    for path in sorted(DEMO_SITES.rglob("*.html")):
        _, markup = html_to_unicode(None, path.read_bytes())
        _assert_gates_cover(markup, path.name)


def test_gates_cover_the_real_corpus(shared_dir):
    for path in sorted((shared_dir / "corpus/real").glob("*.html")):
        _, markup = html_to_unicode(None, path.read_bytes())
        _assert_gates_cover(markup, path.name)


@pytest.mark.parametrize(
    "mime", ["application/ld+json", " Application/LD+JSON ", "APPLICATION/LD+JSON"]
)
def test_json_ld_is_read_whatever_the_case_of_its_type(mime):
    page = Page(
        f'<html><head><script type="{mime}">{{"@context": "https://schema.org",'
        ' "@type": "GovernmentOffice", "telephone": "+33 1 23 45 67 89"}</script></head>'
        "<body>Mairie</body></html>",
        "https://gates.invalid/",
    )
    assert [item.get("telephone") for item in page.structured] == ["+33 1 23 45 67 89"]
    assert page.problems == []


def test_rdfa_items_come_out_in_the_same_order_at_each_extraction():
    """rdflib names blank nodes at random; the page's items must not follow those names."""
    import re

    from checks.page import Page

    markup = (
        "<div vocab='https://schema.org/' typeof='GovernmentOffice'>"
        + "".join(
            f"<div property='address' typeof='PostalAddress'><span property='streetAddress'>"
            f"{n} rue de la Paix</span></div>"
            for n in range(1, 9)
        )
        + "</div>"
    )

    def order() -> list[str]:
        page = Page(markup, "https://www.mairie-exemple.fr/")
        return [re.sub(r"_:N[0-9a-f]+", "_:", repr(item)) for item in page.structured]

    first = order()
    assert len(first) >= 9
    assert all(order() == first for _ in range(5))
