"""What the reports say about each check: French label, what to do, and why it is required.

Kept in one data module so that the wording a web team reads, and the legal or programme
reference behind it, is reviewed in one place (by the programme, by a lawyer) rather than
scattered through templates. Sources: the "Services Publics +" commitments (DITP, October
2020, ``../shared/reference/engagements-services-publics-plus.md``) and the laws they cite.
"""

from __future__ import annotations

from dataclasses import dataclass

from checks.site import COVERAGE_ELEMENTS, NO_CRITICAL_AXE, Element

#: The engagements of "Services Publics +" named by the checks (short French titles).
ENGAGEMENT_TITLES: dict[int, str] = {
    1: "Bienveillance et droit à l'erreur",
    2: "Joignables par téléphone ou sur place, démarches en ligne facilitées",
    3: "Accompagnement adapté à chaque situation",
    4: "Orientation vers le bon interlocuteur",
    5: "Réponses dans les délais annoncés",
    6: "Résultats de qualité de service",
    7: "Avis des usagers pris en compte",
    8: "Compétences et amélioration continue",
    9: "Éco-responsabilité",
}

SP_PLUS = "Services Publics +, engagement"
A11Y_LAW = (
    "article 47 de la loi n° 2005-102 du 11 février 2005 et décret n° 2019-768 du "
    "24 juillet 2019 (RGAA)"
)


@dataclass(frozen=True, slots=True)
class Advice:
    """How the reports present one check.

    ``todo`` is the one sentence shown when the check is not met; ``reference`` names the
    legal text or the programme commitment that asks for it. ``problem_when_found`` flips
    the reading (a surcharged number is a problem when found). ``indicator`` marks a
    measure reported without a verdict.
    """

    label: str
    short: str
    engagement: int
    todo: str
    reference: str
    problem_when_found: bool = False
    indicator: bool = False


