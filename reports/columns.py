"""Every column Vigie exports: one registry of ids, French headers, units and meanings.

The findings table (``vigie table``), the report's downloads (CSV, Parquet, JSON, XLSX),
the overview and the data dictionary (``docs/data-dictionary.md``, the XLSX's dictionary
sheet) all name a column by its id here — stable English ids that scripts rely on — and
show people its French header. The kind says how a spreadsheet writes it: a ``share`` is
a number from 0 to 1 shown as a percentage, a ``datetime`` a real date (UTC), a
``status`` one of the machine values of :data:`STATUS_VALUES`.

Seed lists may carry more columns (``departement``, ``tutelle``…): they travel into the
table under their own name (:func:`seed_column_id`), after ``type``, described as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checks import CHECK_IDS
from checks.catalog import CATALOG
from checks.rendered import RENDERED_CHECK_IDS
from checks.site import IMPACTS
from crawler import error_kinds
from reports.advice import advice_for

#: How a column's values are written (spreadsheets) and read (the dictionary's "unit").
KINDS = ("text", "int", "float", "share", "datetime", "bool", "status")

#: The machine values of a check's status in a site's row.
STATUS_VALUES = ("found", "absent", "error", "not_applicable")


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column: stable id, French header, unit, what it holds."""

    id: str
    header: str
    unit: str
    description: str
    kind: str = "text"


def _c(id: str, header: str, unit: str, description: str, kind: str = "text") -> Column:
    return Column(id, header, unit, description, kind)


_SHARE = "part de 0 à 1 (pourcentage dans le classeur XLSX)"
_STATUS = "état : found, absent, error, not_applicable"
_IMPACTS_FR = {
    "critical": "critiques",
    "serious": "sérieuses",
    "moderate": "modérées",
    "minor": "mineures",
}

_COMMON: tuple[Column, ...] = (
    _c("run_id", "N° d'exploration", "numéro", "identifiant de l'exploration dans la base", "int"),
    _c("run_label", "Étiquette de l'exploration", "texte", "étiquette donnée par --run-label"),
    _c(
        "run_started_at",
        "Début de l'exploration (UTC)",
        "date et heure UTC",
        "début de l'exploration",
        "datetime",
    ),
    _c("site_id", "Identifiant du site", "texte", "colonne id de la liste de sites"),
    _c("name", "Nom du site", "texte", "colonne name de la liste de sites"),
    _c("url", "Adresse", "URL", "adresse d'entrée du site (colonne url de la liste)"),
    _c(
        "type",
        "Type d'administration",
        "mairie, prefecture, caf…",
        "colonne type de la liste de sites",
    ),
    _c("status", "État", "ok, error", "ok : au moins une page lue ; error : site non exploré"),
    _c("reason", "Raison de l'erreur", "texte", "pourquoi le site n'a pas pu être exploré"),
    _c("pages_crawled", "Pages explorées", "pages", "pages lues sur le site", "int"),
    _c(
        "errors",
        "Erreurs d'exploration",
        "adresses",
        "adresses du site qui n'ont pas pu être récupérées",
        "int",
    ),
    _c(
        "error_kinds",
        "Types d'erreurs",
        "texte",
        "types d'erreurs (identifiants stables) et leur nombre (« timeout ×2; http_404 ×1 »)",
    ),
)

_CHECK_COLUMNS: tuple[Column, ...] = tuple(
    _c(
        entry.id,
        advice_for(entry.id).label,
        _STATUS,
        f"{entry.title} (engagement {entry.engagement}) : état de la vérification sur le site"
        + (" ; le trouver est un défaut" if entry.bad_when_found else ""),
        "status",
    )
    for entry in CATALOG
)

