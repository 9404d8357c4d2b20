"""``phone`` and ``premium_phone`` (CHECKS.md, engagement 2): formats, labels, and traps."""

from __future__ import annotations

import pytest

from checks.phone import extract_phones, phone, premium_phone
from checks.registry import REGISTRY


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


def _numbers(result) -> list[str]:
    return [e.get("e164") or e["short"] for e in (result.value or [])]


def test_both_ids_are_registered():
    assert REGISTRY["phone"] is phone
    assert REGISTRY["premium_phone"] is premium_phone


@pytest.mark.parametrize(
    ("body", "e164"),
    [
        ("<p>Tél. : 01 23 45 67 89</p>", "+33123456789"),
        ("<p>Téléphone : 01.23.45.67.89</p>", "+33123456789"),
        ("<p>Appelez le 0123456789 pour tout renseignement.</p>", "+33123456789"),
        ("<p>Standard : +33 (0)1 23 45 67 89</p>", "+33123456789"),
        ("<p>Depuis l'étranger : 0033 1 23 45 67 89</p>", "+33123456789"),
        ("<p>Numéro vert : 0 800 123 456</p>", "+33800123456"),
        ("<p>Mobile d'astreinte 06-12-34-56-78</p>", "+33612345678"),
        ("<p>📞 02 38 45 61 76</p>", "+33238456176"),
        ("<p>Contact&nbsp;: 01&nbsp;23&nbsp;45&nbsp;67&nbsp;89</p>", "+33123456789"),
    ],
)
def test_formats_of_french_numbers_are_found(make_page, body, e164):
    result = phone(_page(make_page, body))
    assert result.found
    assert _numbers(result) == [e164]
    assert result.evidence and result.evidence[0].source == "html"
    assert result.evidence[0].xpath


def test_value_shape(make_page):
    result = phone(_page(make_page, "<p>Accueil : 01 23 45 67 89</p>"))
    assert result.value == [
        {
            "e164": "+33123456789",
            "display": "01 23 45 67 89",
            "kind": "fixed",
            "purpose": "accueil",
            "surcharged": False,
        }
    ]


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("01 23 45 67 89", "fixed"),
        ("06 12 34 56 78", "mobile"),
        ("09 70 12 34 56", "voip"),
        ("0 800 123 456", "toll_free"),
        ("0 810 12 34 56", "shared_cost"),
        ("0 891 12 34 56", "premium"),
        ("0 806 12 34 56", "uan"),
    ],
)
def test_kind_comes_from_phonenumbers(make_page, number, kind):
    result = phone(_page(make_page, f"<p>Tél : {number}</p>"))
    assert result.value[0]["kind"] == kind


@pytest.mark.parametrize(
    ("body", "purpose"),
    [
        ("<p>Standard : 01 23 45 67 89</p>", "standard"),
        ("<dl><dt>Urgences</dt><dd>01 23 45 67 89</dd></dl>", "urgences"),
        ("<p>Accessibilité : 01 23 45 67 89</p>", "accessibilité"),
        ("<p>Secrétariat de mairie – tél. 01 23 45 67 89</p>", "secrétariat"),
        ("<p>Depuis l'étranger, composez le +33 1 23 45 67 89</p>", "depuis l'étranger"),
        ("<p>Téléphone : 01 23 45 67 89</p>", None),
    ],
)
def test_purpose_is_the_label_next_to_the_number(make_page, body, purpose):
    assert phone(_page(make_page, body)).value[0]["purpose"] == purpose


def test_each_number_gets_its_own_label(make_page):
    result = phone(_page(make_page, "<p>Tél : 01 23 45 67 89 - Fax : 01 23 45 67 80</p>"))
    assert [(e["e164"], e["purpose"]) for e in result.value] == [
        ("+33123456789", None),
        ("+33123456780", "fax"),
    ]
    assert result.found


def test_fax_alone_is_recorded_but_not_found(make_page):
    result = phone(_page(make_page, "<p>Fax : 01 23 45 67 80</p><p>Télécopie 01 23 45 67 81</p>"))
    assert not result.found
    assert [e["purpose"] for e in result.value] == ["fax", "fax"]


