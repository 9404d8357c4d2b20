"""``mediator``: a mediator's contact, not the word in prose; Défenseur des droits apart."""

from __future__ import annotations

import pytest

import checks  # noqa: F401  (registers every check)
from checks.registry import REGISTRY

URL = "https://www.caf-exemple.fr/nous-contacter"


def run(make_page, body: str, url: str = URL):
    page = make_page(f"<html><head><title>Contact</title></head><body>{body}</body></html>", url)
    return REGISTRY["mediator"](page)


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="/saisir-le-mediateur">Saisir le médiateur</a>',
        '<a href="/infos/recours">Le médiateur de la CAF</a>',
        '<a href="https://www.mediateur-fonction-publique.fr/">Recours amiable</a>',
        '<a href="https://mediateur.caf-exemple.fr/">Recours</a>',
        '<a href="/recours">La Médiatrice de la ville</a>',
        '<a href="mailto:mediateur@caf-exemple.fr">Écrire</a>',
        '<a href="/mediation-familiale">Service de médiation</a>',
    ],
)
def test_mediator_links(make_page, markup):
    result = run(make_page, f"<footer>{markup}</footer>")
    assert result.found
    assert result.value["links"]
    assert result.evidence[0].xpath.endswith("/a")


@pytest.mark.parametrize(
    "block",
    [
        "<div><h3>Le médiateur de la ville</h3><p>Hôtel de ville, 1 place du Martroi, "
        "45000 Orléans</p></div>",
        "<div><h3>Médiatrice</h3><p>mediatrice@ville-exemple.fr</p></div>",
        "<section><h2>Médiation</h2><p>Tél. : 02 38 00 00 00</p></section>",
        '<div class="card"><h4>Le médiateur</h4><a href="/formulaire-recours">Remplir le '
        "formulaire</a></div>",
    ],
)
def test_mediator_block_with_contact(make_page, block):
    result = run(make_page, block)
    assert result.found
    assert result.value["contacts"]


LABOUR_LAW = """
<article>
<h2>La médiation : dans quelles conditions ?</h2>
<p>Avant tout contentieux, la victime ou la personne mise en cause peut engager une
procédure de médiation. Le médiateur est choisi d'un commun accord entre les parties.
Il peut s'agir d'une personne appartenant à l'entreprise. Le médiateur s'informe de l'état
des relations entre les parties et tente de les concilier.</p>
<p>L’employeur est tenu de réagir immédiatement à une situation de harcèlement.</p>
<p>À savoir ! Avant tout contentieux, une procédure de médiation peut être engagée par l’une
des deux parties (article L. 1152-6 du code du travail, en vigueur depuis le 1er mai 2008).</p>
<p>Voir la <a href="https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000006900826">
médiation prévue par le code du travail</a>.</p>
<nav><a href="#la-mediation">La médiation</a></nav>
</article>
"""


def test_mediator_labour_law_prose_does_not_count(make_page):
    result = run(make_page, LABOUR_LAW, url="https://travail-emploi.gouv.fr/le-harcelement")
    assert not result.found


def test_mediator_prose_with_a_phone_far_away_does_not_count(make_page):
    body = (
        "<p>Une procédure de médiation peut être engagée par l’une des parties selon les "
        "conditions prévues par le code du travail, après accord écrit des deux parties, et "
        "dans un délai raisonnable fixé par elles.</p><p>Standard : 01 23 45 67 89</p>"
    )
    assert not run(make_page, body).found


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="/mediatheque">Médiathèque municipale</a><p>02 38 00 00 00</p>',
        "<h3>Médiathèque</h3><p>1 rue des Livres, 45000 Orléans</p>",
        "<p>Réponse immédiate</p><p>contact@ville.fr</p>",
        '<a href="/actus/mediatisation">Médiatisation</a>',
    ],
)
def test_mediator_other_words(make_page, markup):
    assert not run(make_page, markup).found


def test_defenseur_des_droits_recorded_but_not_found(make_page):
    body = (
        '<p>Vous pouvez <a href="https://formulaire.defenseurdesdroits.fr/">écrire un message '
        "au Défenseur des droits</a>.</p><p>Défenseur des droits<br>Libre réponse 71120<br>"
        "75342 Paris CEDEX 07</p>"
    )
    result = run(make_page, body)
    assert not result.found
    assert result.value["defenseur_des_droits"] == ["https://formulaire.defenseurdesdroits.fr/"]
    assert result.evidence  # where it was seen


def test_defenseur_des_droits_text_only_recorded(make_page):
    result = run(
        make_page, "<p>Consultez les voies de recours sur le site Défenseur des Droits.</p>"
    )
    assert not result.found
    assert result.value["defenseur_des_droits"] == ["Défenseur des Droits"]


def test_mediator_and_defenseur_together(make_page):
    body = (
        '<a href="/mediateur">Saisir le médiateur</a>'
        '<a href="https://www.defenseurdesdroits.fr/">Défenseur des droits</a>'
    )
    result = run(make_page, body)
    assert result.found
    assert result.value["links"] == ["https://www.caf-exemple.fr/mediateur"]
    assert result.value["defenseur_des_droits"] == ["https://www.defenseurdesdroits.fr/"]


def test_mediator_absent(make_page):
    result = run(make_page, "<p>Bienvenue à la CAF.</p>")
    assert not result.found and result.value is None