#: The figures of the rendered checks (on the pages the audit rendered), after their
#: status columns.
_RENDERED_FIGURES: tuple[Column, ...] = (
    _c(
        "ecoindex_score",
        "EcoIndex médian",
        "score de 0 à 100 (100 : le plus sobre)",
        "médiane des scores EcoIndex des pages rendues du site (éléments du DOM, requêtes, "
        "ko transférés) ; vide si aucune page mesurée",
        "float",
    ),
    _c(
        "ecoindex_grade",
        "Note EcoIndex",
        "A à G",
        "note EcoIndex du score médian (A au-dessus de 80 … G à 10 ou moins)",
    ),
    _c(
        "ecoindex_pages",
        "Pages mesurées (EcoIndex)",
        "pages",
        "pages rendues dont l'EcoIndex a été mesuré",
        "int",
    ),
    _c(
        "mobile_ready_pages",
        "Pages adaptées aux mobiles",
        "pages",
        "pages rendues avec viewport width=device-width et sans défilement horizontal à 320 px",
        "int",
    ),
    _c(
        "mobile_ready_measured",
        "Pages mesurées (mobiles)",
        "pages",
        "pages rendues où l'adaptation aux mobiles a été mesurée",
        "int",
    ),
    _c(
        "plain_language_kandel_moles",
        "Lisibilité Kandel-Moles (médiane)",
        "indice, plus haut = plus facile (60-70 : standard)",
        "médiane de l'indice de Kandel et Moles du texte principal des pages rendues ; "
        "un indicateur, pas un verdict",
        "float",
    ),
    _c(
        "plain_language_lix",
        "Lisibilité LIX (médiane)",
        "indice, plus bas = plus facile (40-50 : standard)",
        "médiane de l'indice LIX du texte principal des pages rendues ; un indicateur",
        "float",
    ),
    _c(
        "plain_language_words_per_sentence",
        "Mots par phrase (médiane)",
        "mots",
        "médiane de la longueur moyenne des phrases des pages rendues",
        "float",
    ),
)
#: Their column ids, in the table's order.
RENDERED_FIGURES: tuple[str, ...] = tuple(c.id for c in _RENDERED_FIGURES)

_ANNUAIRE_STATUS = "consistent, differs, missing_on_site, no_record, error ; vide sans Annuaire"
_FINDINGS_REST: tuple[Column, ...] = (
    _c(
        "a11y_mention_value",
        "Mention d'accessibilité (valeur)",
        "totalement, partiellement, non, placeholder",
        "statut déclaré par la mention d'accessibilité ; placeholder : gabarit non rempli",
    ),
    _c(
        "annuaire_id",
        "Fiche de l'Annuaire",
        "identifiant",
        "la fiche de l'Annuaire de l'administration reliée au site (colonne annuaire_id de la "
        "liste de sites, ou adresse du site) ; vide sans Annuaire importé ou sans fiche",
    ),
    _c(
        "annuaire_phone",
        "Téléphone comparé à l'Annuaire",
        _ANNUAIRE_STATUS,
        "les numéros de la fiche (E.164) sont-ils affichés sur le site ?",
    ),
    _c(
        "annuaire_email",
        "Courriel comparé à l'Annuaire",
        _ANNUAIRE_STATUS,
        "l'adresse électronique de la fiche est-elle affichée sur le site ?",
    ),
    _c(
        "annuaire_address",
        "Adresse comparée à l'Annuaire",
        _ANNUAIRE_STATUS,
        "l'adresse de la fiche (rue, code postal, commune normalisés) est-elle sur le site ?",
    ),
    _c(
        "annuaire_opening_hours",
        "Horaires comparés à l'Annuaire",
        _ANNUAIRE_STATUS,
        "les mêmes plages horaires, jour par jour, sur le site et dans la fiche ?",
    ),
    _c(
        "audit_status",
        "État de l'audit",
        "ok, error, not_run",
        "ok : au moins une page auditée ; error : aucune (violations inconnues) ; "
        "not_run : pas d'audit pour ce site",
    ),
    _c("audit_reason", "Raison (audit non fait ou en échec)", "texte", "pourquoi, si pas ok"),
    _c("pages_audited", "Pages auditées (accessibilité)", "pages", "pages auditées", "int"),
    _c("audit_errors", "Pages non auditées", "pages", "pages dont l'audit a échoué", "int"),
    _c("axe_version", "Version d'axe-core", "version", "version d'axe-core de l'audit"),
    *(
        _c(
            f"axe_{impact}",
            f"Règles axe en violation, {_IMPACTS_FR[impact]}",
            "règles",
            f"règles axe d'impact {impact} en échec sur le site, chacune comptée une fois "
            "(vide si aucune page auditée)",
            "int",
        )
        for impact in IMPACTS
    ),
    _c(
        "axe_needs_review",
        "Règles axe à vérifier par une personne",
        "règles",
        "règles dont axe ne peut pas décider seul",
        "int",
    ),
    *(
        _c(
            f"rgaa_theme_{n}",
            f"Règles en violation, thématique RGAA {n}",
            "règles",
            f"règles axe en échec reliées à la thématique {n} du RGAA",
            "int",
        )
        for n in range(1, 14)
    ),
    _c(
        "rgaa_criteria_violated",
        "Critères RGAA en violation",
        "numéros de critères",
        "critères RGAA 4.1.2 en violation, séparés par des espaces",
    ),
    _c(
        "no_critical_axe",
        "Aucune violation critique",
        "vrai / faux",
        "aucune règle axe critique en échec sur les pages auditées (élément de l'engagement 3)",
        "bool",
    ),
    _c(
        "previous_run_id",
        "Exploration précédente",
        "numéro",
        "dernière exploration terminée avant celle-ci qui contenait le site",
        "int",
    ),
    _c(
        "appeared",
        "Manques apparus",
        "identifiants de vérifications",
        "vérifications devenues manquantes depuis l'exploration précédente",
    ),
    _c(
        "fixed",
        "Manques corrigés",
        "identifiants de vérifications",
        "vérifications réparées depuis l'exploration précédente",
    ),
    *(
        column
        for n in (2, 3)
        for column in (
            _c(
                f"engagement_{n}",
                f"Couverture engagement {n}",
                _SHARE,
                f"part des éléments de l'engagement {n} trouvés parmi ceux comptés",
                "share",
            ),
            _c(
                f"engagement_{n}_found",
                f"Engagement {n} : éléments trouvés",
                "éléments",
                f"éléments de l'engagement {n} trouvés",
                "int",
            ),
            _c(
                f"engagement_{n}_counted",
                f"Engagement {n} : éléments comptés",
                "éléments",
                f"éléments de l'engagement {n} comptés (hors non applicables et non mesurés)",
                "int",
            ),
        )
    ),
)