def test_tel_slash_fax_is_a_phone(make_page):
    result = phone(_page(make_page, "<p>Tél./Fax : 01 23 45 67 80</p>"))
    assert result.found
    assert result.value[0]["purpose"] == "téléphone/fax"


@pytest.mark.parametrize(
    "body",
    [
        "<p>Publié le 12.03.2024, mis à jour le 01/02/2023</p>",
        "<p>SIRET : 130 002 652 00015</p>",
        "<p>SIREN 267 500 452</p>",
        "<p>SIRET 21450208500017</p>",
        "<p>Identifiant : 0123456789 00012</p>",
        "<p>Identifiant : 00012 0123456789</p>",
        "<p>Code postal : 45370 ; code INSEE 45208</p>",
        "<p>IBAN : FR76 3000 6000 0112 3456 7890 189</p>",
        "<p>RIB : 30006 00001 12345678901 89</p>",
        "<p>Dossier n° 0612345678</p>",
        "<p>Référence de commande : 0123456789</p>",
        "<p>Budget : 1 234 567 890 € ; subvention 0 123 456 789 €</p>",
        "<p>Numéro de sécurité sociale 1 85 05 78 006 084 36</p>",
        "<p>Loi n° 2005-102 du 11 février 2005, article L. 2281-1</p>",
    ],
)
def test_identifiers_dates_and_amounts_are_not_phones(make_page, body):
    result = phone(_page(make_page, body))
    assert not result.found
    assert result.value is None


def test_tel_links(make_page):
    page = _page(
        make_page,
        '<a href="tel:">Appeler</a>'
        '<a href="tel:%2B33123456789">Appeler le standard</a>'
        '<a href="tel:3939">Allô Service Public</a>',
    )
    result = phone(page)
    assert result.found
    assert _numbers(result) == ["+33123456789", "3939"]
    assert result.value[0]["purpose"] == "standard"
    assert "tel:" in result.evidence[0].snippet


def test_tel_link_with_no_digits_is_not_a_phone(make_page):
    result = phone(_page(make_page, '<a href="tel:">Nous appeler</a><a href="tel:  ">x</a>'))
    assert not result.found


@pytest.mark.parametrize(
    ("body", "short"),
    [
        ("<p>Allô Service Public : 39 39</p>", "3939"),
        ("<p>Composez le 3646</p>", "3646"),
        ("<p>Par téléphone au numéro 3422 (service gratuit + prix d’un appel)</p>", "3422"),
        ("<p>3230 (service gratuit + prix d'un appel)</p>", "3230"),
    ],
)
def test_short_numbers_next_to_a_phone_word(make_page, body, short):
    result = phone(_page(make_page, body))
    assert result.found
    assert result.value[0]["short"] == short
    assert result.value[0]["kind"] == "short"


@pytest.mark.parametrize(
    "body",
    [
        "<p>3939 habitants</p>",
        "<p>Plus de 3000 utilisateurs de l'application mobile</p>",
        "<p>En 2024, le service a répondu</p>",
        "<p>Article 3646 du code</p>",
        "<p>Montant : 3422 €</p>",
    ],
)
def test_short_numbers_without_a_phone_word_do_not_count(make_page, body):
    assert not phone(_page(make_page, body)).found


def test_short_number_cost_is_what_the_page_says(make_page):
    """Never phonenumbers' short-number cost metadata, which is wrong for 3939/3646/3230."""
    unknown = phone(_page(make_page, "<p>Appelez le 3939</p>")).value[0]
    assert unknown["surcharged"] is None
    free = phone(_page(make_page, "<p>Appelez le 3230 (service gratuit + prix d'un appel)</p>"))
    assert free.value[0]["surcharged"] is False
    paid = phone(_page(make_page, "<p>Appelez le 3939 (service 0,06 €/min + prix d'appel)</p>"))
    assert paid.value[0]["surcharged"] is True


def test_schema_org_telephone_counts_with_structured_evidence(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice", "name": "Mairie",'
        ' "telephone": "+33 2 38 45 61 76", "faxNumber": "+33 2 38 45 61 77"}'
        "</script></head><body><p>Bienvenue</p></body></html>"
    )
    result = phone(page)
    assert result.found
    assert [(e["e164"], e["purpose"]) for e in result.value] == [
        ("+33238456176", None),
        ("+33238456177", "fax"),
    ]
    assert result.evidence[0].source == "structured_data"