ADVICE: dict[str, Advice] = {
    "phone": Advice(
        "Numéro de téléphone",
        "Téléphone",
        2,
        "Affichez au moins un numéro de téléphone non surtaxé avec sa finalité (standard, "
        "accueil…), en lien « tel: », sur la page de contact et en pied de page.",
        f"{SP_PLUS} 2 : « le(s) numéro(s) de téléphone et leurs finalités respectives ».",
    ),
    "premium_phone": Advice(
        "Numéro surtaxé",
        "Surtaxé",
        2,
        "Remplacez le numéro surtaxé par un numéro gratuit ou au prix d'un appel normal.",
        f"{SP_PLUS} 2 : « Les appels téléphoniques ne sont pas surtaxés » ; article 28 de la "
        "loi n° 2018-727 du 10 août 2018 (ESSOC).",
        problem_when_found=True,
    ),
    "email": Advice(
        "Adresse électronique",
        "Courriel",
        2,
        "Publiez une adresse électronique de contact avec sa finalité, ou à défaut un "
        "formulaire de contact.",
        f"{SP_PLUS} 2 : « les adresses courriels et leurs finalités respectives ».",
    ),
    "contact_form": Advice(
        "Formulaire de contact",
        "Formulaire",
        2,
        "Proposez un formulaire de contact (« Nous contacter ») lié depuis toutes les pages.",
        f"{SP_PLUS} 2 : l'usager a le choix entre plusieurs modes de contact.",
    ),
    "opening_hours": Advice(
        "Horaires d'ouverture",
        "Horaires",
        2,
        "Indiquez les jours et heures d'ouverture de l'accueil physique et téléphonique, en "
        "texte (et en données schema.org « openingHours » si possible).",
        f"{SP_PLUS} 2 : « les horaires d'ouverture pour l'accueil physique et téléphonique ».",
    ),
    "peak_hours": Advice(
        "Heures d'affluence",
        "Affluence",
        2,
        "Indiquez les heures d'affluence et les heures creuses pour aider les usagers à "
        "choisir leur moment.",
        f"{SP_PLUS} 2 : « les heures d'affluence et les heures creuses ».",
    ),
    "appointment": Advice(
        "Prise de rendez-vous en ligne",
        "Rendez-vous",
        2,
        "Proposez un lien vers un outil de prise de rendez-vous en ligne (par exemple "
        "RDV Service Public), pas seulement la mention « sur rendez-vous ».",
        f"{SP_PLUS} 2 : « Les rendez-vous peuvent être pris en ligne ».",
    ),
    "address": Advice(
        "Adresse de l'accueil",
        "Adresse",
        2,
        "Indiquez l'adresse de l'accueil (numéro et rue, code postal, commune) et les "
        "précisions utiles pour s'y rendre.",
        f"{SP_PLUS} 2 : « les adresses physiques et les précisions utiles pour accéder "
        "aux locaux ».",
    ),
    "service_public_link": Advice(
        "Lien vers service-public.fr",
        "service-public.fr",
        2,
        "Ajoutez un lien vers service-public.fr, le portail des droits et démarches.",
        f"{SP_PLUS} 2 : « l'adresse du portail unique service-public.fr ».",
    ),
    "chat": Advice(
        "Messagerie instantanée (tchat)",
        "Tchat",
        2,
        "Si des agents peuvent répondre en direct, signalez la messagerie instantanée ; "
        "sinon assurez la mise en relation directe par téléphone.",
        f"{SP_PLUS} 2 : mise en relation directe avec un agent par téléphone ou messagerie "
        "instantanée.",
    ),
    "a11y_mention": Advice(
        "Mention d'accessibilité",
        "Mention access.",
        3,
        "Affichez en pied de page la mention « Accessibilité : totalement, partiellement ou "
        "non conforme » selon le résultat de votre audit.",
        f"Obligation légale : {A11Y_LAW}.",
    ),
    "a11y_statement": Advice(
        "Déclaration d'accessibilité",
        "Déclaration access.",
        3,
        "Publiez la déclaration d'accessibilité et liez-la depuis toutes les pages.",
        f"Obligation légale : {A11Y_LAW}.",
    ),
    "faq": Advice(
        "Aide en ligne (FAQ)",
        "Aide / FAQ",
        3,
        "Proposez une aide en ligne (questions fréquentes, tutoriels, centre d'aide) pour "
        "les démarches du site.",
        f"{SP_PLUS} 3 : « outils d'aide en ligne, comme des FAQ ».",
    ),
    "mediator": Advice(
        "Coordonnées du médiateur",
        "Médiateur",
        3,
        "Publiez les coordonnées du médiateur (adresse, formulaire ou courriel de saisine) "
        "lorsqu'il en existe un.",
        f"{SP_PLUS} 3 : « Les coordonnées des médiateurs, lorsqu'ils existent, sont "
        "indiquées sur les sites internet ».",
    ),
    "accessible_phone": Advice(
        "Accueil téléphonique des personnes sourdes et malentendantes",
        "Tél. sourds",
        3,
        "Proposez et signalez un service d'accueil téléphonique adapté aux personnes sourdes "
        "et malentendantes (relais en texte, LSF, LfPC).",
        "Article 105 de la loi n° 2016-1321 du 7 octobre 2016 pour une République numérique ; "
        f"{SP_PLUS} 3.",
    ),
    "jdma_button": Advice(
        "Bouton « Je donne mon avis »",
        "Je donne mon avis",
        7,
        "Ajoutez le bouton « Je donne mon avis » aux démarches en ligne du site.",
        f"{SP_PLUS} 7 : « Vos avis sont pris en compte » (bouton « Je donne mon avis »).",
    ),
    "quality_results": Advice(
        "Résultats de qualité de service",
        "Résultats",
        6,
        "Publiez vos résultats de qualité de service ou un lien vers "
        "resultats-services-publics.gouv.fr.",
        f"{SP_PLUS} 6 ; article 68 de la loi n° 2018-727 du 10 août 2018 (ESSOC).",
    ),
    "oups_link": Advice(
        "Lien vers oups.gouv.fr (droit à l'erreur)",
        "oups.gouv.fr",
        1,
        "Faites connaître le droit à l'erreur avec un lien vers oups.gouv.fr.",
        f"{SP_PLUS} 1 : les services publics promeuvent oups.gouv.fr ; loi n° 2018-727 du "
        "10 août 2018 (ESSOC).",
    ),
    "franceconnect": Advice(
        "Connexion avec FranceConnect",
        "FranceConnect",
        4,
        "Si le site propose un espace personnel, permettez d'y entrer avec FranceConnect.",
        f"{SP_PLUS} 4.",
    ),
    "legal_notice": Advice(
        "Mentions légales",
        "Mentions légales",
        4,
        "Publiez une page « Mentions légales » liée depuis le pied de page.",
        "Article 6 de la loi n° 2004-575 du 21 juin 2004 pour la confiance dans l'économie "
        "numérique.",
    ),
    "privacy": Advice(
        "Données personnelles",
        "Données perso.",
        4,
        "Publiez une page « Données personnelles » (politique de confidentialité) liée "
        "depuis le pied de page.",
        "Règlement (UE) 2016/679 (RGPD), articles 12 à 14.",
    ),
    "mobile_ready": Advice(
        "Site adapté aux mobiles",
        "Mobile",
        4,
        "Rendez le site utilisable sur mobile (balise viewport, pas de défilement "
        "horizontal à 320 pixels de large).",
        f"{SP_PLUS} 4 : informations disponibles « en mobilité ».",
    ),
    "ecoindex": Advice(
        "EcoIndex",
        "EcoIndex",
        9,
        "Indicateur : allégez les pages (éléments, requêtes, poids) pour améliorer la note.",
        f"{SP_PLUS} 9.",
        indicator=True,
    ),
    "plain_language": Advice(
        "Lisibilité du texte",
        "Lisibilité",
        7,
        "Indicateur : phrases courtes et mots simples rendent les démarches plus claires.",
        f"{SP_PLUS} 7 : langage clair, précis et adapté aux usagers.",
        indicator=True,
    ),
}