#: Columns of the report's other tables (and of the trend tables).
_OTHER: tuple[Column, ...] = (
    _c("type_label", "Type d'administration (libellé)", "texte", "type en toutes lettres"),
    _c("check_id", "Identifiant de la vérification", "identifiant", "voir les vérifications"),
    _c("check", "Vérification", "texte", "nom de la vérification"),
    _c(
        "check_status",
        "État de la vérification",
        _STATUS,
        "état de la vérification sur le site",
        "status",
    ),
    _c("engagement", "Engagement", "numéro", "engagement Services Publics +", "int"),
    _c("problem", "À corriger", "vrai / faux", "la vérification n'est pas tenue", "bool"),
    _c(
        "in_coverage",
        "Compte dans la couverture",
        "vrai / faux",
        "la vérification compte dans la couverture d'un engagement",
        "bool",
    ),
    _c("value", "Valeur trouvée", "texte", "valeur de la vérification, en clair"),
    _c("evidence_url", "Page de la preuve", "URL", "page où la preuve a été vue"),
    _c("evidence_where", "Emplacement (XPath)", "XPath", "où, dans la page"),
    _c("evidence_snippet", "Extrait", "texte", "extrait de la page"),
    _c("pages_found", "Pages où trouvé", "pages", "pages où la vérification est trouvée", "int"),
    _c(
        "error",
        "Erreur ou justification",
        "texte",
        "pourquoi la vérification n'a pas pu se faire, ou pourquoi elle ne s'applique pas",
    ),
    _c("todo", "À faire", "texte", "ce qu'il faut faire"),
    _c("reference", "Référence", "texte", "texte légal ou engagement qui le demande"),
    _c("dimension", "Regroupement", "identifiant de colonne", "colonne qui regroupe les sites"),
    _c("group", "Groupe", "texte", "valeur de cette colonne (vide : non renseignée)"),
    _c("sites", "Sites", "sites", "sites de la liste", "int"),
    _c("explored", "Sites explorés", "sites", "sites dont au moins une page a été lue", "int"),
    _c(
        "engagement_2_full",
        "Sites à 100 % (engagement 2)",
        "sites",
        "sites explorés ayant tous les éléments comptés de l'engagement 2",
        "int",
    ),
    _c(
        "engagement_3_full",
        "Sites à 100 % (engagement 3)",
        "sites",
        "sites explorés ayant tous les éléments comptés de l'engagement 3",
        "int",
    ),
    _c("found", "Trouvée", "sites", "sites où la vérification est trouvée", "int"),
    _c("absent", "Absente", "sites", "sites où elle est cherchée sans être trouvée", "int"),
    _c("error_sites", "Non vérifiée", "sites", "sites où elle n'a pas pu se faire", "int"),
    _c(
        "not_applicable",
        "Non applicable",
        "sites",
        "sites auxquels elle ne s'applique pas (type d'administration ou exception justifiée)",
        "int",
    ),
    _c(
        "share",
        "Part des sites",
        _SHARE,
        "sites où elle est trouvée, parmi ceux où elle a pu se faire et s'applique",
        "share",
    ),
    _c(
        "kind",
        "Type",
        "texte",
        "type d'erreur, identifiant stable : "
        + ", ".join(f"{k} ({v})" for k, v in error_kinds.LABELS.items())
        + ", http_NNN (statut HTTP NNN)",
    ),
    _c("is_home", "Page d'accueil", "vrai / faux", "l'adresse est l'accueil du site", "bool"),
    _c("at", "Date (UTC)", "date et heure UTC", "moment de l'erreur", "datetime"),
    _c(
        "change",
        "Changement",
        "appeared, fixed, not_comparable ; gained, lost",
        "appeared : devenu manquant ; fixed : réparé ; not_comparable : une des deux "
        "explorations n'a pas pu vérifier ; gained / lost : élément gagné ou perdu",
    ),
    _c("before", "Avant", _STATUS, "état lors de l'exploration précédente", "status"),
    _c("after", "Après", _STATUS, "état lors de cette exploration", "status"),
    _c("element", "Élément", "identifiant", "élément de la couverture (checks/site.py)"),
    _c("element_label", "Élément (libellé)", "texte", "l'élément en toutes lettres"),
    _c("criterion", "Critère RGAA", "numéro", "critère RGAA 4.1.2"),
    _c("title", "Intitulé", "texte", "intitulé du critère"),
    _c(
        "result",
        "Résultat",
        "violation, needs_review",
        "violation : en échec ; needs_review : à vérifier par une personne",
    ),
    _c("rules", "Règles axe-core", "identifiants", "règles axe reliées au critère"),
    _c("pages", "Pages", "pages", "pages concernées", "int"),
    _c("elements", "Éléments", "éléments HTML", "éléments de page concernés", "int"),
)

