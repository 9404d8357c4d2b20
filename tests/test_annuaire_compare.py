"""checks/annuaire.py: a site's contacts compared with its Annuaire record, field by field,
on records written out in the export's shape and site values in the checks' shapes."""

from __future__ import annotations

import pytest

from checks.annuaire import (
    FIELDS,
    SiteSide,
    compare_address,
    compare_email,
    compare_opening_hours,
    compare_phone,
    compare_record,
    format_week,
    normalize_words,
    osm_week,
    parse_site_address,
    phone_key,
    record_week,
)

RECORD = {
    "id": "00000000-0000-0000-0000-000000000000",
    "nom": "Mairie - Saint-Exemple-sur-Loire",
    "telephone": [{"valeur": "02 61 91 00 10", "description": ""}],
    "adresse_courriel": "Accueil@Saint-Exemple.fr",
    "adresse": [
        {
            "type_adresse": "Adresse",
            "numero_voie": "1 place de l'Hôtel de Ville",
            "complement1": "",
            "complement2": "",
            "service_distribution": "",
            "code_postal": "45000",
            "nom_commune": "Saint-Exemple-sur-Loire",
        }
    ],
    "plage_ouverture": [
        {
            "nom_jour_debut": "Lundi",
            "nom_jour_fin": "Vendredi",
            "valeur_heure_debut_1": "08:30:00",
            "valeur_heure_fin_1": "12:00:00",
            "valeur_heure_debut_2": "13:30:00",
            "valeur_heure_fin_2": "17:00:00",
            "commentaire": "",
        }
    ],
}


def phones(*entries: tuple[str, str | None]) -> SiteSide:
    """The ``phone`` check's site-level value: e164 (or short) and purpose."""
    value = []
    for number, purpose in entries:
        key = "e164" if number.startswith("+") else "short"
        value.append({key: number, "display": number, "kind": "fixed", "purpose": purpose})
    return SiteSide("found", value)


# -- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["02 61 91 00 10", "0261910010", "+33 2 61 91 00 10", "+33 (0)2 61 91 00 10", "02.61.91.00.10"],
)
def test_a_number_written_any_way_is_its_e164_form(written):
    assert phone_key(written) == "+33261910010"


def test_short_numbers_and_invalid_ones():
    assert phone_key("3230") == "3230"
    assert phone_key("01 23") is None
    assert phone_key("") is None


def test_phone_consistent_when_the_site_shows_the_record_number():
    result = compare_phone(RECORD, phones(("+33261910010", None), ("+33261910099", "urgences")))
    assert result.status == "consistent"
    assert result.record == ("02 61 91 00 10",) and result.not_on_site == ()


def test_phone_differs_with_both_values():
    result = compare_phone(RECORD, phones(("+33261910099", None)))
    assert result.status == "differs"
    assert [s.key for s in result.site] == ["+33261910099"]
    assert result.not_on_site == ("02 61 91 00 10",)


def test_a_fax_is_not_the_phone_number():
    assert compare_phone(RECORD, phones(("+33261910010", "fax"))).status == "missing_on_site"


def test_every_record_number_must_be_shown():
    record = {**RECORD, "telephone": [{"valeur": "02 61 91 00 10"}, {"valeur": "3230"}]}
    assert compare_phone(record, phones(("+33261910010", None))).status == "differs"
    shown = phones(("+33261910010", None), ("3230", None))
    assert compare_phone(record, shown).status == "consistent"


def test_phone_missing_no_record_and_error():
    assert compare_phone(RECORD, SiteSide("absent", None)).status == "missing_on_site"
    assert compare_phone({"id": "x"}, phones(("+33261910010", None))).status == "no_record"
    unparsable = {"id": "x", "telephone": [{"valeur": "n.c."}]}
    assert compare_phone(unparsable, phones(("+33261910010", None))).status == "no_record"
    failed = compare_phone(RECORD, SiteSide("error", None, "délai dépassé"))
    assert failed.status == "error" and failed.error == "délai dépassé"
    # A site in error has no row for the check: never "missing".
    assert compare_phone(RECORD, SiteSide(None)).status == "error"


# -- e-mail ---------------------------------------------------------------------------------


def test_email_case_insensitive_and_several_in_the_record():
    side = SiteSide("found", [{"address": "accueil@saint-exemple.fr", "purpose": "contact"}])
    assert compare_email(RECORD, side).status == "consistent"
    two = {**RECORD, "adresse_courriel": "accueil@saint-exemple.fr; etat-civil@saint-exemple.fr"}
    result = compare_email(two, side)
    assert result.status == "differs" and result.not_on_site == ("etat-civil@saint-exemple.fr",)


def test_email_other_address_differs_and_none_is_missing():
    other = SiteSide("found", [{"address": "contact@saint-exemple.fr", "purpose": None}])
    assert compare_email(RECORD, other).status == "differs"
    assert compare_email(RECORD, SiteSide("absent")).status == "missing_on_site"
    assert compare_email({**RECORD, "adresse_courriel": ""}, other).status == "no_record"


# -- postal address -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("12 av. Jean Jaurès", "12 avenue jean jaures"),
        ("3 bd Victor-Hugo", "3 boulevard victor hugo"),
        ("1, pl. de l'Hôtel de Ville", "1 place de l hotel de ville"),
        ("5 r. St-Michel", "5 rue saint michel"),
        ("B.P. 123", "bp 123"),
    ],
)
def test_street_abbreviations_accents_and_case(a, b):
    assert normalize_words(a) == normalize_words(b)


