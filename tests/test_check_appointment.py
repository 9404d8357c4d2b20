"""``appointment`` (CHECKS.md, engagement 2): a booking label needs a booking target.

The label and platform cases are in ``tests/test_check_links.py``; here, links whose label
talks about appointments without leading to a booking page (measured on real pages: a
study, a news item about "la prise de rendez-vous").
"""

from __future__ import annotations

import pytest

from checks.appointment import appointment


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


@pytest.mark.parametrize(
    "link",
    [
        # a study, a report, a barometer: headlines about appointments
        '<a href="/etat/etude-rdv">Étude sur la prise de rendez-vous en ligne dans les '
        "services publics</a>",
        '<a href="/publications/rapport">Rapport annuel : la prise de rendez-vous</a>',
        '<a href="/dossiers/barometre">Baromètre de la prise de rendez-vous en ligne</a>',
        '<a href="/infos/etude">Étude : la prise de rendez-vous en ligne</a>',
        # news items: the topic words, a year, a news or press section
        '<a href="/infos/123">Prise de rendez-vous : les nouveautés 2024</a>',
        '<a href="/infos/456">La prise de rendez-vous en ligne se généralise</a>',
        '<a href="/actualites/rdv-en-ligne">RDV en ligne : ce qui change</a>',
        '<a href="/presse/communique-12">Prendre rendez-vous en mairie</a>',
        '<a href="/actu-prise-de-rendez-vous">Prise de rendez-vous en ligne</a>',
        # the subject of the page, not the action
        '<a href="/infos/rdv">À propos de la prise de rendez-vous en ligne</a>',
        '<a href="/infos/rdv">Questions sur la prise de rendez-vous</a>',
        # a document is not a booking page
        '<a href="/files/prendre-rendez-vous.pdf">Prendre rendez-vous</a>',
        '<a href="/files/guide.docx?v=2">Prise de rendez-vous en ligne</a>',
    ],
)
def test_a_link_talking_about_appointments_is_not_a_booking_link(make_page, link):
    result = appointment(_page(make_page, f"<ul><li>{link}</li></ul>"))
    assert not result.found
    assert result.value is None


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ('<a href="/demarches/rendez-vous">Prendre rendez-vous</a>', "/demarches/rendez-vous"),
        ('<a href="/cni/rdv">Carte d\'identité : prendre rendez-vous</a>', "/cni/rdv"),
        ('<a href="/etat-civil/rdv">Prise de rendez-vous en ligne</a>', "/etat-civil/rdv"),
        ('<a href="/rendez-vous">Pour la prise de rendez-vous, cliquez ici</a>', "/rendez-vous"),
        ('<a href="/rdv?motif=etude">Réserver un créneau</a>', "/rdv?motif=etude"),
        # what one books may be a study of one's file or a health check
        (
            '<a href="/rdv/dossier">Prendre rendez-vous pour l\'étude de votre dossier</a>',
            "/rdv/dossier",
        ),
        ('<a href="/sante/rdv">Prendre rendez-vous pour un bilan de santé</a>', "/sante/rdv"),
    ],
)
def test_a_call_to_book_still_counts(make_page, link, url):
    result = appointment(_page(make_page, link))
    assert result.found
    assert result.value[0]["url"] == "https://www.mairie-exemple.fr" + url


def test_a_booking_platform_counts_whatever_its_label(make_page):
    body = '<a href="https://rdv.anct.gouv.fr/org/12">Étude de votre dossier : RDV 2024</a>'
    result = appointment(_page(make_page, body))
    assert result.found
    assert result.value[0]["platform"] == "rdv.anct.gouv.fr"