#: Every table of the report's downloads: id → (XLSX sheet name, French description).
TABLES: dict[str, tuple[str, str]] = {
    "constats": ("Constats", "Tableau des constats, une ligne par site"),
    "verifications": ("Vérifications", "Chaque vérification de chaque site, avec sa preuve"),
    "couverture_par_type": ("Couverture par type", "Couverture par type d'administration"),
    "couverture_par_groupe": (
        "Couverture par groupe",
        "Couverture par type et par colonne de la liste de sites",
    ),
    "part_par_verification": ("Part par vérification", "Part des sites par vérification"),
    "evolution": ("Évolution", "Couverture au fil des explorations"),
    "evolution_par_groupe": (
        "Évolution par groupe",
        "Couverture au fil des explorations, par type et par colonne de la liste",
    ),
    "evolution_par_verification": (
        "Évolution par vérification",
        "Part des sites par vérification au fil des explorations",
    ),
    "erreurs": ("Erreurs d'exploration", "Adresses qui n'ont pas pu être récupérées"),
    "changements": ("Changements", "Changements depuis l'exploration précédente"),
    "elements_gagnes_perdus": (
        "Éléments gagnés ou perdus",
        "Éléments des engagements gagnés ou perdus depuis l'exploration précédente",
    ),
    "audit": ("Audit RGAA", "Audit d'accessibilité par critère RGAA"),
}

