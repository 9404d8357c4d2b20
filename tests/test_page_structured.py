"""Structured data on a page: extracted when it names a property the checks read.

``checks.page`` runs extruct on JSON-LD blocks, microdata and schema.org RDFa only when
they name a property the checks read (``RELEVANT_PROPERTIES``): extruct is slow, and an
item without any of them could not change a finding.
"""

from __future__ import annotations

import re

import pytest

from checks.page import Page

#: Markup, and the syntaxes extracted from it.
MARKUP = [
    (
        '<div itemscope itemtype="https://schema.org/GovernmentOffice">'
        '<span itemprop="telephone">01 23 45 67 89</span></div>',
        {"microdata"},
    ),
    ("<div itemscope><span itemprop = 'name email'>x</span></div>", {"microdata"}),
    ("<div itemscope><span itemprop=openingHours content=Mo-Fr>x</span></div>", {"microdata"}),
    (
        '<div itemscope itemtype="http://schema.org/PostalAddress"><span itemprop=x>y</span></div>',
        {"microdata"},
    ),
    ("<p ITEMPROP='email' itemscope>x@y.fr</p>", {"microdata"}),  # HTML names: any case
    ("<p itemprop='&#116;elephone' itemscope>01 23 45 67 89</p>", {"microdata"}),
    (
        '<div vocab="https://schema.org/" typeof="Place"><span property="telephone">1</span></div>',
        {"rdfa"},
    ),
    ("<div vocab='http://schema.org/'><p property='address'>Rue</p></div>", {"rdfa"}),
    (
        '<div typeof="schema:PostalAddress"><span property="schema:streetAddress">1</span></div>',
        {"rdfa"},
    ),
    # Drupal's foaf/sioc RDFa, and microdata naming nothing the checks read: not extracted.
    ('<div vocab="http://xmlns.com/foaf/0.1/"><span property="name">Drupal</span></div>', set()),
    ('<p itemscope><span itemprop="name">Sans propriété utile</span></p>', set()),
    # Invisible: structured data is read before invisible elements are dropped.
    ("<template><p itemscope itemprop='email'>x@y.fr</p></template>", {"microdata"}),
]


@pytest.mark.parametrize(("markup", "syntaxes"), MARKUP)
def test_structured_data_is_extracted_when_it_names_a_property_the_checks_read(markup, syntaxes):
    page = Page(markup, "https://structured.invalid/")
    assert {item["_syntax"] for item in page.structured} == syntaxes


def test_microdata_and_rdfa_values_are_extracted():
    page = Page(MARKUP[0][0], "https://structured.invalid/")
    assert [item.get("properties", {}).get("telephone") for item in page.structured] == [
        "01 23 45 67 89"
    ]
    page = Page(MARKUP[6][0], "https://structured.invalid/")
    assert any("telephone" in str(item) for item in page.structured)


@pytest.mark.parametrize(
    "mime", ["application/ld+json", " Application/LD+JSON ", "APPLICATION/LD+JSON"]
)
def test_json_ld_is_read_whatever_the_case_of_its_type(mime):
    page = Page(
        f'<html><head><script type="{mime}">{{"@context": "https://schema.org",'
        ' "@type": "GovernmentOffice", "telephone": "+33 1 23 45 67 89"}</script></head>'
        "<body>Mairie</body></html>",
        "https://structured.invalid/",
    )
    assert [item.get("telephone") for item in page.structured] == ["+33 1 23 45 67 89"]
    assert page.problems == []


def test_json_ld_naming_nothing_the_checks_read_is_not_extracted_and_a_broken_block_is_said():
    page = Page(
        '<script type="application/ld+json">{"@type": "BreadcrumbList"}</script>'
        '<script type="application/ld+json">{"telephone": </script>'
        '<script type="application/ld+json">{"@graph": [{"email": "a@b.fr"}]}</script>',
        "https://structured.invalid/",
    )
    assert page.structured == [{"email": "a@b.fr", "_syntax": "json-ld"}]
    assert len(page.problems) == 1 and page.problems[0].startswith("JSON-LD illisible : ")


def test_rdfa_items_come_out_in_the_same_order_at_each_extraction():
    """rdflib names blank nodes at random; the page's items must not follow those names."""
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
