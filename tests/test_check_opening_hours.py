"""``opening_hours`` and ``peak_hours`` (CHECKS.md, engagement 2): formats and traps."""

from __future__ import annotations

from datetime import datetime

import opening_hours as oh
import pytest

from checks.opening_hours import opening_hours
from checks.peak_hours import peak_hours
from checks.registry import REGISTRY


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


def test_registered():
    assert REGISTRY["opening_hours"] is opening_hours
    assert REGISTRY["peak_hours"] is peak_hours


@pytest.mark.parametrize(
    ("body", "osm"),
    [
        (
            "<p>Ouvert du lundi au vendredi de 8h30 à 12h et de 13h30 à 17h</p>",
            "Mo-Fr 08:30-12:00,13:30-17:00",
        ),
        ("<p>Lun 14h–17h30 · Mer sur RDV · Ven 8h30–11h30</p>", "Mo 14:00-17:30; Fr 08:30-11:30"),
        ("<p>le mardi : 9h - 12h</p>", "Tu 09:00-12:00"),
        ("<p>Lundi, mardi et jeudi : 9 h 00 - 12 h 00</p>", "Mo,Tu,Th 09:00-12:00"),
        ("<p>Du lundi au samedi de 9h à midi</p>", "Mo-Sa 09:00-12:00"),
        ("<p>Lun.-Ven. 08:30-17:00</p>", "Mo-Fr 08:30-17:00"),
        (
            "<p>Accueil téléphonique de 08h30 à 17h30 du lundi au vendredi</p>",
            "Mo-Fr 08:30-17:30",
        ),
        ("<p>Ouvert tous les jours de 10h à 18h</p>", "Mo-Su 10:00-18:00"),
        (
            "<table><tr><th>Lundi</th><td>8h30 - 12h00</td><td>13h30 - 17h00</td></tr>"
            "<tr><th>Mardi</th><td>Fermé</td></tr>"
            "<tr><th>Samedi</th><td>9:00-12:00</td></tr></table>",
            "Mo 08:30-12:00,13:30-17:00; Sa 09:00-12:00",
        ),
    ],
)
def test_days_with_times(make_page, body, osm):
    result = opening_hours(_page(make_page, body))
    assert result.found
    assert result.value["osm"] == osm
    oh.OpeningHours(result.value["osm"])  # valid OSM syntax (raises otherwise)
    assert result.value["raw"]
    assert result.evidence[0].xpath


def test_raw_text_is_the_page_text(make_page):
    result = opening_hours(_page(make_page, "<p>Horaires : le mardi : 9h - 12h</p>"))
    assert result.value["raw"] == "mardi : 9h - 12h"


@pytest.mark.parametrize(
    "body",
    [
        # event dates
        "<p>Réunion publique le lundi 29 avril 2024 de 18h à 20h</p>",
        "<p>Permanence le mardi 12/03 de 9h à 12h</p>",
        "<p>Portes ouvertes de 14h à 17h le samedi 12 octobre</p>",
        # labour-law working hours
        "<p>Les horaires de travail du salarié sont fixés du lundi au vendredi de 9h à 17h.</p>",
        "<p>La durée du travail : le salarié travaille du lundi au vendredi, 8h-12h.</p>",
        # a bare "horaires" link or heading with no times
        '<a href="/horaires">Horaires</a><h2>Horaires d\'ouverture</h2>',
        # days with no time
        "<p>Mer sur RDV · Samedi : fermé</p>",
        # times with no day
        "<p>Accueil de 9h à 12h</p>",
        "<p>Accueil de 9h à 12h, fermé le lundi</p>",
        # numbers that are not times
        "<p>Lundi : 3-4 personnes, 12/14 ans</p>",
    ],
)
def test_not_opening_hours(make_page, body):
    result = opening_hours(_page(make_page, body))
    assert not result.found
    assert result.value is None


def test_hours_in_script_do_not_count(make_page):
    page = _page(make_page, '<script>var h = "du lundi au vendredi de 9h à 12h";</script>')
    assert not opening_hours(page).found


def test_schema_org_opening_hours_text(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        ' "openingHours": ["Mo-Fr 08:30-12:00", "Sa 09:00-12:00"]}'
        "</script></head><body><p>Bienvenue</p></body></html>"
    )
    result = opening_hours(page)
    assert result.value["osm"] == "Mo-Fr 08:30-12:00; Sa 09:00-12:00"
    assert result.evidence[0].source == "structured_data"


def test_schema_org_opening_hours_specification(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        ' "openingHoursSpecification": [{"@type": "OpeningHoursSpecification",'
        ' "dayOfWeek": ["https://schema.org/Monday", "Tuesday"],'
        ' "opens": "08:30:00", "closes": "12:00:00"}]}'
        "</script></head><body></body></html>"
    )
    result = opening_hours(page)
    assert result.found
    assert result.value["osm"] == "Mo,Tu 08:30-12:00"