#: A more precise sentence for some absent values (``check_id``, ``value`` marker).
PLACEHOLDER_TODO = (
    "La mention du gabarit (« non/partiellement/totalement conforme ») est restée telle "
    "quelle : remplacez-la par le statut réel issu de votre audit."
)
ANCHOR_ONLY_TODO = (
    "Le lien « rendez-vous » trouvé mène à un endroit de la page, pas à un outil de "
    "réservation : liez l'outil de prise de rendez-vous en ligne."
)

#: Status words shown in the reports (the stored ``found/absent/error`` stay as is).
#: ``not_applicable`` is the status a check gets where it does not apply (issue 13.3).
STATUS_LABELS = {
    "found": "Présent",
    "absent": "Absent",
    "error": "Non vérifié",
    "not_applicable": "Non applicable",
}
STATUS_SHORT = {"found": "oui", "absent": "non", "error": "erreur", "not_applicable": "n/a"}
PROBLEM_LABELS = {
    "found": "Trouvé : à corriger",
    "absent": "Aucun",
    "error": "Non vérifié",
    "not_applicable": "Non applicable",
}

#: The coverage element that is not a check: measured by the accessibility audit.
NO_CRITICAL_AXE_LABEL = "Aucune violation axe critique sur les pages auditées"

#: What each state of a coverage element reads as, and whether it counts in the figure.
ELEMENT_STATES = {
    "found": "trouvé",
    "missing": "manquant",
    "error": "non vérifié (compté comme non trouvé)",
    "not_measured": "non mesuré : aucune page auditée (non compté)",
    "not_applicable": "non applicable (non compté)",
}

#: Administration types of the seed lists, in French for headings.
TYPE_LABELS = {
    "mairie": "Mairies",
    "prefecture": "Préfectures",
    "caf": "CAF",
    "cpam": "CPAM",
    "ministere": "Ministères",
    "hopital": "Hôpitaux",
    "universite": "Universités",
    "departement": "Départements",
    "region": "Régions",
    "agence": "Agences",
    "operateur": "Opérateurs",
    "autre": "Autres",
}


#: The same types, one site at a time.
TYPE_SINGULAR = {
    "mairie": "Mairie",
    "prefecture": "Préfecture",
    "caf": "Caisse d'allocations familiales",
    "cpam": "Caisse primaire d'assurance maladie",
    "ministere": "Ministère",
    "hopital": "Hôpital",
    "universite": "Université",
    "departement": "Département",
    "region": "Région",
    "agence": "Agence",
    "operateur": "Opérateur",
    "autre": "Autre",
}


def advice_for(check_id: str) -> Advice:
    """The advice of ``check_id``; an unknown id (a newer check) gets a neutral entry."""
    known = ADVICE.get(check_id)
    if known is not None:
        return known
    return Advice(check_id, check_id, 0, "Voir la documentation de la vérification.", "")


def type_label(kind: str | None) -> str:
    return TYPE_LABELS.get(kind or "", kind or "Non précisé")


def type_singular(kind: str | None) -> str:
    return TYPE_SINGULAR.get(kind or "", kind or "Non précisé")


def engagement_title(number: int) -> str:
    if number in ENGAGEMENT_TITLES:
        return f"Engagement {number} — {ENGAGEMENT_TITLES[number]}"
    return "Autres vérifications"


def element_label(element: Element) -> str:
    """A coverage element in French: its checks' labels joined by « ou »."""
    if element.key == NO_CRITICAL_AXE:
        return NO_CRITICAL_AXE_LABEL
    labels = [advice_for(c).label for c in element.checks]
    return " ou ".join([labels[0], *(label[0].lower() + label[1:] for label in labels[1:])])


def coverage_explanation(engagement: int) -> str:
    """The list of elements an engagement's coverage counts, from the very lists the
    computation uses (:data:`checks.site.COVERAGE_ELEMENTS`)."""
    elements = COVERAGE_ELEMENTS[engagement]
    labels = [element_label(e) for e in elements]
    text = " ; ".join(label[0].lower() + label[1:] for label in labels)
    return f"engagement {engagement}, {len(elements)} éléments : {text}"