def test_schema_org_microdata_telephone(make_page):
    page = _page(
        make_page,
        '<div itemscope itemtype="https://schema.org/GovernmentOffice">'
        '<span itemprop="name">Mairie</span>'
        '<meta itemprop="telephone" content="0238456176"></div>',
    )
    result = phone(page)
    assert _numbers(result) == ["+33238456176"]


def test_numbers_in_scripts_do_not_count(make_page):
    page = _page(make_page, '<script>var tel = "01 23 45 67 89";</script><p>Bonjour</p>')
    assert not phone(page).found


def test_duplicates_are_merged_by_e164(make_page):
    page = _page(
        make_page,
        '<p>Accueil : 01 23 45 67 89</p><a href="tel:+33123456789">01.23.45.67.89</a>'
        "<footer>Tél. 01 23 45 67 89</footer>",
    )
    result = phone(page)
    assert _numbers(result) == ["+33123456789"]
    assert result.value[0]["purpose"] == "accueil"


def test_extraction_is_computed_once_per_page(make_page):
    page = _page(make_page, "<p>Tél : 01 23 45 67 89</p>")
    assert extract_phones(page) is extract_phones(page)


@pytest.mark.parametrize(
    ("number", "premium"),
    [
        ("0 810 12 34 56", True),
        ("0 820 12 34 56", True),
        ("0 891 12 34 56", True),
        ("0 899 12 34 56", True),
        ("0 800 12 34 56", False),
        ("0 805 12 34 56", False),
        ("0 806 12 34 56", False),
        ("0 809 12 34 56", False),
        ("01 23 45 67 89", False),
    ],
)
def test_premium_ranges(make_page, number, premium):
    page = _page(make_page, f"<p>Tél : {number}</p>")
    assert phone(page).found
    result = premium_phone(page)
    assert result.found is premium
    assert phone(page).value[0]["surcharged"] is premium
    if premium:
        assert result.value[0]["display"] == number


def test_118_numbers_are_premium(make_page):
    result = premium_phone(_page(make_page, "<p>Renseignements téléphoniques : 118 218</p>"))
    assert result.found
    assert result.value[0]["short"] == "118218"
    assert result.value[0]["surcharged"] is True


def test_short_3bcd_numbers_are_never_premium(make_page):
    page = _page(make_page, "<p>Allô Service Public : 3939 (0,15 €/min)</p>")
    assert phone(page).value[0]["surcharged"] is True  # what the page says
    assert not premium_phone(page).found  # not a surtaxé range of CHECKS.md


# -- the country code written in brackets or spaced (real pages) --------------------------


@pytest.mark.parametrize(
    ("body", "display"),
    [
        ("<p>Tél. : (33) 3 22 97 40 40</p>", "(33) 3 22 97 40 40"),
        ("<p>Tél. (33) 3.22.97.40.40</p>", "(33) 3.22.97.40.40"),
        ("<p>Tel : (33) (0)3 22 97 40 40</p>", "(33) (0)3 22 97 40 40"),
        ("<p>Standard (+33) 3 22 97 40 40</p>", "(+33) 3 22 97 40 40"),
        ("<p>Tél (0033) 3 22 97 40 40</p>", "(0033) 3 22 97 40 40"),
        ("<p>Accueil : + 33 (0)3 22 97 40 40</p>", "+ 33 (0)3 22 97 40 40"),
        ("<p>Standard : +33 (0)3 22 97 40 40</p>", "+33 (0)3 22 97 40 40"),
        # A "+" number right after a digit is not glued to it.
        ("<p>80027 Amiens Cedex 1 +33 (0)3 22 97 40 40</p>", "+33 (0)3 22 97 40 40"),
        ("<p>Bureau 12 +33 3 22 97 40 40</p>", "+33 3 22 97 40 40"),
    ],
)
def test_country_code_in_brackets_or_spaced(make_page, body, display):
    result = phone(_page(make_page, body))
    assert result.found
    assert result.value[0]["e164"] == "+33322974040"
    assert result.value[0]["display"] == display
    assert result.evidence[0].xpath


