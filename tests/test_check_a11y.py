"""Engagement 3 accessibility checks: ``a11y_mention``, ``a11y_statement``, ``accessible_phone``."""

from __future__ import annotations

import pytest

import checks  # noqa: F401  (registers every check)
from checks.registry import REGISTRY

URL = "https://www.mairie-exemple.fr/"


def run(make_page, check_id: str, body: str, title: str = "Accueil", url: str = URL):
    page = make_page(f"<html><head><title>{title}</title></head><body>{body}</body></html>", url)
    return REGISTRY[check_id](page)


# -- a11y_mention -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup, value",
    [
        ('<a href="/accessibilite">Accessibilité : partiellement conforme</a>', "partiellement"),
        ('<a href="/accessibilite">Accessibilité: non conforme</a>', "non"),  # no space
        ("<p>ACCESSIBILITÉ : TOTALEMENT CONFORME</p>", "totalement"),
        ("<p>Accessibilité&nbsp;: partiellement conforme (RGAA 4.1)</p>", "partiellement"),
        ("<p>Accessibilité\u202f:\u00a0non conforme</p>", "non"),
        ("<a>Accessibilité :\n   <strong>partiellement\n conforme</strong></a>", "partiellement"),
        ("<li><span>Accessibilité</span><span> : totalement conforme</span></li>", "totalement"),
        ("<p>Accessibilité du site : partiellement conforme</p>", "partiellement"),
    ],
)
def test_a11y_mention_values(make_page, markup, value):
    result = run(make_page, "a11y_mention", f"<footer>{markup}</footer>")
    assert result.found
    assert result.value == value
    assert "conforme" in result.evidence[0].snippet.lower()


def test_a11y_mention_dsfr_placeholder_is_not_a_mention(make_page):
    body = '<a href="/accessibilite">Accessibilité : non/partiellement/totalement conforme</a>'
    result = run(make_page, "a11y_mention", body)
    assert not result.found
    assert result.value == "placeholder"


def test_a11y_mention_real_value_wins_over_a_leftover_placeholder(make_page):
    body = (
        "<p>Accessibilité : non/partiellement/totalement conforme</p>"
        "<p>Accessibilité : partiellement conforme</p>"
    )
    assert run(make_page, "a11y_mention", body).value == "partiellement"


def test_a11y_mention_word_alone_does_not_count(make_page):
    body = '<a href="/accessibilite">Accessibilité</a><p>Accessibilité des bâtiments publics</p>'
    result = run(make_page, "a11y_mention", body)
    assert not result.found and result.value is None


def test_a11y_mention_status_inside_declaration_body_does_not_count(make_page):
    body = (
        "<h1>Déclaration d’accessibilité</h1><h2>État de conformité</h2>"
        "<p>Le site de la mairie est partiellement conforme avec le référentiel général "
        "d’amélioration de l’accessibilité (RGAA), version 4.1.</p>"
        "<p>Le site myHCL est non conforme avec le RGAA.</p>"
    )
    assert not run(make_page, "a11y_mention", body).found


def test_a11y_mention_hidden_in_script_does_not_count(make_page):
    body = '<script>var t="Accessibilité : partiellement conforme";</script><p>Bonjour</p>'
    assert not run(make_page, "a11y_mention", body).found


# -- a11y_statement ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="/accessibilite">Accessibilité : partiellement conforme</a>',
        '<a href="/infos">Déclaration d’accessibilité</a>',
        '<a href="/declaration-accessibilite"><img src="a11y.svg" alt=""></a>',
        '<a href="/ministere/article/accessibilite-du-site-travail">Accessibilité</a>',
        '<a href="/fr/accessibility" title="Déclaration d’accessibilité">Accessibilité</a>',
    ],
)
def test_a11y_statement_links(make_page, markup):
    result = run(make_page, "a11y_statement", f"<footer>{markup}</footer>")
    assert result.found
    assert result.value["url"].startswith("https://www.mairie-exemple.fr/")
    assert "conformity_rate" not in result.value  # only read on the declaration itself


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="#">Accessibilité : non conforme</a>',  # goes nowhere
        '<a href="https://accessibilite.numerique.gouv.fr/">Le RGAA</a>',  # reference site
        '<a href="mailto:accessibilite@mairie.fr">accessibilite@mairie.fr</a>',
        '<a href="/urbanisme/accessibilite-des-batiments">Accessibilité des bâtiments</a>',
        "<p>Accessibilité : non conforme</p>",  # the mention without a link
    ],
)
def test_a11y_statement_traps(make_page, markup):
    assert not run(make_page, "a11y_statement", markup).found


