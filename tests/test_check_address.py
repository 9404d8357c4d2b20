"""``address`` (CHECKS.md, engagement 2): street + postcode + commune, and traps."""

from __future__ import annotations

import pytest

from checks.address import address
from checks.registry import REGISTRY


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


def test_registered():
    assert REGISTRY["address"] is address


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<p>📍 36 rue du Bourg — 45370 Mézières-lez-Cléry</p>",
            "36 rue du Bourg, 45370 Mézières-lez-Cléry",
        ),
        (
            "<p>Mairie<br>12 bis, avenue de la République<br>75011 Paris</p>",
            "12 bis, avenue de la République, 75011 Paris",
        ),
        (
            "<address>Mirabeau Tower<br>39-43 Quai André Citroën<br>75015 PARIS</address>",
            "39-43 Quai André Citroën, 75015 PARIS",
        ),
        (
            "<p>55, boulevard Diderot, CS 22305 75610 Paris Cedex 12</p>",
            "55, boulevard Diderot, CS 22305, 75610 Paris Cedex 12",
        ),
        (
            "<p>Hôtel de ville<br>Place de l'Église<br>45370 Mézières-lez-Cléry</p>",
            "Place de l'Église, 45370 Mézières-lez-Cléry",
        ),
        (
            "<p>3 impasse des Lilas<br>Bâtiment B<br>06000 Nice</p>",
            "3 impasse des Lilas, Bâtiment B, 06000 Nice",
        ),
    ],
)
def test_street_postcode_commune(make_page, body, expected):
    result = address(_page(make_page, body))
    assert result.found
    assert result.value == [expected]
    assert result.evidence[0].xpath


@pytest.mark.parametrize(
    "body",
    [
        "<p>Code postal : 45370</p>",
        "<p>45370 Mézières-lez-Cléry</p>",
        # CEDEX line without a street (the Défenseur des droits' free-post address)
        "<p>Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07</p>",
        # prose that happens to hold a way's name
        "<p>La mise en place du service au cours de l'année<br>45000 Orléans</p>",
        # a street too far above the postcode line
        "<p>12 rue de la Paix</p><p>Horaires</p><p>Lundi</p><p>Mardi</p><p>75002 Paris</p>",
        # numbers that are not postcodes
        "<p>12 rue de la Paix : 30 000 € d'amende, 123456 Paris</p>",
    ],
)
def test_not_an_address(make_page, body):
    result = address(_page(make_page, body))
    assert not result.found
    assert result.value is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A street, then a postal-box line, then a postcode written "75 334".
        (
            "<p>Ministère<br>20 avenue de Ségur<br>TSA 10717<br>75 334 Paris Cedex 07</p>",
            "20 avenue de Ségur, TSA 10717, 75334 Paris Cedex 07",
        ),
        (
            "<address>Préfecture de la Somme<br>51, rue de la République<br>BP 2720<br>"
            "80 027 Amiens Cedex 1</address>",
            "51, rue de la République, BP 2720, 80027 Amiens Cedex 1",
        ),
        # The box on the street's line, the spaced postcode on the next.
        (
            "<p>2 place Saint-Jean - CS 70001<br>45 044 Orléans Cedex 1</p>",
            "2 place Saint-Jean - CS 70001, 45044 Orléans Cedex 1",
        ),
        # All on one line.
        ("<p>14 rue du Bac, BP 123, 75 007 Paris</p>", "14 rue du Bac, BP 123, 75007 Paris"),
        # A building name and a box line between the street and the postcode: the box line
        # does not use up the two lines a street may stand above the postcode.
        (
            "<p>Mairie<br>1 rue de la Paix<br>Bâtiment A<br>B.P. 123<br>45000 Orléans</p>",
            "1 rue de la Paix, Bâtiment A, B.P. 123, 45000 Orléans",
        ),
        (
            "<p>3 avenue Foch<br>Cité administrative<br>Boîte postale 5<br>CS 40001<br>"
            "51 000 Châlons-en-Champagne</p>",
            "3 avenue Foch, Cité administrative, Boîte postale 5, CS 40001, "
            "51000 Châlons-en-Champagne",
        ),
    ],
)
def test_street_with_a_postal_box_line(make_page, body, expected):
    result = address(_page(make_page, body))
    assert result.value == [expected]
    assert result.evidence[0].xpath


@pytest.mark.parametrize(
    "body",
    [
        # A postal box alone, whatever its spelling, is where mail goes, not a place.
        "<p>BP 2720, 80027 Amiens CEDEX</p>",
        "<p>B.P. 12 - 45000 Orléans Cedex 1</p>",
        "<p>Boîte postale 5<br>45000 Orléans</p>",
        "<p>Préfecture<br>TSA 10717<br>75 334 Paris Cedex 07</p>",
        "<p>CS 22305 75610 Paris Cedex 12</p>",
        # Spaced numbers that are not postcodes.
        "<p>12 rue de la Paix, 30 000 Visiteurs par an</p>",
        "<p>12 rue de la Paix<br>Tél. 01 75 334 Paris</p>",
        "<p>3 rue Haute : 12 500 Habitants</p>",
    ],
)
def test_postal_box_alone_or_a_count_is_not_an_address(make_page, body):
    result = address(_page(make_page, body))
    assert not result.found
    assert result.value is None


def test_address_in_script_does_not_count(make_page):
    page = _page(make_page, '<script>var a = "36 rue du Bourg 45370 Mézières";</script>')
    assert not address(page).found


def test_duplicates_are_merged(make_page):
    body = "<p>36 rue du Bourg, 45370 Cléry</p><footer>36 rue du Bourg, 45370 Cléry</footer>"
    assert address(_page(make_page, body)).value == ["36 rue du Bourg, 45370 Cléry"]


def test_schema_org_postal_address(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice", "name": "Mairie",'
        ' "address": {"@type": "PostalAddress", "streetAddress": "36 rue du Bourg",'
        ' "postalCode": "45370", "addressLocality": "Mézières-lez-Cléry"}}'
        "</script></head><body><p>Bienvenue</p></body></html>"
    )
    result = address(page)
    assert result.value == ["36 rue du Bourg, 45370 Mézières-lez-Cléry"]
    assert result.evidence[0].source == "structured_data"


def test_schema_org_microdata_postal_address(make_page):
    page = _page(
        make_page,
        '<div itemscope itemtype="https://schema.org/PostalAddress">'
        '<meta itemprop="streetAddress" content="1 place du Martroi">'
        '<meta itemprop="postalCode" content="45000">'
        '<meta itemprop="addressLocality" content="Orléans"></div>',
    )
    assert address(page).value == ["1 place du Martroi, 45000 Orléans"]


def test_schema_org_postal_address_with_postcode_only_does_not_count(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "PostalAddress", "postalCode": "45370"}'
        "</script></head><body></body></html>"
    )
    assert not address(page).found


def test_schema_org_rdfa_postal_address_linked_by_id(make_page):
    """RDFa comes as a flat graph: the PostalAddress is reached through its ``@id``."""
    page = _page(
        make_page,
        '<div vocab="https://schema.org/" typeof="GovernmentOffice">'
        '<span property="name">Mairie</span>'
        '<div property="address" typeof="PostalAddress">'
        '<meta property="streetAddress" content="1 place du Martroi">'
        '<meta property="postalCode" content="45000">'
        '<meta property="addressLocality" content="Orléans"></div></div>',
    )
    result = address(page)
    assert result.value == ["1 place du Martroi, 45000 Orléans"]
    assert result.evidence[0].source == "structured_data"