@pytest.mark.parametrize(
    "body",
    [
        # digits glued before a bracketed code: a longer identifier
        "<p>Réf. 12(33) 3 22 97 40 40</p>",
        # a département number in brackets followed by a count, not a phone
        "<p>Gironde (33) : 1 654 970 habitants</p>",
    ],
)
def test_bracketed_33_that_is_not_a_phone(make_page, body):
    assert not phone(_page(make_page, body)).found


# -- numbers quoted for another body: the Défenseur des droits -----------------------------

_DECLARATION_RECOURSE = (
    "<h2>Voies de recours</h2><p>Si vous constatez un défaut d'accessibilité vous empêchant "
    "d'accéder à un contenu, vous pouvez saisir le Défenseur des droits.</p>"
    "<p>Pour le joindre, vous pouvez :</p><ul>{items}</ul>"
)


@pytest.mark.parametrize(
    "items",
    [
        "<li>Composer le 09 69 39 00 00 (du lundi au vendredi de 8h à 20h)</li>",
        '<li>Par téléphone : <a href="tel:0969390000">09 69 39 00 00</a></li>',
        "<li>un numéro de téléphone : le 09 69 39 00 00 du lundi au vendredi de 8h00 à "
        "20h00 (coût d'un appel local)</li>",
        "<li>Contacter le Défenseur des droits par téléphone : 09.69.39.00.00.</li>",
        '<li><a href="tel:+33969390000">Appeler le Défenseur des droits</a></li>',
        # a delegate's own number, named as the Défenseur's
        "<li>Contacter le délégué du Défenseur des droits dans la Somme : 03 22 11 22 33</li>",
    ],
)
def test_defenseur_des_droits_number_is_not_the_sites(make_page, items):
    result = phone(_page(make_page, _DECLARATION_RECOURSE.format(items=items)))
    assert not result.found
    assert result.value  # recorded, like a fax
    assert {e["purpose"] for e in result.value} == {"défenseur des droits"}


def test_defenseur_number_beside_the_sites_own(make_page):
    body = _DECLARATION_RECOURSE.format(
        items="<li>Composer le 09 69 39 00 00 (du lundi au vendredi de 8h à 20h)</li>"
    ) + ('<footer><p>Mairie : <a href="tel:+33123456789">01 23 45 67 89</a></p></footer>')
    result = phone(_page(make_page, body))
    assert result.found
    purposes = {e["e164"]: e["purpose"] for e in result.value}
    assert purposes == {"+33969390000": "défenseur des droits", "+33123456789": None}


def test_the_sites_number_after_a_sentence_naming_the_defenseur_is_the_sites(make_page):
    body = "<p>Vous pouvez saisir le Défenseur des droits. Pour nous joindre : 01 23 45 67 89.</p>"
    result = phone(_page(make_page, body))
    assert result.found
    assert result.value[0]["purpose"] is None


def test_the_defenseur_s_number_on_its_own_site_is_its_own(make_page):
    page = make_page(
        "<html><body><p>Appelez le 09 69 39 00 00</p></body></html>",
        "https://www.defenseurdesdroits.fr/contact",
    )
    result = phone(page)
    assert result.found
    assert result.value[0]["purpose"] is None


@pytest.mark.parametrize(
    "body",
    [
        # The Défenseur's number on the same line does not make the next number its own.
        "<p>Défenseur des droits : 09 69 39 00 00 ; accueil de la mairie : 01 23 45 67 89</p>",
        "<ul><li>Par téléphone : 09 69 39 00 00</li><li>01 23 45 67 89</li></ul>",
    ],
)
def test_a_number_next_to_the_defenseur_s_is_not_the_defenseur_s(make_page, body):
    result = phone(_page(make_page, body))
    assert result.found
    purposes = {e["e164"]: e["purpose"] for e in result.value}
    assert purposes["+33969390000"] == "défenseur des droits"
    assert purposes["+33123456789"] in (None, "accueil")


def test_a_number_on_the_line_after_another_number_is_not_glued_to_it(make_page):
    """A line break separates two numbers: "…00 00\n01 23…" is not one long identifier."""
    body = "<ul><li>Standard : 02 38 00 00 00</li><li>01 23 45 67 89</li></ul>"
    assert _numbers(phone(_page(make_page, body))) == ["+33238000000", "+33123456789"]
