"""The programme's reviewed exceptions file: read by hand-editable CSV, bad lines reported
with their number, an exception that ends comes back by itself (issue 13 point 3)."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.exceptions import (
    ExceptionsError,
    Exemption,
    exemption_for,
    load_exemptions,
    parse_exemptions,
)

FILE = """site_id;check;reason;until
pref-loiret;chat;Pas de centre d'appels : contact par formulaire;2027-06-30
mairie-senas;appointment;Accueil sans rendez-vous;
# a comment line
mairie-x;téléphone;Faute de frappe;
mairie-y;phone;;2027-01-01
mairie-z;phone;Fermée;30/06/2027
mairie w;phone;Espace dans l'identifiant;
trop;de;colonnes;ici;encore
"""


def test_good_lines_are_kept_and_bad_ones_reported_by_number():
    exemptions, problems = parse_exemptions(FILE, source="exceptions.csv")
    assert exemptions == [
        Exemption(
            "pref-loiret",
            "chat",
            "Pas de centre d'appels : contact par formulaire",
            date(2027, 6, 30),
        ),
        Exemption("mairie-senas", "appointment", "Accueil sans rendez-vous", None),
    ]
    assert [p.split(" : ")[0] for p in problems] == [
        "ligne 5",
        "ligne 6",
        "ligne 7",
        "ligne 8",
        "ligne 9",
    ]
    assert "vérification inconnue 'téléphone'" in problems[0]
    assert "raison manquante" in problems[1]
    assert "date de fin invalide" in problems[2]
    assert "identifiant de site invalide" in problems[3]
    assert "colonnes" in problems[4]


def test_an_exception_comes_back_after_its_end_date():
    exemptions, _ = parse_exemptions(FILE)
    assert exemption_for(exemptions, "pref-loiret", "chat", date(2027, 6, 30)) is not None
    assert exemption_for(exemptions, "pref-loiret", "chat", date(2027, 7, 1)) is None
    assert exemption_for(exemptions, "mairie-senas", "appointment", date(2040, 1, 1))
    assert exemption_for(exemptions, "pref-loiret", "phone", date(2026, 1, 1)) is None


def test_a_file_without_the_columns_or_unreadable_is_an_error(tmp_path):
    with pytest.raises(ExceptionsError, match="colonnes manquantes : reason"):
        parse_exemptions("site_id,check\na,phone\n")
    with pytest.raises(ExceptionsError, match="illisible"):
        load_exemptions(tmp_path / "absent.csv")


def test_exemptions_round_trip_through_the_run_settings():
    exemption = Exemption("a", "chat", "raison", date(2027, 1, 2))
    assert Exemption.from_dict(exemption.to_dict()) == exemption
