"""``contact_form`` (CHECKS.md, engagement 2): a "Nous contacter" e-mail is not a form.

The label, target and message-field cases are in ``tests/test_check_links.py``; here, the
e-mail links and forms written in the ways real pages write them.
"""

from __future__ import annotations

import pytest

from checks.contact_form import contact_form
from checks.email import email


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


@pytest.mark.parametrize(
    "href",
    [
        "mailto:contact@ville-x.fr",
        "MAILTO:contact@ville-x.fr?subject=Demande",
        "  mailto:contact@ville-x.fr",
        # mailto written wrong: the browser takes it for a page of the site
        "mailto :contact@ville-x.fr",
        "mailto%3Acontact%40ville-x.fr",
        "http://mailto:contact@ville-x.fr",
        "https://www.mairie-exemple.fr/mailto:contact@ville-x.fr",
        "/mailto:contact@ville-x.fr",
        # an address alone as the target
        "contact@ville-x.fr",
        "http://contact@ville-x.fr",
    ],
)
@pytest.mark.parametrize("label", ["Nous contacter", "Contactez-nous", "Formulaire de contact"])
def test_a_contact_link_to_an_email_is_not_a_contact_form(make_page, href, label):
    result = contact_form(_page(make_page, f'<footer><a href="{href}">{label}</a></footer>'))
    assert not result.found
    assert result.value is None


def test_a_message_form_posted_by_email_is_an_email_not_a_contact_form(make_page):
    body = (
        '<form action="mailto:mairie@ville-x.fr?subject=Contact" method="post" '
        'enctype="text/plain"><label for="m">Votre message</label>'
        '<textarea id="m" name="message"></textarea><button>Envoyer</button></form>'
    )
    page = _page(make_page, body)
    assert not contact_form(page).found
    result = email(page)
    assert result.found
    assert result.value == [{"address": "mairie@ville-x.fr", "purpose": "mairie"}]
    assert result.evidence[0].xpath == "/html/body/form"


@pytest.mark.parametrize(
    "body",
    [
        '<a href="/nous-contacter">Nous contacter</a>',
        # an "@" in a query is not an address as target
        '<a href="/contact/?ref=news@2024">Nous contacter</a>',
        '<form action="/contact/envoyer" method="post"><label for="m">Votre message</label>'
        '<textarea id="m" name="message"></textarea></form>',
    ],
)
def test_real_contact_forms_still_count(make_page, body):
    assert contact_form(_page(make_page, body)).found
