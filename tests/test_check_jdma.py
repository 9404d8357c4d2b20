"""``jdma_button``: the "Je donne mon avis" button, its legacy forms and the widget."""

from __future__ import annotations

import pytest

import checks  # noqa: F401  (registers every check)
from checks.registry import REGISTRY

URL = "https://www.demarche-exemple.gouv.fr/confirmation"


def run(make_page, body: str, url: str = URL):
    page = make_page(f"<html><head><title>Démarche</title></head><body>{body}</body></html>", url)
    return REGISTRY["jdma_button"](page)


def test_current_button_with_image(make_page):
    body = (
        '<a href="https://jedonnemonavis.numerique.gouv.fr/Demarches/3217?button=3476" '
        'target="_blank" title="Je donne mon avis - nouvelle fenêtre">'
        '<img src="https://jedonnemonavis.numerique.gouv.fr/static/bouton-bleu.svg" '
        'alt="Je donne mon avis"></a>'
    )
    result = run(make_page, body)
    assert result.found
    assert result.value["form_id"] == "3217"
    assert result.value["button_id"] == "3476"
    assert result.value["variant"] == "image"
    assert result.evidence[0].xpath.endswith("/a")


def test_new_buttons_folder_image(make_page):
    body = (
        '<a href="https://jedonnemonavis.numerique.gouv.fr/Demarches/42?button=7">'
        '<img src="https://jedonnemonavis.numerique.gouv.fr/static/buttons/button-jdma-solid-'
        'light.svg" alt="Je donne mon avis"></a>'
    )
    assert run(make_page, body).value["variant"] == "image"


def test_legacy_voxusagers_link(make_page):
    body = (
        '<a href="https://voxusagers.numerique.gouv.fr/Demarches/2779?&amp;view-mode=formulaire-'
        "avis&amp;nd_mode=en-ligne-enti%C3%A8rement&amp;nd_source=button&amp;key=73366ddb13d498"
        'f4c77d01c2983bab48"><img src="https://voxusagers.numerique.gouv.fr/static/bouton-blanc'
        '.svg" alt="Je donne mon avis"></a>'
    )
    result = run(make_page, body)
    assert result.found
    assert result.value["form_id"] == "2779"
    assert result.value["button_id"] == "73366ddb13d498f4c77d01c2983bab48"
    assert result.value["variant"] == "image"


def test_legacy_monavis_png_button(make_page):
    body = (
        '<a href="https://monavis.numerique.gouv.fr/Demarches/1234?&amp;nd_source=button&amp;'
        'key=abc"><img src="https://monavis.numerique.gouv.fr/monavis-static/bouton-bleu.png" '
        'alt="Je donne mon avis"></a>'
    )
    result = run(make_page, body)
    assert result.value == {
        "form_id": "1234",
        "button_id": "abc",
        "variant": "image",
        "url": "https://monavis.numerique.gouv.fr/Demarches/1234?&nd_source=button&key=abc",
    }


def test_text_link(make_page):
    body = (
        '<a href="https://jedonnemonavis.numerique.gouv.fr/Demarches/3217?button=3476">'
        "Donnez votre avis sur cette démarche</a>"
    )
    assert run(make_page, body).value["variant"] == "text_link"


def test_widget_script(make_page):
    body = (
        '<script src="https://jedonnemonavis.numerique.gouv.fr/Demarches/assets/jdma-modal-widget'
        '.js" data-jdma-form-url="https://jedonnemonavis.numerique.gouv.fr/Demarches/avis/42?'
        'button=123" data-jdma-button-label="Je donne mon avis" defer></script><p>Page</p>'
    )
    result = run(make_page, body)
    assert result.found
    assert result.value["variant"] == "widget"
    assert result.value["form_id"] == "42"
    assert result.value["button_id"] == "123"
    assert result.value["url"] == (
        "https://jedonnemonavis.numerique.gouv.fr/Demarches/avis/42?button=123"
    )
    assert "jdma-modal-widget.js" in result.evidence[0].snippet


def test_widget_form_url_written_relative_is_made_absolute(make_page):
    """A site proxying the service writes the form's path only: the value is an address."""
    body = (
        '<script src="/assets/jdma-modal-widget.js" data-jdma-form-url="/Demarches/avis/7"'
        "></script><p>Page</p>"
    )
    result = run(make_page, body)
    assert result.found and result.value["variant"] == "widget"
    assert result.value["url"].startswith(("http://", "https://"))
    assert result.value["url"].endswith("/Demarches/avis/7")


def test_lone_button_image(make_page):
    body = '<img src="https://jedonnemonavis.numerique.gouv.fr/static/bouton-bleu.svg" alt="">'
    result = run(make_page, body)
    assert result.found
    assert result.value["variant"] == "image"
    assert result.value["form_id"] is None
    assert result.value["url"] is None  # the key is always there: one shape for the table


@pytest.mark.parametrize(
    "body",
    [
        # A local consultation: "donnez votre avis" to anything else does not count.
        '<a href="/plui-h-d/concertation">Suivez l’étude et donnez votre avis</a>',
        '<a href="https://www.mairie-exemple.fr/avis">Je donne mon avis</a>',
        # The JDMA host but not a form.
        '<a href="https://jedonnemonavis.numerique.gouv.fr/">Le service Je donne mon avis</a>',
        # A look-alike host.
        '<a href="https://jedonnemonavis.numerique.gouv.fr.example.com/Demarches/1">Avis</a>',
        # Self-hosted copy of the image: cannot be told from any other image.
        '<img src="/images/bouton-bleu.svg" alt="Je donne mon avis">',
        # The widget's URL only as text inside an inline script.
        "<script>load('https://jedonnemonavis.numerique.gouv.fr/static/jdma-modal-widget.js')"
        "</script><p>x</p>",
    ],
)
def test_not_the_jdma_button(make_page, body):
    assert not run(make_page, body).found
