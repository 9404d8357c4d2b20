"""The data dictionary: every check of the contract, written for the people who read it.

Generated from the code (:mod:`checks.catalog` for what each check is and whom it applies
to, each check module's ``Value:`` paragraph for its value, :mod:`checks.site` for what
counts toward coverage), so that ``docs/data-dictionary.md``, ``vigie checks`` and the
exports' dictionary sheet cannot drift from what Vigie does. ``tests/test_data_dictionary.py``
fails while the committed document differs from :func:`markdown`.
"""

from __future__ import annotations

from typing import Any

import checks  # noqa: F401  (registers every check, static and rendered)
from checks.catalog import CATALOG, TYPES, CheckInfo, value_shape
from checks.site import COVERAGE_ELEMENTS, ENGAGEMENT_2, ENGAGEMENT_3, NO_CRITICAL_AXE

#: The coverage element each check belongs to: engagement and the element's checks.
COVERAGE: dict[str, tuple[int, tuple[str, ...]]] = {
    check_id: (engagement, group)
    for engagement, groups in ((2, ENGAGEMENT_2), (3, ENGAGEMENT_3))
    for group in groups
    for check_id in group
}

#: Machine values of a check's site-level status, and how people read them.
STATUSES: tuple[tuple[str, str], ...] = (
    ("found", "trouvé sur au moins une page du site"),
    ("absent", "cherché sur les pages explorées, pas trouvé"),
    ("error", "n'a pas pu être vérifié (site ou page clé en erreur) : jamais « absent »"),
    (
        "not_applicable",
        "ne s'applique pas à ce type d'administration, ou exception justifiée en cours",
    ),
)


def coverage_text(check_id: str) -> str:
    element = COVERAGE.get(check_id)
    if element is None:
        return "non (indicateur complémentaire)"
    engagement, group = element
    if len(group) > 1:
        return f"engagement {engagement}, élément « {' ou '.join(group)} »"
    return f"engagement {engagement}"


def applies_text(entry: CheckInfo) -> str:
    if entry.applies_to is None:
        return "tous les types"
    excluded = [t for t in TYPES if t not in entry.applies_to]
    if len(excluded) < len(entry.applies_to):
        return "tous sauf " + ", ".join(excluded)
    return ", ".join(t for t in TYPES if t in entry.applies_to)


def reading_text(entry: CheckInfo) -> str:
    if entry.indicator:
        return "indicateur, sans verdict (trouvé = mesuré)"
    return "le trouver est un défaut" if entry.bad_when_found else "le trouver est attendu"


#: French headers of :func:`rows`' keys (the XLSX's dictionary sheet).
ROW_HEADERS: dict[str, str] = {
    "id": "Identifiant",
    "engagement": "Engagement",
    "title": "Intitulé",
    "counts": "Ce qui compte",
    "does_not_count": "Ce qui ne compte pas",
    "value": "Valeur (forme)",
    "coverage": "Compte dans la couverture de l'engagement",
    "bad_when_found": "Le trouver est un défaut",
    "indicator": "Indicateur sans verdict",
    "rendered": "Sur pages rendues",
    "applies_to": "S'applique à",
}


def rows() -> list[dict[str, Any]]:
    """One row a check: what ``vigie checks --json`` prints and the exports' sheet holds."""
    return [
        {
            "id": entry.id,
            "engagement": entry.engagement,
            "title": entry.title,
            "counts": entry.counts,
            "does_not_count": entry.does_not_count or None,
            "value": value_shape(entry.id),
            "coverage": COVERAGE.get(entry.id, (None,))[0],
            "bad_when_found": entry.bad_when_found,
            "indicator": entry.indicator,
            "rendered": entry.rendered,
            "applies_to": sorted(entry.applies_to) if entry.applies_to is not None else None,
        }
        for entry in CATALOG
    ]


def markdown() -> str:
    """``docs/data-dictionary.md``."""
    out = [
        "# Dictionnaire des données : les vérifications",
        "",
        "Ce document est produit par `vigie checks --markdown` à partir du code ; un test "
        "vérifie qu'il",
        "lui est identique. Les identifiants (`phone`…) et les valeurs (`found`…) sont "
        "stables : les",
        "exports, le JSON de `vigie inspect` et les scripts des utilisateurs s'y fient.",
        "",
        "## États d'une vérification pour un site",
        "",
        "| valeur | sens |",
        "|---|---|",
        *(f"| `{value}` | {meaning} |" for value, meaning in STATUSES),
        "",
        "Une vérification est trouvée sur le site si elle l'est sur au moins une page "
        "explorée ; les",
        "vérifications « pages rendues » ne portent que sur les pages rendues par le navigateur,",
        "et se lisent autrement : `ecoindex` est la médiane des scores de ces pages (et sa "
        "note), `found`",
        "dès qu'une page est mesurée ; `mobile_ready` est `found` si toutes les pages mesurées "
        "sont adaptées",
        "aux mobiles, `absent` si l'une ne l'est pas ; `plain_language` donne les médianes des "
        "indices de",
        "lisibilité (un indicateur, jamais un verdict). Sans page rendue (audit non réalisé ou "
        "en échec),",
        "elles sont en `error` avec la raison, jamais `absent`.",
        "",
        *rules_markdown(),
        "## Les vérifications",
        "",
    ]
    for entry in CATALOG:
        out += [
            f"### `{entry.id}` — {entry.title}",
            "",
            f"- **Engagement** : {entry.engagement}"
            + (" (pages rendues)" if entry.rendered else ""),
            f"- **Compte** : {entry.counts}",
        ]
        if entry.does_not_count:
            out.append(f"- **Ne compte pas** : {entry.does_not_count}")
        out += [
            f"- **Couverture** : {coverage_text(entry.id)}",
            f"- **Lecture** : {reading_text(entry)}",
            f"- **S'applique à** : {applies_text(entry)}",
            f"- **Valeur** (`value`, telle que le code la décrit) : {value_shape(entry.id) or '—'}",
            "",
        ]
    out += columns_markdown()
    return "\n".join(out).rstrip() + "\n"