def test_site_address_parsed_cedex_dropped():
    parsed = parse_site_address("55, boulevard Diderot, CS 22305, 75610 Paris Cedex 12")
    assert parsed is not None
    assert (parsed.postcode, parsed.commune) == ("75610", "paris")
    assert parsed.street == "55 boulevard diderot cs 22305"
    assert parse_site_address("75 334 Paris CEDEX 07").postcode == "75334"


def test_address_consistent_despite_spelling():
    side = SiteSide("found", ["1, Pl. de l'Hotel-de-Ville, 45000 SAINT-EXEMPLE-SUR-LOIRE"])
    assert compare_address(RECORD, side).status == "consistent"


def test_address_differs_on_street_postcode_or_commune():
    for text in (
        "3 place de l'Hôtel de Ville, 45000 Saint-Exemple-sur-Loire",
        "1 place de l'Hôtel de Ville, 45100 Saint-Exemple-sur-Loire",
        "1 place de l'Hôtel de Ville, 45000 Orléans",
    ):
        result = compare_address(RECORD, SiteSide("found", [text]))
        assert result.status == "differs", text
        assert result.not_on_site == ("1 place de l'Hôtel de Ville, 45000 Saint-Exemple-sur-Loire",)


def test_a_postal_address_with_cedex_in_the_record_matches():
    record = {
        "id": "x",
        "adresse": [
            {
                "type_adresse": "Adresse",
                "numero_voie": "20 rue de Ségur",
                "code_postal": "75007",
                "nom_commune": "Paris",
            },
            {
                "type_adresse": "Adresse postale",
                "numero_voie": "55 bd Diderot",
                "service_distribution": "CS 22305",
                "code_postal": "75610",
                "nom_commune": "Paris Cedex 12",
            },
        ],
    }
    side = SiteSide("found", ["55, boulevard Diderot, CS 22305, 75610 Paris Cedex 12"])
    assert compare_address(record, side).status == "consistent"
    other = SiteSide("found", ["10 rue de Ségur, 75007 Paris"])
    assert compare_address(record, other).status == "differs"


# -- opening hours --------------------------------------------------------------------------


def test_record_week_from_plage_ouverture():
    week = record_week(RECORD["plage_ouverture"])
    assert week[0] == ((510, 720), (810, 1020))
    assert week[4] == week[0] and week[5] == () and week[6] == ()
    assert format_week(week) == "Mo-Fr 08:30-12:00,13:30-17:00"


def test_record_week_several_entries_one_day_and_empty_ranges():
    plages = [
        {"nom_jour_debut": "Lundi", "nom_jour_fin": "Jeudi", "valeur_heure_debut_1": "09:00:00",
         "valeur_heure_fin_1": "12:00:00", "valeur_heure_debut_2": "", "valeur_heure_fin_2": ""},
        {"nom_jour_debut": "Samedi", "nom_jour_fin": "", "valeur_heure_debut_1": "09:00:00",
         "valeur_heure_fin_1": "11:30:00"},
    ]  # fmt: skip
    assert format_week(record_week(plages)) == "Mo-Th 09:00-12:00; Sa 09:00-11:30"
    assert record_week([{"nom_jour_debut": "Lundi"}]) is None
    assert record_week(None) is None


def test_osm_week_follows_the_library_rules():
    # A later rule for the same days replaces the earlier one (OSM semantics).
    assert osm_week("Mo-Fr 09:00-16:30; Mo-Fr 08:30-16:30")[0] == ((510, 990),)
    # Intervals across midnight are split between the two days.
    week = osm_week("Fr 22:00-02:00")
    assert week[4] == ((1320, 1440),) and week[5] == ((0, 120),)
    with pytest.raises(ValueError):
        osm_week("du lundi au vendredi")


def test_opening_hours_same_intervals_written_differently():
    side = SiteSide("found", {"osm": "Mo,Tu,We,Th,Fr 08:30-12:00, Mo-Fr 13:30-17:00", "raw": ""})
    assert compare_opening_hours(RECORD, side).status == "consistent"


def test_opening_hours_differ_by_one_day():
    side = SiteSide("found", {"osm": "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00", "raw": ""})
    result = compare_opening_hours(RECORD, side)
    assert result.status == "differs"
    assert result.record == ("Mo-Fr 08:30-12:00,13:30-17:00",)
    assert result.site[0].value == "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00"


def test_opening_hours_unreadable_on_the_site_is_an_error_not_a_difference():
    side = SiteSide("found", {"osm": None, "raw": "lundi matin et parfois le soir"})
    result = compare_opening_hours(RECORD, side)
    assert result.status == "error" and result.error
    assert compare_opening_hours(RECORD, SiteSide("absent")).status == "missing_on_site"


# -- a whole record -------------------------------------------------------------------------


def test_compare_record_gives_every_field_and_no_record_without_one():
    side = {
        "phone": phones(("+33261910010", None)),
        "email": SiteSide("absent"),
        "address": SiteSide(
            "found", ["1 place de l'Hôtel de Ville, 45000 Saint-Exemple-sur-Loire"]
        ),
        "opening_hours": SiteSide("error", None, "2 page(s) en erreur"),
    }
    statuses = {c.field: c.status for c in compare_record(RECORD, side)}
    assert statuses == {
        "phone": "consistent",
        "email": "missing_on_site",
        "address": "consistent",
        "opening_hours": "error",
    }
    assert [c.status for c in compare_record(None, side)] == ["no_record"] * len(FIELDS)
    as_dict = compare_record(RECORD, side)[0].to_dict()
    assert set(as_dict) == {
        "field", "status", "record", "record_keys", "site", "not_on_site", "error"
    }  # fmt: skip