_RUN = ("run_id", "run_label", "run_started_at")
_COVER = ("sites", "explored", "engagement_2", "engagement_3")
_FULL = ("engagement_2_full", "engagement_3_full")
_SHARES = ("found", "absent", "error_sites", "not_applicable", "share")

#: The columns of every table but ``constats`` (whose own are :func:`findings_columns`).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "verifications": (
        "run_id",
        "site_id",
        "name",
        "check_id",
        "check",
        "engagement",
        "check_status",
        "problem",
        "in_coverage",
        "value",
        "evidence_url",
        "evidence_where",
        "evidence_snippet",
        "pages_found",
        "error",
        "todo",
        "reference",
    ),
    "couverture_par_type": ("type", "type_label", *_COVER, *_FULL),
    "couverture_par_groupe": ("dimension", "group", *_COVER, *_FULL),
    "part_par_verification": ("check_id", "check", "engagement", *_SHARES),
    "evolution": (*_RUN, *_COVER, *_FULL),
    "evolution_par_groupe": (*_RUN, "dimension", "group", *_COVER, *_FULL),
    "evolution_par_verification": (*_RUN, "check_id", *_SHARES),
    "erreurs": ("run_id", "site_id", "url", "kind", "reason", "is_home", "at"),
    "changements": (
        "run_id",
        "site_id",
        "name",
        "previous_run_id",
        "check_id",
        "check",
        "change",
        "before",
        "after",
    ),
    "elements_gagnes_perdus": (
        "run_id",
        "site_id",
        "name",
        "previous_run_id",
        "engagement",
        "element",
        "element_label",
        "change",
    ),
    "audit": ("run_id", "site_id", "result", "criterion", "title", "rules", "pages", "elements"),
}

#: Every known column, by id.
COLUMNS: dict[str, Column] = {
    c.id: c for c in (*_COMMON, *_CHECK_COLUMNS, *_RENDERED_FIGURES, *_FINDINGS_REST, *_OTHER)
}

#: The findings table's columns, in order, before the seed list's own columns are added
#: after ``type`` (:func:`findings_columns`).
FINDINGS_BEFORE_SEEDS: tuple[str, ...] = tuple(c.id for c in _COMMON[:7])
FINDINGS_AFTER_SEEDS: tuple[str, ...] = (
    *(c.id for c in _COMMON[7:]),
    *CHECK_IDS,
    *RENDERED_CHECK_IDS,
    *RENDERED_FIGURES,
    *(c.id for c in _FINDINGS_REST),
)


def seed_column_id(key: str) -> str:
    """The findings table's id of a seed list's extra column ``key``: its own name, or
    ``seed_<name>`` when that name is already one of Vigie's columns (a seed column called
    ``status`` must not hide the crawl's)."""
    return f"seed_{key}" if key in COLUMNS else key


def seed_keys(extras: Iterable[dict[str, str] | None]) -> list[str]:
    """The extra columns of a seed list, in the order they first appear."""
    keys: dict[str, None] = {}
    for extra in extras:
        for key in extra or {}:
            keys.setdefault(key, None)
    return list(keys)


def findings_columns(seed_keys: Sequence[str] = ()) -> list[str]:
    """The findings table's column ids, the seed list's own columns after ``type``."""
    return [
        *FINDINGS_BEFORE_SEEDS,
        *(seed_column_id(k) for k in seed_keys),
        *FINDINGS_AFTER_SEEDS,
    ]


def column(column_id: str) -> Column:
    """The :class:`Column` of ``column_id``; a column not registered here (a seed list's
    own column) is text, its header its name."""
    known = COLUMNS.get(column_id)
    if known is not None:
        return known
    name = column_id.removeprefix("seed_") if column_id.startswith("seed_") else column_id
    return Column(column_id, name, "texte", "colonne de la liste de sites")


def header(column_id: str) -> str:
    return column(column_id).header


def headers(column_ids: Iterable[str]) -> list[str]:
    """French headers of ``column_ids``; a header shared by two columns gets its id."""
    ids = list(column_ids)
    names = [header(c) for c in ids]
    return [n if names.count(n) == 1 else f"{n} ({c})" for n, c in zip(names, ids, strict=True)]
