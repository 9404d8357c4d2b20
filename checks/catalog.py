"""What each check is, in one table: the source of the data dictionary and of ``vigie checks``.

For every check id: its engagement, what counts and what does not (in French, the words
people read), whether finding it is good or bad, whether it counts toward an engagement's
coverage, and which types of administration it applies to. The value's shape is written
once, in the ``Value:`` paragraph of the check's own module (``tests/test_check_values_
documented.py``); :func:`value_shape` reads it from there.

Applicability is a decision of the programme, written here so that it is reviewed in one
place: a check that does not apply to a type of administration (a town hall is not asked
for a FranceConnect login or a live chat) is ``not_applicable`` for the sites of that type,
never a point to fix, and does not count in their coverage. ``docs/data-dictionary.md`` is
generated from this module (``vigie checks --markdown``); a test keeps the two equal.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

#: The types of administration of a seed list (``crawler/seeds.py`` accepts these).
TYPES: tuple[str, ...] = (
    "mairie",
    "prefecture",
    "caf",
    "cpam",
    "ministere",
    "hopital",
    "universite",
    "departement",
    "region",
    "agence",
    "operateur",
    "autre",
)

#: Bodies that run the State's online procedures and programme tools (FranceConnect
#: accounts, "Je donne mon avis", published Services Publics + results, the right to
#: error on declarations): State services, social security funds, agencies and operators.
_STATE_NETWORK = frozenset(
    ("prefecture", "caf", "cpam", "ministere", "agence", "operateur", "autre")
)
#: Bodies with a large contact centre, where a live chat is a reasonable expectation.
_CONTACT_CENTRES = frozenset(("caf", "cpam", "agence", "operateur", "autre"))


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """One check of the contract, as the data dictionary describes it."""

    id: str
    engagement: int
    title: str
    counts: str
    does_not_count: str = ""
    #: Finding it is a problem (a surcharged number), not a success.
    bad_when_found: bool = False
    #: The types it applies to; ``None``: every type.
    applies_to: frozenset[str] | None = None
    #: Judged on rendered pages only (``checks/rendered.py``).
    rendered: bool = False
    #: An indicator reported without a verdict (``found`` means "measured").
    indicator: bool = False

    def applies(self, site_type: str) -> bool:
        return self.applies_to is None or site_type in self.applies_to


CATALOG: tuple[CheckInfo, ...] = (
    # -- engagement 2 ------------------------------------------------------------------
    CheckInfo(
        "phone",
        2,
        "Numéro de téléphone",
        "un numéro français valide montré aux usagers, en texte ou en lien tel: ; numéros "
        "courts à 4 chiffres (3939) à côté d'un mot du téléphone ou en lien tel:",
        "dates, SIRET/SIREN, codes postaux, IBAN, numéros de dossier, prix ; un numéro de "
        "fax seul ; le numéro d'un autre organisme cité (Défenseur des droits)",
    ),
    CheckInfo(
        "premium_phone",
        2,
        "Numéro surtaxé",
        "un numéro surtaxé est affiché : 081x, 082x, 089x, ou 118xxx",
        "0800 à 0805 (gratuits), 0806 à 0809 (prix d'un appel normal) ; numéros courts dont "
        "le coût n'est pas dit sur la page",
        bad_when_found=True,
    ),
    CheckInfo(
        "email",
        2,
        "Adresse électronique",
        "une adresse de contact montrée aux usagers : lien mailto: ou texte, y compris "
        "écrite « contact [at] exemple.fr »",
        "liens de partage mailto: sans adresse, adresses seulement dans des scripts, noms "
        "d'images (logo@2x.png)",
    ),
    CheckInfo(
        "contact_form",
        2,
        "Formulaire de contact",
        "un lien « Contact », « Nous contacter », « Nous écrire »… vers une page, ou un "
        "formulaire avec un champ de message",
        "boutons « contact » des réseaux sociaux ; un « Nous contacter » vers mailto: "
        "(c'est une adresse électronique)",
    ),
    CheckInfo(
        "opening_hours",
        2,
        "Horaires d'ouverture",
        "des jours avec des heures d'accueil (phrases, tableaux, données schema.org), "
        "rendus en syntaxe opening_hours d'OpenStreetMap",
        "horaires de travail d'un texte de droit du travail, dates d'événements, un lien "
        "« horaires » sans heures, les horaires d'un autre organisme cité",
    ),
    CheckInfo(
        "peak_hours",
        2,
        "Heures d'affluence",
        "les heures d'affluence ou creuses sont publiées",
    ),
    CheckInfo(
        "appointment",
        2,
        "Prise de rendez-vous en ligne",
        "un lien de prise de rendez-vous vers une page de réservation, ou vers une "
        "plateforme connue (RDV Service Public, rdv-solidarites.fr, Doctolib…)",
        "« sur rendez-vous » en texte sans lien ; une ancre dans la page ; une page qui parle "
        "de prise de rendez-vous sans en permettre (étude, actualité)",
        applies_to=frozenset(TYPES) - {"ministere"},
    ),
    CheckInfo(
        "address",
        2,
        "Adresse de l'accueil",
        "une adresse postale : ligne de rue, code postal à 5 chiffres et commune, ou "
        "schema.org PostalAddress ; une ligne BP/CS/TSA après la rue ne gêne pas",
        "un code postal seul, une boîte postale seule (« BP 2720, 80027 Amiens CEDEX »)",
    ),
    CheckInfo(
        "service_public_link",
        2,
        "Lien vers service-public.fr",
        "un lien vers service-public.fr ou l'un de ses sous-domaines",
        "le texte « service-public.fr » sans lien",
    ),
    CheckInfo(
        "chat",
        2,
        "Messagerie instantanée",
        "un accès à une discussion en direct : module de chat, « Discuter avec un conseiller »",
        "une messagerie accessible seulement après connexion",
        applies_to=_CONTACT_CENTRES,
    ),
    # -- engagement 3 ------------------------------------------------------------------
    CheckInfo(
        "a11y_mention",
        3,
        "Mention d'accessibilité",
        "la mention légale « Accessibilité : totalement / partiellement / non conforme »",
        "le mot « accessibilité » seul ; le modèle du DSFR laissé tel quel "
        "(« non/partiellement/totalement conforme »)",
    ),
    CheckInfo(
        "a11y_statement",
        3,
        "Déclaration d'accessibilité",
        "un lien vers la déclaration d'accessibilité, ou la page de la déclaration elle-même "
        "(taux de conformité et date d'audit lus quand elle est explorée)",
    ),
    CheckInfo(
        "faq",
        3,
        "Aide / questions fréquentes",
        "un lien vers une FAQ, une foire aux questions, une aide ou des tutoriels, ou une "
        "telle page",
    ),
    CheckInfo(
        "mediator",
        3,
        "Médiateur",
        "les coordonnées d'un médiateur : lien « Saisir le médiateur », bloc nommant le "
        "médiateur avec une adresse, un courriel, un téléphone ou un formulaire",
        "le mot dans un texte général (« procédure de médiation »), « médiathèque » ; le "
        "Défenseur des droits seul (noté à part)",
    ),
    CheckInfo(
        "accessible_phone",
        3,
        "Accueil des personnes sourdes et malentendantes",
        "un service téléphonique adapté : « sourds et malentendants », services relais "
        "(Acceo, Elioz, Rogervoice, Deafi, 114)",
    ),
    # -- engagements 1, 4, 6, 7, 9 ------------------------------------------------------
    CheckInfo(
        "jdma_button",
        7,
        "Bouton « Je donne mon avis »",
        "le bouton ou le module « Je donne mon avis » (jedonnemonavis.numerique.gouv.fr, "
        "voxusagers, monavis)",
        "un lien « donnez votre avis » vers autre chose (une consultation locale)",
        applies_to=_STATE_NETWORK,
    ),
    CheckInfo(
        "quality_results",
        6,
        "Résultats de qualité de service",
        "un lien vers resultats-services-publics.gouv.fr ou une page qui publie des "
        "résultats de qualité de service",
        applies_to=_STATE_NETWORK,
    ),
    CheckInfo(
        "oups_link",
        1,
        "Lien vers oups.gouv.fr (droit à l'erreur)",
        "un lien vers oups.gouv.fr",
        applies_to=_STATE_NETWORK,
    ),
    CheckInfo(
        "franceconnect",
        4,
        "Connexion FranceConnect",
        "un bouton ou un lien FranceConnect",
        applies_to=_STATE_NETWORK,
    ),
    CheckInfo(
        "legal_notice",
        4,
        "Mentions légales",
        "un lien « Mentions légales »",
    ),
    CheckInfo(
        "privacy",
        4,
        "Données personnelles",
        "un lien « Données personnelles » ou « Politique de confidentialité »",
    ),
    # -- rendered pages ----------------------------------------------------------------
    CheckInfo(
        "mobile_ready",
        4,
        "Adapté au mobile",
        "une balise meta viewport avec width=device-width, et pas de défilement horizontal "
        "à 320 px de large, sur les pages rendues",
        rendered=True,
    ),
    CheckInfo(
        "ecoindex",
        9,
        "EcoIndex",
        "le score EcoIndex (0 à 100) et sa note (A à G), calculés sur les pages rendues à "
        "partir du nombre d'éléments, de requêtes et du poids transféré",
        rendered=True,
        indicator=True,
    ),
    CheckInfo(
        "plain_language",
        7,
        "Langage clair",
        "la lisibilité du texte principal (Kandel et Moles, LIX, longueur des phrases), un "
        "indicateur sans verdict",
        rendered=True,
        indicator=True,
    ),
)

BY_ID: dict[str, CheckInfo] = {info.id: info for info in CATALOG}


def info(check_id: str) -> CheckInfo:
    return BY_ID[check_id]


def applies(check_id: str, site_type: str) -> bool:
    """Whether ``check_id`` applies to a site of ``site_type`` (unknown ids apply)."""
    entry = BY_ID.get(check_id)
    return entry is None or entry.applies(site_type)


_VALUE = re.compile(r"^Value(?: \((?P<ids>[^)]*)\))?: (?P<text>.*?)(?:\n\n|\Z)", re.M | re.S)


def value_shape(check_id: str) -> str:
    """The ``Value:`` paragraph of the check's module docstring (English, as written)."""
    from checks.registry import REGISTRY
    from checks.rendered import RENDERED_REGISTRY

    fn = REGISTRY.get(check_id) or RENDERED_REGISTRY.get(check_id)
    if fn is None:
        return ""
    doc = sys.modules[fn.__module__].__doc__ or ""
    for match in _VALUE.finditer(doc):
        ids = re.split(r"[\s,/]+", match["ids"]) if match["ids"] else []
        if not ids or check_id in ids:
            return " ".join(match["text"].split())
    return ""