def test_invalid_osm_keeps_raw_text_and_stays_found(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        ' "openingHours": "Lundi au vendredi 9h-12h"}'
        "</script></head><body></body></html>"
    )
    result = opening_hours(page)
    assert result.found
    assert result.value == {
        "osm": None,
        "raw": "Lundi au vendredi 9h-12h",
        "defenseur_des_droits": None,
    }


def test_same_hours_twice_are_one_rule(make_page):
    hours = "Du lundi au vendredi de 9h à 12h"
    body = f"<p>{hours}</p><footer>{hours}</footer>"
    assert opening_hours(_page(make_page, body)).value["osm"] == "Mo-Fr 09:00-12:00"


@pytest.mark.parametrize(
    ("body", "osm", "open_on_monday_at"),
    [
        # The CAF demo: the phone line's hours, then the desk's; Monday 8:45 is open.
        (
            "<p>Appelez le 3230 du lundi au vendredi de 9h à 16h30.</p>"
            "<p>L'accueil est ouvert du lundi au vendredi de 8h30 à 16h30.</p>",
            "Mo-Fr 08:30-16:30",
            [(8, 45)],
        ),
        # A later reading for Monday adds its afternoon; the morning stays open.
        (
            "<p>Du lundi au vendredi de 8h30 à 12h.</p><p>Permanence le lundi de 14h à 17h.</p>",
            "Mo 08:30-12:00,14:00-17:00; Tu-Fr 08:30-12:00",
            [(10, 0), (15, 0)],
        ),
    ],
)
def test_every_reading_of_the_page_adds_hours(make_page, body, osm, open_on_monday_at):
    """One schedule for the page: in OSM a later ``;`` rule would replace earlier hours."""
    value = opening_hours(_page(make_page, body)).value
    assert value["osm"] == osm
    for hour, minute in open_on_monday_at:
        state, _ = oh.OpeningHours(value["osm"]).state(datetime(2026, 11, 30, hour, minute))
        assert state == oh.State.OPEN, (hour, minute)  # 2026-11-30 is a Monday


@pytest.mark.parametrize(
    ("opening_hours_value", "text", "osm"),
    [
        # The CAF case in structured data: two rules for the same days, in one value.
        ('"Mo-Fr 09:00-16:30; Mo-Fr 08:30-16:30"', "", "Mo-Fr 08:30-16:30"),
        ('"Mo,We 09:00-12:00;Mo 14:00-17:00"', "", "Mo 09:00-12:00,14:00-17:00; We 09:00-12:00"),
        # Several rules in one value, and the text adds an afternoon to Monday.
        (
            '"Mo-Fr 09:00-12:00; Sa 09:00-12:00"',
            "<p>Le lundi de 14h à 17h</p>",
            "Mo 09:00-12:00,14:00-17:00; Tu-Sa 09:00-12:00",
        ),
        # An array of values, one of them with two rules.
        (
            '["Mo-Fr 08:30-12:00; Mo-Fr 13:30-17:00", "Sa 09:00-12:00"]',
            "",
            "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00",
        ),
    ],
)
def test_structured_rules_in_one_value_are_merged_per_day(
    make_page, opening_hours_value, text, osm
):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        f' "openingHours": {opening_hours_value}}}'
        f"</script></head><body>{text}</body></html>"
    )
    value = opening_hours(page).value
    assert value["osm"] == osm
    oh.OpeningHours(value["osm"])


def test_a_table_and_its_structured_data_make_one_grouped_schedule(make_page):
    """The préfecture demo: a row per day, and the same hours in schema.org."""
    rows = [("Lundi", True), ("Mardi", True), ("Mercredi", False), ("Jeudi", True)]
    rows.append(("Vendredi", False))
    table = "".join(
        f"<tr><th>{day}</th><td>8h45 - 12h00</td><td>{'13h30 - 16h00' if pm else ''}</td></tr>"
        for day, pm in rows
    )
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        ' "openingHoursSpecification": ['
        '{"dayOfWeek": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],'
        ' "opens": "08:45", "closes": "12:00"},'
        '{"dayOfWeek": ["Monday", "Tuesday", "Thursday"], "opens": "13:30", "closes": "16:00"}'
        f"]}}</script></head><body><table>{table}</table></body></html>"
    )
    value = opening_hours(page).value
    assert value["osm"] == "Mo,Tu,Th 08:45-12:00,13:30-16:00; We,Fr 08:45-12:00"
    # The structured data said nothing the table had not: its rules are not in ``raw``.
    assert value["raw"].split(" · ")[0] == "Lundi 8h45 - 12h00 13h30 - 16h00"
    assert len(value["raw"].split(" · ")) == 5


def test_structured_hours_in_another_osm_form_are_added_as_written(make_page):
    page = make_page(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "GovernmentOffice",'
        ' "openingHours": ["08:00-12:00", "Mo-Fr 08:30-12:00"]}'
        "</script></head><body><p>Le samedi de 9h à 12h</p>"
        "<p>Du lundi au vendredi de 8h30 à 12h</p></body></html>"
    )
    value = opening_hours(page).value
    # A rule with no day (every day, in OSM) is not read: it follows as an additional rule.
    assert value["osm"] == "Mo-Fr 08:30-12:00; Sa 09:00-12:00, 08:00-12:00"
    # Hours read in the text and again in the structured data are written once.
    assert value["raw"] == "samedi de 9h à 12h · lundi au vendredi de 8h30 à 12h · 08:00-12:00"


