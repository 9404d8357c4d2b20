"""The Annuaire cross-check as the reports show it (issue 15.2): the sentences of a site page,
a site without a record and why, the overview's counts by group, the crawl summary's lines.

Pure functions on hand-made comparisons (``SiteCrossCheck.to_dict()``'s shape) and findings
tables; and, on the hand-written report store (``tests/report_store.py``, no Annuaire
imported), what the reports say when nothing was compared. The demo's end-to-end test is in
``tests/test_annuaire_demo.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from lxml import html
from report_store import build

from crawler.annuaire.crosscheck import CrossCheck, SiteCrossCheck
from crawler.annuaire.links import Link
from reports.annuaire_view import NO_IMPORT, counts, field_view, group_counts, site_view
from reports.html import write_report
from reports.summary import annuaire_lines, crawl_summary

IMPORTED = {
    "id": 2,
    "source": "annuaire.json",
    "export_date": date(2026, 11, 30),
    "finished_at": datetime(2026, 12, 1, 9, 0),
}


def comparison(name: str, status: str, record: list[str], site: list[Any]) -> dict[str, Any]:
    """A field as ``SiteCrossCheck.to_dict()`` gives it; ``site``: (value, url) pairs."""
    return {
        "field": name,
        "status": status,
        "record": record,
        "record_keys": record,
        "site": [
            {"value": v, "key": v, "url": u, "xpath": "/html/body/p", "snippet": f"… {v} …"}
            for v, u in site
        ],
        "not_on_site": [r for r in record if r not in {v for v, _ in site}],
        "error": "robots.txt inaccessible" if status == "error" else None,
    }


# -- the sentence of each field -------------------------------------------------------------


def test_a_field_that_differs_says_both_values_and_the_page():
    view = field_view(
        comparison(
            "phone",
            "differs",
            ["01 99 00 20 99"],
            [("01 99 00 20 00", "https://www.pref.gouv.fr/contact")],
        ),
        {"https://www.pref.gouv.fr/contact": "Nous contacter"},
    )
    assert view.sentence == (
        "Le site affiche « 01 99 00 20 00 » (https://www.pref.gouv.fr/contact) ; "
        "l'Annuaire indique « 01 99 00 20 99 »."
    )
    assert view.label == "Téléphone" and view.status_label == "diffère de l'Annuaire"
    assert view.not_on_site == ["01 99 00 20 99"]
    url = next(s for s in view.segments if s.kind == "url")
    assert url.href == "https://www.pref.gouv.fr/contact"  # the evidence, linked
    assert view.shown[0].title == "Nous contacter" and view.shown[0].where == "/html/body/p"
    assert view.code == "d"


def test_several_values_are_listed_and_each_names_its_page():
    view = field_view(
        comparison(
            "email",
            "consistent",
            ["a@x.fr", "b@x.fr"],
            [("a@x.fr", "https://x.fr/"), ("b@x.fr", "https://x.fr/c"), ("c@x.fr", "")],
        )
    )
    assert view.sentence == (
        "Le site affiche « a@x.fr » (https://x.fr/), « b@x.fr » (https://x.fr/c) et "
        "« c@x.fr » ; l'Annuaire indique « a@x.fr » et « b@x.fr »."
    )


@pytest.mark.parametrize(
    ("name", "status", "record", "site", "sentence"),
    [
        (
            "email",
            "missing_on_site",
            ["mairie@x.fr"],
            [],
            "Le site n'affiche aucune adresse électronique ; l'Annuaire indique « mairie@x.fr ».",
        ),
        (
            "opening_hours",
            "no_record",
            [],
            [("Mo-Fr 09:00-12:00", "https://x.fr/")],
            "Le site affiche « Mo-Fr 09:00-12:00 » (https://x.fr/) ; l'Annuaire n'indique rien.",
        ),
        (
            "address",
            "error",
            ["1 place de la Mairie, 45000 Orléans"],
            [],
            "Le site n'a pas pu être vérifié ; "
            "l'Annuaire indique « 1 place de la Mairie, 45000 Orléans ».",
        ),
    ],
)
def test_an_empty_side_is_said_plainly(name, status, record, site, sentence):
    assert field_view(comparison(name, status, record, site)).sentence == sentence


def test_a_url_that_is_not_http_stays_text():
    view = field_view(comparison("phone", "differs", ["01"], [("02", "javascript:alert(1)")]))
    url = next(s for s in view.segments if s.kind == "url")
    assert url.text == "javascript:alert(1)" and url.href is None


# -- a site and its record ------------------------------------------------------------------


def cross(link: Link, fields: list[dict[str, Any]], name: str | None = None) -> SiteCrossCheck:
    return SiteCrossCheck(
        "pref", "Préfecture", "prefecture", "https://pref.fr/", link, name, fields
    )


def test_without_an_import_a_site_says_nothing_was_compared():
    view = site_view(None, None)
    assert not view.imported and view.link_status == "no_import"
    assert view.link_text == NO_IMPORT and "aucun Annuaire" in view.link_text
    assert view.codes == "" and view.fields == []


def test_a_site_without_a_record_says_why():
    link = Link("pref", "unmatched", "none", host="pref.fr")
    fields = [comparison(n, "no_record", [], []) for n in ("phone", "email")]
    view = site_view(cross(link, fields).to_dict(), IMPORTED)
    assert view.imported and not view.linked and view.link_status == "unmatched"
    assert view.link_text == "aucune fiche de l'Annuaire n'a le site pref.fr"
    assert view.import_text == "import n° 2 du 01/12/2026 à 09:00 UTC, export du 30/11/2026"
    assert view.codes == "0nnnn"
    ambiguous = Link("pref", "ambiguous", "none", host="pref.fr", candidates=(("r1", "A"),))
    assert "précisez la fiche" in site_view(cross(ambiguous, []).to_dict(), IMPORTED).link_text


def test_a_linked_site_lists_its_fields_and_what_differs():
    link = Link("pref", "linked", "host", "rec-3", "Préfecture de l'Exemple", "pref.fr")
    fields = [
        comparison("phone", "differs", ["01 99"], [("01 00", "https://pref.fr/contact")]),
        comparison("email", "missing_on_site", ["p@pref.fr"], []),
        comparison("address", "consistent", ["5 place"], [("5 place", "https://pref.fr/")]),
        comparison("opening_hours", "error", ["Mo 09:00-12:00"], []),
    ]
    view = site_view(cross(link, fields, "Préfecture de l'Exemple").to_dict(), IMPORTED)
    assert view.linked and view.record_id == "rec-3"
    assert view.link_text.startswith("fiche rec-3 « Préfecture de l'Exemple »")
    assert [f.field for f in view.differing] == ["phone"] and view.disagrees
    assert view.codes == "1dmce"


# -- the overview's counts ------------------------------------------------------------------


def table(rows: list[tuple[str, str | None, str | None, str | None, str | None, str | None]]):
    columns = ["type", "annuaire_id", *(f"annuaire_{n}" for n in FIELDS_ORDER)]
    return pd.DataFrame(rows, columns=columns)


FIELDS_ORDER = ("phone", "email", "address", "opening_hours")


def test_sites_that_disagree_are_counted_by_group_and_in_all():
    df = table(
        [
            ("prefecture", "r1", "differs", "missing_on_site", "consistent", "consistent"),
            ("caf", "r2", "consistent", "no_record", "consistent", "differs"),
            ("caf", "r3", "differs", "differs", "consistent", "consistent"),
            ("mairie", "r4", "consistent", "consistent", "consistent", "consistent"),
            ("mairie", None, "no_record", "no_record", "no_record", "no_record"),
            ("mairie", "r5", "error", "error", "error", "no_record"),
        ]
    )
    total = counts(df)
    assert (total.sites, total.with_record, total.disagree) == (6, 5, 3)
    assert total.differs == {"phone": 2, "email": 1, "address": 0, "opening_hours": 1}
    groups = group_counts(df, "type", [("caf", "CAF"), ("mairie", "Mairies"), ("x", "X")])
    caf, mairie, empty = groups
    assert (caf.label, caf.sites, caf.with_record, caf.disagree) == ("CAF", 2, 2, 2)
    assert (mairie.sites, mairie.with_record, mairie.disagree) == (3, 2, 0)
    assert (empty.sites, empty.disagree) == (0, 0)


def test_without_an_import_nobody_disagrees():
    df = table([("mairie", None, None, None, None, None)])
    total = counts(df)
    assert (total.sites, total.with_record, total.disagree) == (1, 0, 0)


# -- the crawl summary ----------------------------------------------------------------------


def test_the_summary_says_nothing_of_the_annuaire_when_none_is_imported():
    assert annuaire_lines(CrossCheck(1, None)) == []


def test_the_summary_lists_the_first_sites_without_a_record_and_counts_the_rest():
    result = CrossCheck(4, IMPORTED)
    for i in range(8):
        site = f"site-{i}"
        link = (
            Link(site, "linked", "host", f"r{i}", "Fiche")
            if i == 0
            else Link(site, "unmatched", "none", host=f"{site}.fr")
        )
        fields = [comparison("phone", "differs" if i == 0 else "no_record", ["01"], [])]
        result.sites[site] = SiteCrossCheck(
            site, site, "mairie", f"https://{site}.fr/", link, None, fields
        )
    lines = annuaire_lines(result)
    assert lines == [
        "Annuaire de l'administration : import n° 2 du 01/12/2026 à 09:00 UTC, "
        "export du 30/11/2026",
        "Sites sans fiche de l'Annuaire : 7 sur 8 : site-1, site-2, site-3, site-4, site-5 "
        "et 2 autres (pourquoi : « vigie annuaire links --run 4 »)",
        "Sites dont les coordonnées diffèrent de l'Annuaire : 1 (le détail : "
        "« vigie annuaire check --run 4 » et la page de chaque site)",
    ]
    del result.sites["site-1"], result.sites["site-2"]
    for i in range(3, 8):
        result.sites[f"site-{i}"].link = Link(f"site-{i}", "linked", "host", "r", "F")
    assert annuaire_lines(result)[1] == "Sites sans fiche de l'Annuaire : aucun, les 6 sont reliés"


# -- the reports of a run without an Annuaire -----------------------------------------------


@pytest.fixture(scope="module")
def without_annuaire(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("sans-annuaire")
    store, runs = build(f"sqlite:///{tmp / 'v.db'}")
    write_report(store, tmp / "rapport")
    return {"store": store, "run": runs[-1], "out": tmp / "rapport"}


def test_without_an_annuaire_the_reports_say_nothing_was_compared(without_annuaire):
    out = without_annuaire["out"]
    site = html.parse(str(out / "sites" / "alpha.html"))
    section = site.xpath("//section[@data-annuaire-link]")[0]
    assert section.get("data-annuaire-link") == "no_import"
    reason = " ".join(section.xpath("string(.//p[@data-annuaire-reason])").split())
    assert reason == (
        "Ce site n'est relié à aucune fiche de l'Annuaire : aucun Annuaire de "
        "l'administration n'est importé dans la base de résultats (« vigie annuaire import "
        "FICHIER », puis « vigie report ») : rien n'a été comparé."
    )
    assert not section.xpath(".//article[@data-annuaire-field]")
    overview = html.parse(str(out / "index.html"))
    assert overview.xpath("//p[@data-annuaire-import='none']")
    assert not overview.xpath("//*[@data-key='annuaire_disagree']")
    assert not overview.xpath("//table[starts-with(@id, 'annuaire-')]")
    summary = crawl_summary(without_annuaire["store"], without_annuaire["run"])
    assert "Annuaire" not in summary
