"""Sites linked to their Annuaire record, and a run's cross-check: on a store filled through
its write API (pages with their findings, then the real aggregation), an export written
for the test."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.aggregation import finish_run
from crawler.annuaire.crosscheck import COLUMNS, cross_check
from crawler.annuaire.importer import import_export
from crawler.annuaire.links import SiteRef, domain_key, host_key, link_sites
from crawler.seeds import Seed
from crawler.store import Store, now
from reports.table import findings_table


def rec(n: int, site: str, pivot: str = "mairie", **fields: Any) -> dict[str, Any]:
    return {
        "id": f"rec-{n}",
        "nom": f"Fiche {n}",
        "pivot": [{"type_service_local": pivot}] if pivot else [],
        "site_internet": [{"valeur": site}] if site else [],
        **fields,
    }


# -- hosts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.saint-exemple.fr",
        "http://saint-exemple.fr/accueil",
        "https://WWW.Saint-Exemple.FR:443/",
        "saint-exemple.fr",
        "https://saint-exemple.fr./",
    ],
)
def test_scheme_www_case_and_path_are_ignored(url):
    assert host_key(url) == "saint-exemple.fr"


def test_hosts_that_differ_stay_apart():
    assert host_key("https://mairie.saint-exemple.fr") == "mairie.saint-exemple.fr"
    assert host_key("https://www2.saint-exemple.fr") == "www2.saint-exemple.fr"
    assert host_key("https://mairie-évry.fr") == "xn--mairie-vry-h7a.fr"
    # IP addresses keep their port: several demo sites share 127.0.0.1.
    assert host_key("http://127.0.0.1:8001/") == "127.0.0.1:8001"
    assert host_key("http://127.0.0.1:8001/") != host_key("http://127.0.0.1:8002/")
    assert host_key("") is None and host_key("https://") is None
    assert domain_key("mairie.saint-exemple.fr") == "saint-exemple.fr"
    assert domain_key("loiret.gouv.fr") == "loiret.gouv.fr"  # gouv.fr is a public suffix


# -- linking --------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'v.db'}")


def load(store: Store, tmp_path: Path, records: list[dict[str, Any]]) -> int:
    path = tmp_path / "annuaire.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return import_export(store, path, date(2026, 9, 1)).import_id


def test_sites_are_linked_by_id_by_host_and_by_domain(store, tmp_path):
    import_id = load(
        store,
        tmp_path,
        [
            rec(1, "https://www.ville-a.fr"),
            rec(2, "https://ville-a.fr", pivot="ccas"),  # the mairie's site, another body
            rec(3, "http://ville-b.fr"),
            rec(4, "https://ville-c.fr"),  # the mairie site is on a subdomain
            rec(5, "https://mairie.ville-d.fr"),  # the record is on a subdomain
            rec(6, "https://commune-e.plateforme.fr"),
            rec(7, "https://www.dept.fr", pivot="cg"),
            rec(8, "https://ville-f.fr"),
            rec(9, "https://ville-f.fr"),  # two mairie records on one site
        ],
    )
    sites = [
        SiteRef("a", "https://ville-a.fr/", "mairie"),
        SiteRef("b", "https://www.ville-b.fr/", "mairie"),
        SiteRef("c", "https://mairie.ville-c.fr/", "mairie"),
        SiteRef("d", "https://www.ville-d.fr/", "mairie"),
        SiteRef("e", "https://commune-x.plateforme.fr/", "mairie"),  # another commune
        SiteRef("mdph", "https://mdph.dept.fr/", "autre"),  # not the département's site
        SiteRef("f", "https://ville-f.fr/", "mairie"),
        SiteRef("g", "https://ville-g.fr/", "mairie", annuaire_id="rec-8"),
        SiteRef("h", "https://ville-h.fr/", "mairie", annuaire_id="rec-404"),
        SiteRef("ccas", "https://ville-a.fr/ccas", "autre"),  # no type: both records
    ]
    links = {link.site_id: link for link in link_sites(store, import_id, sites)}
    assert (links["a"].record_id, links["a"].method) == ("rec-1", "host")
    assert (links["b"].record_id, links["b"].method) == ("rec-3", "host")
    assert (links["c"].record_id, links["c"].method) == ("rec-4", "domain")
    assert (links["d"].record_id, links["d"].method) == ("rec-5", "domain")
    assert links["e"].status == "unmatched"
    assert links["mdph"].status == "unmatched"
    assert links["f"].status == "ambiguous"
    assert {rid for rid, _ in links["f"].candidates} == {"rec-8", "rec-9"}
    assert "annuaire_id" in links["f"].describe()
    assert (links["g"].record_id, links["g"].method) == ("rec-8", "annuaire_id")
    assert links["h"].status == "unknown_id" and "rec-404" in links["h"].describe()
    assert links["ccas"].status == "ambiguous"
    assert "aucune fiche" in links["e"].describe() and "commune-x.plateforme.fr" in (
        links["e"].describe()
    )


# -- a run cross-checked --------------------------------------------------------------------

RECORD = rec(
    1,
    "https://www.ville-a.fr",
    telephone=[{"valeur": "02 61 91 00 10"}],
    adresse_courriel="accueil@ville-a.fr",
    adresse=[{"numero_voie": "1 place de la Mairie", "code_postal": "45000", "nom_commune": "A"}],
    plage_ouverture=[
        {
            "nom_jour_debut": "Lundi",
            "nom_jour_fin": "Vendredi",
            "valeur_heure_debut_1": "08:30:00",
            "valeur_heure_fin_1": "17:00:00",
        }
    ],
)


def page(run_id: int, site_id: str, url: str, depth: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "site_id": site_id,
        "url": url,
        "status_code": 200,
        "depth": depth,
        "bytes": 1000,
        "fetched_at": now(),
        "duration_s": 0.1,
        "rendered": False,
        "js_shell": False,
        "title": "Page",
        "problems": None,
        "links": [],
    }


def found(check_id: str, value: Any, *evidence: tuple[str, str]) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "status": "found",
        "value": value,
        "evidence": [{"url": u, "xpath": "/html/body/p", "snippet": s} for u, s in evidence],
        "error": None,
    }


def crawl(store: Store, with_import_first: bool, tmp_path: Path) -> int:
    """A finished run of three sites: one that agrees but for its phone, one in error,
    one without record."""
    if with_import_first:
        panne = rec(2, "https://panne.fr", telephone=[{"valeur": "01 99 00 20 00"}])
        load(store, tmp_path, [RECORD, panne])
    seeds = [
        Seed("a", "Ville A", "https://ville-a.fr/", "mairie"),
        Seed("panne", "Panne", "https://panne.fr/", "mairie"),
        Seed("sans", "Sans fiche", "https://sans-fiche.fr/", "mairie"),
    ]
    run_id = store.start_run(seeds)
    home, contact = "https://ville-a.fr/", "https://ville-a.fr/contact"
    phones = [
        {"e164": "+33261910099", "display": "02 61 91 00 99", "purpose": None},
        {"e164": "+33261910011", "display": "02 61 91 00 11", "purpose": "fax"},
    ]
    store.write_batch(
        [
            (
                page(run_id, "a", home, 0),
                [found("email", [{"address": "Accueil@ville-a.fr"}], (home, "Accueil@ville-a.fr"))],
            ),
            (
                page(run_id, "a", contact, 1),
                [
                    found(
                        "phone",
                        phones,
                        (contact, "Tél. 02 61 91 00 99"),
                        (contact, "Fax 02 61 91 00 11"),
                    ),
                    found("address", ["1, pl. de la Mairie, 45000 A"], (contact, "1, pl.")),
                    found(
                        "opening_hours",
                        {"osm": "Mo-Fr 08:30-17:00", "raw": "…"},
                        (contact, "du lundi au vendredi"),
                    ),
                ],
            ),
            (page(run_id, "sans", "https://sans-fiche.fr/", 0), []),
        ],  # fmt: skip
        [
            {
                "run_id": run_id,
                "site_id": "panne",
                "url": "https://panne.fr/",
                "kind": "connexion refusée",
                "reason": "connexion refusée",
                "is_home": True,
                "at": now(),
            }
        ],
    )
    finish_run(store, run_id)
    return run_id


def test_a_run_cross_checked_field_by_field_with_evidence(store, tmp_path):
    run_id = crawl(store, True, tmp_path)
    result = cross_check(store, run_id)
    a = result.sites["a"]
    statuses = {f["field"]: f["status"] for f in a.fields}
    assert statuses == {
        "phone": "differs",
        "email": "consistent",
        "address": "consistent",
        "opening_hours": "consistent",
    }
    phone = next(f for f in a.fields if f["field"] == "phone")
    assert phone["record"] == ["02 61 91 00 10"]
    assert phone["not_on_site"] == ["02 61 91 00 10"]
    assert [(s["value"], s["url"], s["snippet"]) for s in phone["site"]] == [
        ("02 61 91 00 99", "https://ville-a.fr/contact", "Tél. 02 61 91 00 99")
    ]  # the fax is not shown as a phone; the evidence is the number's own
    assert phone["label"] == "téléphone" and phone["status_label"] == "diffère de l'Annuaire"
    email = next(f for f in a.fields if f["field"] == "email")
    assert email["site"][0]["url"] == "https://ville-a.fr/"
    assert a.disagrees and a.to_dict()["annuaire_id"] == "rec-1"
    # The site in error has a record: never "missing", an error.
    assert {f["status"] for f in result.sites["panne"].fields} <= {"error", "no_record"}
    assert {f["status"] for f in result.sites["sans"].fields} == {"no_record"}
    assert [s.site_id for s in result.unmatched()] == ["sans"]
    counts = result.by_type()["mairie"]
    assert (counts["sites"], counts["with_record"], counts["disagree"]) == (3, 2, 1)
    assert counts["fields"]["phone"]["differs"] == 1
    as_json = json.dumps(result.to_dict(), default=str)
    assert "rec-1" in as_json


def test_the_table_has_the_annuaire_columns(store, tmp_path):
    run_id = crawl(store, True, tmp_path)
    table = findings_table(store, run_id).set_index("site_id")
    assert set(COLUMNS) <= set(table.columns)
    assert table.loc["a", "annuaire_id"] == "rec-1"
    assert table.loc["a", "annuaire_phone"] == "differs"
    assert table.loc["a", "annuaire_opening_hours"] == "consistent"
    assert table.loc["panne", "annuaire_phone"] == "error"
    assert table.loc["sans", "annuaire_email"] == "no_record"


def test_without_any_import_the_columns_are_empty_and_a_later_import_counts(store, tmp_path):
    run_id = crawl(store, False, tmp_path)
    table = findings_table(store, run_id).set_index("site_id")
    assert table[list(COLUMNS)].isna().all().all()  # nothing compared: neither way
    load(store, tmp_path, [RECORD])  # imported after the run: the first after it is used
    table = findings_table(store, run_id).set_index("site_id")
    assert table.loc["a", "annuaire_phone"] == "differs"


def test_the_seed_lists_annuaire_id_column_links_a_run_s_site(store, tmp_path):
    """The seed list's extra column travels with the run (run_sites.extra) to the link."""
    load(store, tmp_path, [RECORD])
    seeds = [Seed("x", "X", "https://autre-adresse.fr/", "mairie", {"annuaire_id": "rec-1"})]
    run_id = store.start_run(seeds)
    store.write_batch([(page(run_id, "x", "https://autre-adresse.fr/", 0), [])], [])
    finish_run(store, run_id)
    site = cross_check(store, run_id).sites["x"]
    assert (site.link.status, site.link.method, site.link.record_id) == (
        "linked",
        "annuaire_id",
        "rec-1",
    )
    assert {f["field"]: f["status"] for f in site.fields}["phone"] == "missing_on_site"


def test_import_links_and_cross_check_on_postgresql(pg_url, tmp_path):
    store = Store(pg_url)
    run_id = crawl(store, True, tmp_path)
    result = cross_check(store, run_id)
    assert {f["field"]: f["status"] for f in result.sites["a"].fields}["phone"] == "differs"
    assert result.sites["a"].link.method == "host"
    assert [r["record_id"] for r in store.annuaire_records_of_types(1, ["mairie"])] == [
        "rec-1",
        "rec-2",
    ]
    store.close()
