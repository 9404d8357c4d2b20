"""``email`` (engagement 2): mailto links, text, obfuscations, and traps."""

from __future__ import annotations

import pytest

from checks.email import email
from checks.registry import REGISTRY


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


def _addresses(result) -> list[str]:
    return [e["address"] for e in (result.value or [])]


def test_registered():
    assert REGISTRY["email"] is email


def test_mailto_link_with_an_address(make_page):
    link = '<a href="mailto:Contact@Mairie-X.fr?subject=Bonjour">Nous écrire</a>'
    result = email(_page(make_page, link))
    assert result.found
    assert result.value == [{"address": "contact@mairie-x.fr", "purpose": "contact"}]
    assert "mailto:" in result.evidence[0].snippet


def test_mailto_with_several_addresses(make_page):
    result = email(_page(make_page, '<a href="mailto:a@x.fr,b@x.fr">Écrire</a>'))
    assert _addresses(result) == ["a@x.fr", "b@x.fr"]


@pytest.mark.parametrize(
    ("body", "address"),
    [
        ("<p>Écrivez-nous : accueil@mairie-x.fr.</p>", "accueil@mairie-x.fr"),
        ("<p>Courriel : Jean.Dupont@Mairie-X.FR</p>", "jean.dupont@mairie-x.fr"),
        ("<p>contact [at] mairie-x.fr</p>", "contact@mairie-x.fr"),
        ("<p>contact(at)mairie-x(dot)fr</p>", "contact@mairie-x.fr"),
        ("<p>contact @ mairie-x.fr</p>", "contact@mairie-x.fr"),
        ("<p>contact [arobase] mairie-x [point] fr</p>", "contact@mairie-x.fr"),
        ("<p>contact[@]mairie-x.fr</p>", "contact@mairie-x.fr"),
        ("<p>contact (AT) mairie-x (DOT) gouv (DOT) fr</p>", "contact@mairie-x.gouv.fr"),
    ],
)
def test_addresses_in_text_including_obfuscations(make_page, body, address):
    result = email(_page(make_page, body))
    assert result.found
    assert _addresses(result) == [address]
    assert result.evidence[0].xpath


def test_share_link_without_address_does_not_count(make_page):
    page = _page(
        make_page,
        '<a href="mailto:?subject=Je%20vous%20recommande&body=https://x.fr/page">Partager</a>',
    )
    result = email(page)
    assert not result.found
    assert result.value is None


def test_share_link_body_address_is_not_an_address_of_the_page(make_page):
    page = _page(make_page, '<a href="mailto:?subject=x&body=ecrire%20a%20y%40z.fr">Partager</a>')
    assert not email(page).found


@pytest.mark.parametrize(
    "body",
    [
        '<script>window.__NEXT_DATA__ = {"email": "contact@x.fr"}</script><p>Bonjour</p>',
        '<script type="application/json">{"contact": "contact@x.fr"}</script>',
        "<template><p>contact@x.fr</p></template>",
        "<noscript>contact@x.fr</noscript>",
        "<!-- contact@x.fr -->",
        '<style>.a{background:url("logo@2x.png")}</style>',
    ],
)
def test_addresses_in_invisible_content_do_not_count(make_page, body):
    assert not email(_page(make_page, body)).found


@pytest.mark.parametrize(
    "body",
    [
        '<img src="/img/logo@2x.png" alt="logo"><p>logo@2x.png icon@3x.webp</p>',
        "<p>Suivez-nous sur Twitter : @MairieX</p>",
        "<p>Format attendu : prenom.nom@domaine.fr</p>",
        "<p>Le prix est de 3 @ 5 €</p>",
    ],
)
def test_look_alikes_are_not_addresses(make_page, body):
    assert not email(_page(make_page, body)).found


@pytest.mark.parametrize(
    ("body", "purpose"),
    [
        ("<p>Référent accessibilité : referent@x.fr</p>", "accessibilité"),
        ("<p>Délégué à la protection des données : dpo@x.fr</p>", "données personnelles"),
        ("<p>Pour toute question : secretariat@mairie-x.fr</p>", "secrétariat"),
        ("<p>E-mail : bonjour@x.fr</p>", "contact"),
        ("<p>jean@x.fr</p>", None),
    ],
)
def test_purpose_label(make_page, body, purpose):
    assert email(_page(make_page, body)).value[0]["purpose"] == purpose


def test_each_address_takes_its_own_label(make_page):
    result = email(_page(make_page, "<p>Presse : a@x.fr ; recrutement : b@x.fr</p>"))
    assert [e["purpose"] for e in result.value] == ["presse", "recrutement"]


def test_duplicates_are_merged(make_page):
    page = _page(
        make_page,
        '<p>Écrire à contact@x.fr</p><a href="mailto:CONTACT@X.FR">contact@x.fr</a>',
    )
    assert _addresses(email(page)) == ["contact@x.fr"]


def test_schema_org_email_counts_with_structured_evidence(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        ' "email": "mailto:Mairie@X.fr"}'
        "</script></head><body><p>Bienvenue</p></body></html>"
    )
    result = email(page)
    assert _addresses(result) == ["mairie@x.fr"]
    assert result.evidence[0].source == "structured_data"


def test_schema_org_email_in_one_json_ld_block_among_others(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice", "email": "a@x.fr"}'
        '</script><script type="application/ld+json">{"@type": "WebSite", "name": "X"}</script>'
        "</head><body><p>Bienvenue</p></body></html>"
    )
    assert _addresses(email(page)) == ["a@x.fr"]