# -- hours quoted for another body: the Défenseur des droits ------------------------------

_RECOURSE = (
    "<h2>Voies de recours</h2><p>Si vous constatez un défaut d'accessibilité vous empêchant "
    "d'accéder à un contenu, vous pouvez saisir le Défenseur des droits.</p>{quote}"
)


@pytest.mark.parametrize(
    ("quote", "osm"),
    [
        # The standard declaration text, as sites write it.
        (
            "<p>Pour le joindre, vous pouvez :</p><ul><li>Composer le 09 69 39 00 00 (du "
            "lundi au vendredi de 8h à 20h)</li></ul>",
            "Mo-Fr 08:00-20:00",
        ),
        (
            "<p>Plusieurs moyens sont à votre disposition : un numéro de téléphone : le 09 69 "
            "39 00 00 du lundi au vendredi de 8h00 à 20h00 (coût d'un appel local)</p>",
            "Mo-Fr 08:00-20:00",
        ),
        # The hours after the number, across a sentence end.
        (
            "<p>Téléphone : 09.69.39.00.00. Du lundi au vendredi de 8h30 à 19h30.</p>",
            "Mo-Fr 08:30-19:30",
        ),
        # The Défenseur named in the same sentence as the hours.
        (
            "<p>Le Défenseur des droits répond du lundi au vendredi de 8h30 à 19h30.</p>",
            "Mo-Fr 08:30-19:30",
        ),
        # The hours on their own line under a heading or the number.
        (
            "<h3>Défenseur des droits</h3><p>Du lundi au vendredi de 8h30 à 19h30</p>",
            "Mo-Fr 08:30-19:30",
        ),
        (
            "<p>Téléphone : 09 69 39 00 00</p><p>Horaires : lundi-vendredi 8h30-19h30</p>",
            "Mo-Fr 08:30-19:30",
        ),
    ],
)
def test_defenseur_des_droits_hours_are_not_the_sites(make_page, quote, osm):
    result = opening_hours(_page(make_page, _RECOURSE.format(quote=quote)))
    assert not result.found
    assert result.value["osm"] is None
    assert result.value["defenseur_des_droits"]["osm"] == osm
    assert result.evidence  # where the quoted hours are


def test_defenseur_hours_beside_the_sites_own(make_page):
    quote = (
        "<ul><li>Composer le 09 69 39 00 00 (du lundi au vendredi de 8h à 20h)</li></ul>"
        "<footer><p>Mairie, ouverte du lundi au vendredi de 9h à 12h</p></footer>"
    )
    result = opening_hours(_page(make_page, _RECOURSE.format(quote=quote)))
    assert result.found
    assert result.value["osm"] == "Mo-Fr 09:00-12:00"  # not merged with the Défenseur's
    assert result.value["defenseur_des_droits"] == {
        "osm": "Mo-Fr 08:00-20:00",
        "raw": "lundi au vendredi de 8h à 20h",
    }


@pytest.mark.parametrize(
    "body",
    [
        # the site's hours in the sentence after the one naming the Défenseur
        "<p>Vous pouvez saisir le Défenseur des droits. La mairie est ouverte du lundi au "
        "vendredi de 9h à 12h.</p>",
        # a long paragraph naming the Défenseur is no heading for the next line
        _RECOURSE.format(quote="<p>Accueil du lundi au vendredi de 9h à 12h</p>"),
    ],
)
def test_the_sites_hours_near_a_mention_of_the_defenseur_stay_the_sites(make_page, body):
    result = opening_hours(_page(make_page, body))
    assert result.found
    assert result.value["osm"] == "Mo-Fr 09:00-12:00"
    assert result.value["defenseur_des_droits"] is None


# -- peak_hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<p>Évitez les heures d'affluence : le lundi matin et le vendredi après-midi.</p>",
        "<p>Heures creuses : le mardi et le jeudi de 14h à 16h.</p>",
        "<p>Pendant les périodes de forte affluence, l'attente peut dépasser 1 heure.</p>",
        "<p>Venez de préférence aux créneaux les moins chargés (mercredi matin).</p>",
    ],
)
def test_peak_hours_found(make_page, body):
    result = peak_hours(_page(make_page, body))
    assert result.found
    assert len(result.value) == 1
    assert result.value[0] in _page(make_page, body).text
    assert result.evidence[0].xpath


@pytest.mark.parametrize(
    "body",
    [
        "<p>Horaires d'ouverture : du lundi au vendredi de 9h à 12h.</p>",
        "<p>Tarif heures creuses de l'électricité : abonnement et compteur Linky.</p>",
        '<script>var t = "heures d\'affluence";</script>',
    ],
)
def test_peak_hours_not_found(make_page, body):
    result = peak_hours(_page(make_page, body))
    assert not result.found
    assert result.value is None