def _element_text(checks_of_element: tuple[str, ...], key: str) -> str:
    if key == NO_CRITICAL_AXE:
        return "aucune violation axe « critique » sur les pages auditées"
    return " ou ".join(f"`{c}`" for c in checks_of_element)


def rules_markdown() -> list[str]:
    """The rules every check follows: what a page shows, how a site is judged, the audit.

    The coverage lists are read from :data:`checks.site.COVERAGE_ELEMENTS`, the one source of
    the computation, so this text cannot drift from it.
    """
    out = [
        "## Règles communes",
        "",
        "### Contenu visible seulement",
        "",
        "Ne compte que ce qu'une personne voit : le texte des éléments `<script>`, `<style>`, "
        "`<template>`,",
        "`<noscript>`, les commentaires HTML et les données JSON de l'application "
        "(`__NEXT_DATA__`, état",
        "d'hydratation) ne comptent pas. Seule exception : les données structurées schema.org "
        "(JSON-LD,",
        "microdonnées, RDFa), publiées exprès pour les moteurs de recherche ; elles comptent "
        "pour `phone`,",
        "`email`, `address` et `opening_hours`, la preuve disant qu'elles viennent de là. Le "
        "texte est",
        "comparé après normalisation Unicode NFKC, entités décodées, espaces insécables lues "
        "comme des",
        "espaces et tirets insécables comme des `-`.",
        "",
        "### Niveau du site et couverture des engagements",
        "",
        "Une vérification est `error`, jamais `absent`, quand elle n'a pas pu être faite : site "
        "injoignable,",
        "robots.txt qui l'interdit, page clé en erreur. Un constat manquant et une exploration "
        "ratée ne",
        "doivent pas se ressembler. La couverture d'un engagement est la part de ses éléments "
        "trouvés",
        "(un élément en erreur compte comme non trouvé ; un élément qui ne s'applique pas au type",
        "d'administration est retiré du calcul) :",
        "",
    ]
    for engagement, elements in COVERAGE_ELEMENTS.items():
        listed = " ; ".join(_element_text(e.checks, e.key) for e in elements)
        out += [f"- engagement {engagement} : {listed}."]
    out += [
        "",
        "### Audit d'accessibilité",
        "",
        "Les pages rendues sont auditées par axe-core, dont les règles portent les tests du "
        "RGAA 4.1.2.",
        "Violations et points « à vérifier » (incomplete d'axe) restent séparés, cadres et racines",
        "fantômes ouvertes compris. Les tests automatiques ne couvrent qu'une partie du RGAA "
        "(au mieux",
        "un tiers des critères) : Vigie ne calcule jamais de « taux de conformité ».",
        "",
    ]
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def columns_markdown() -> list[str]:
    """The "columns" section: every table of the exports, every column's id, French
    header, unit and meaning (:mod:`reports.columns`)."""
    from reports.columns import TABLE_COLUMNS, TABLES, column, findings_columns, headers

    out = [
        "## Les colonnes des exports",
        "",
        "`vigie table` écrit le tableau des constats ; les rapports (`donnees/`) écrivent "
        "toutes les tables",
        "ci-dessous, en CSV, Parquet et JSON sous leurs identifiants, et dans un classeur XLSX "
        "sous leurs",
        "en-têtes en français (une feuille par table, puis ce dictionnaire). Dans le classeur, "
        "les parts",
        "(0 à 1) sont des pourcentages et les dates de vraies dates (UTC).",
        "",
    ]
    for name, (sheet, description) in TABLES.items():
        ids = findings_columns() if name == "constats" else list(TABLE_COLUMNS[name])
        out += [f"### `{name}` — feuille « {sheet} »", "", f"{description}.", ""]
        if name == "constats":
            out += [
                "Les colonnes supplémentaires de la liste de sites (`departement`, `tutelle`…) "
                "suivent `type`,",
                "sous leur propre nom (`seed_<nom>` si ce nom est déjà celui d'une colonne de "
                "Vigie).",
                "",
            ]
        out += ["| identifiant | en-tête | unité | description |", "|---|---|---|---|"]
        for column_id, header in zip(ids, headers(ids), strict=True):
            entry = column(column_id)
            out.append(
                f"| `{column_id}` | {_cell(header)} | {_cell(entry.unit)} | "
                f"{_cell(entry.description)} |"
            )
        out.append("")
    return out