DECLARATION = """
<h1>Déclaration d’accessibilité</h1>
<p>La mairie s’engage à rendre son site accessible.</p>
<h2>État de conformité</h2>
<p>Le site est partiellement conforme avec le RGAA version 4.1.</p>
<h2>Résultats des tests</h2>
<p>Un audit de conformité a été réalisé en novembre 2025. L’audit réalisé par la société X
en date du 31 janvier 2026 révèle :</p>
<ul><li>Un taux global de conformité du site de 86,5 %</li>
<li>Un taux moyen de conformité par page de 94 %</li></ul>
<p><a href="/schema-pluriannuel-2026">Schéma pluriannuel 2026-2028</a></p>
"""


def test_a11y_statement_page_is_the_declaration(make_page):
    result = run(
        make_page,
        "a11y_statement",
        DECLARATION,
        title="Déclaration d'accessibilité",
        url="https://www.mairie-exemple.fr/accessibilite",
    )
    assert result.found
    assert result.value == {
        "url": "https://www.mairie-exemple.fr/accessibilite",
        "conformity_rate": 86.5,
        "audit_date": "2026-01-31",
        "schema_pluriannuel": "https://www.mairie-exemple.fr/schema-pluriannuel-2026",
    }


def test_a11y_statement_rate_in_criteria_form_month_date_and_inline_schema(make_page):
    body = (
        "<h1>Accessibilité</h1><h2>État de conformité</h2><p>RGAA 4.1</p>"
        "<p>L’audit réalisé en mars 2024 révèle que 72 % des critères du RGAA sont respectés.</p>"
        "<h2>Schéma pluri-annuel</h2><p>2024-2026</p>"
    )
    result = run(make_page, "a11y_statement", body, title="Accessibilité")
    assert result.found
    assert result.value["conformity_rate"] == 72.0
    assert result.value["audit_date"] == "2024-03"
    assert result.value["schema_pluriannuel"] == URL  # published on the page itself


def test_a11y_statement_declaration_without_audit(make_page):
    body = (
        "<h1>Déclaration d'accessibilité</h1><p>Le site est non conforme avec le RGAA en raison "
        "de l’absence d’audit.</p>"
    )
    result = run(make_page, "a11y_statement", body)
    assert result.found
    assert result.value["conformity_rate"] is None
    assert result.value["audit_date"] is None
    assert result.value["schema_pluriannuel"] is None


# -- accessible_phone -------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<p>Accueil des personnes sourdes et malentendantes</p>",
        "<p>Service accessible aux sourds et malentendants via Acceo.</p>",
        "<p>Pour les personnes malentendantes : appel via Elioz.</p>",
        '<a href="https://monespacesante.elioz.fr/3.0/?hash=x">Accès sourds</a>',
        "<p>Appelez avec Rogervoice ou Deafi</p>",
        "<p>Urgences pour les personnes sourdes : envoyez un SMS au 114.</p>",
    ],
)
def test_accessible_phone(make_page, markup):
    result = run(make_page, "accessible_phone", markup)
    assert result.found
    assert result.evidence


@pytest.mark.parametrize(
    "markup",
    [
        "<p>114 rue de la République, 45000 Orléans</p>",
        "<p>Article 114 du règlement ; 1140 habitants ; SMS au 3114</p>",
        "<p>Service accessible aux personnes à mobilité réduite.</p>",
        "<p>Un accès facile à nos services</p>",  # "acce" is not Acceo
    ],
)
def test_accessible_phone_traps(make_page, markup):
    assert not run(make_page, "accessible_phone", markup).found
