"""``vigie seeds``: a seed list from URL list files or from the imported Annuaire, one site
per body, ids from hosts, names from the Annuaire, and a summary of what was merged or
dropped; ``vigie crawl`` reads what it writes."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from crawler.annuaire.importer import import_export
from crawler.cli import main
from crawler.commands import NAMES, exitcodes
from crawler.seedlists import Builder, category_of, clean_url, seed_id, type_of
from crawler.seeds import load_seeds
from crawler.store import Store

ENGLISH = re.compile(r"usage:|error:|Traceback|positional arguments|show this help")
ID_RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")  # crawler/seeds.py's


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert not ENGLISH.search(out + err), out + err
    return code, out, err


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_the_command_is_listed():
    assert "seeds" in NAMES


# -- units ----------------------------------------------------------------------------------


def test_categories_and_their_types():
    assert category_of("/x/urls-communes.txt") == "communes"
    assert category_of("conseils-departementaux.txt") == "conseils-departementaux"
    assert type_of("communes") == "mairie"
    assert type_of("prefectures") == "prefecture"
    assert type_of("conseils-departementaux") == "departement"
    assert type_of("conseils-regionaux") == "region"
    assert type_of("universites") == "universite"
    assert type_of("hopitaux") == type_of("aphp") == "hopital"
    assert type_of("inconnue") is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("saint-exemple.fr", "saint-exemple.fr"),
        ("127.0.0.1:8001", "127.0.0.1_8001"),
        ("xn--mairie-vry-h7a.fr", "xn--mairie-vry-h7a.fr"),
    ],
)
def test_ids_come_from_the_host_and_follow_the_seed_rule(host, expected):
    assert seed_id(host) == expected
    assert ID_RULE.match(seed_id(host))


def test_a_long_host_gets_a_short_stable_unique_id():
    long_a = "a" * 60 + "." + "b" * 60 + ".fr"
    long_b = "a" * 60 + "." + "b" * 59 + "c.fr"
    assert ID_RULE.match(seed_id(long_a)) and len(seed_id(long_a)) <= 100
    assert seed_id(long_a) == seed_id(long_a) != seed_id(long_b)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("mailto:mairie@exemple.fr", "not_http"),
        ("ftp://exemple.fr/", "not_http"),
        ("https://", "invalid"),
        ("https://exa mple.fr", "invalid"),
        ("pas une url", "invalid"),
        ("https://exemple.fr:99999/", "invalid"),
    ],
)
def test_bad_urls_are_dropped_with_their_reason(text, reason):
    assert clean_url(text) == (None, reason)


def test_one_site_per_host_https_and_www_preferred():
    builder = Builder()
    for url in (
        "http://exemple.fr",
        "https://exemple.fr",
        "http://www.exemple.fr",
        "https://www.exemple.fr/",
        "https://mairie.exemple.fr",  # another host: another site
    ):
        builder.add(url, "mairie", "test")
    sites = builder.finish()
    assert [(s.id, s.url) for s in sites] == [
        ("exemple.fr", "https://www.exemple.fr/"),
        ("mairie.exemple.fr", "https://mairie.exemple.fr/"),
    ]
    assert builder.summary.merged == 3
    assert builder.summary.shared_domains == 2  # said, but kept apart


# -- the command ----------------------------------------------------------------------------


@pytest.fixture
def lists(tmp_path: Path) -> list[Path]:
    communes = tmp_path / "urls-communes.txt"
    communes.write_text(
        "https://www.saint-exemple.fr\n"
        "http://saint-exemple.fr\n"
        "\n"
        "# commentaire\n"
        "mailto:mairie@vieux-bourg.fr\n"
        "https://exa mple.fr\n"
        "https://vieux-bourg.fr\n",
        encoding="utf-8",
    )
    autres = tmp_path / "urls-bizarre.txt"
    autres.write_text("https://www.agence-exemple.fr\nhttps://saint-exemple.fr\n")
    return [communes, autres]


def test_seeds_from_url_lists(capsys, tmp_path, lists):
    out_csv = tmp_path / "sites.csv"
    missing = f"sqlite:///{tmp_path / 'pas-de-base.db'}"
    code, out, _ = run(capsys, "seeds", *map(str, lists), "-o", str(out_csv), "--db", missing)
    assert code == exitcodes.OK
    assert not (tmp_path / "pas-de-base.db").exists()  # no store created for names
    table = rows(out_csv)
    assert [(r["id"], r["url"], r["type"], r["name"]) for r in table] == [
        ("agence-exemple.fr", "https://www.agence-exemple.fr/", "autre", "agence-exemple.fr"),
        ("saint-exemple.fr", "https://www.saint-exemple.fr/", "mairie", "saint-exemple.fr"),
        ("vieux-bourg.fr", "https://vieux-bourg.fr/", "mairie", "vieux-bourg.fr"),
    ]
    assert "Liste de sites écrite" in out and "(3 sites)" in out
    assert "urls-bizarre.txt : 2 URL, type autre (catégorie inconnue)" in out
    assert "Fusionnées : 2 URL" in out
    assert "Écartées : 1 URL invalides" in out and "urls-communes.txt:6" in out
    assert "Écartées : 1 URL qui ne sont pas en http(s)" in out
    seeds = load_seeds(out_csv)
    assert seeds.problems == [] and len(seeds.seeds) == 3


def test_type_given_and_names_from_the_annuaire(capsys, tmp_path, lists):
    db = f"sqlite:///{tmp_path / 'v.db'}"
    store = Store(db)
    export = tmp_path / "annuaire.json"
    export.write_text(
        json.dumps(
            [
                {
                    "id": "m1",
                    "nom": "Mairie - Saint-Exemple",
                    "pivot": [{"type_service_local": "mairie"}],
                    "site_internet": [{"valeur": "https://saint-exemple.fr"}],
                },
                {
                    "id": "c1",
                    "nom": "CCAS - Saint-Exemple",
                    "pivot": [{"type_service_local": "ccas"}],
                    "site_internet": [{"valeur": "https://saint-exemple.fr"}],
                },
                {
                    "id": "v1",
                    "nom": "Mairie - Vieux-Bourg (1)",
                    "pivot": [{"type_service_local": "mairie"}],
                    "site_internet": [{"valeur": "https://vieux-bourg.fr"}],
                },
                {
                    "id": "v2",
                    "nom": "Mairie déléguée - Vieux-Bourg",
                    "pivot": [{"type_service_local": "mairie"}],
                    "site_internet": [{"valeur": "https://vieux-bourg.fr"}],
                },
            ]
        ),  # fmt: skip
        encoding="utf-8",
    )
    import_export(store, export, date(2026, 9, 1))
    out_csv = tmp_path / "sites.csv"
    code, out, _ = run(capsys, "seeds", str(lists[0]), "--type", "mairie", "-o", str(out_csv),
                       "--db", db)  # fmt: skip
    assert code == exitcodes.OK
    table = {r["id"]: r for r in rows(out_csv)}
    assert table["saint-exemple.fr"]["name"] == "Mairie - Saint-Exemple"
    assert table["saint-exemple.fr"]["annuaire_id"] == "m1"  # the mairie's, not the CCAS'
    assert table["vieux-bourg.fr"]["name"] == "Mairie - Vieux-Bourg (1)"
    assert table["vieux-bourg.fr"]["annuaire_id"] == ""  # two mairie records: not guessed
    assert "Noms : 2 de l'Annuaire (import n° 1)" in out
    assert "1 site(s) ont plusieurs fiches" in out
    assert load_seeds(out_csv).problems == []


def test_seeds_from_the_annuaire(capsys, tmp_path):
    db = f"sqlite:///{tmp_path / 'v.db'}"
    store = Store(db)
    export = tmp_path / "annuaire.json"
    records = [
        {"id": "d1", "nom": "Conseil départemental A", "pivot": [{"type_service_local": "cg"}],
         "site_internet": [{"valeur": "http://www.dept-a.fr"}, {"valeur": "https://dept-a.fr"}]},
        {"id": "d2", "nom": "Conseil départemental B", "pivot": [{"type_service_local": "cg"}],
         "site_internet": []},
        {"id": "m1", "nom": "Mairie", "pivot": [{"type_service_local": "mairie"}],
         "site_internet": [{"valeur": "https://mairie.fr"}]},
    ]  # fmt: skip
    export.write_text(json.dumps(records), encoding="utf-8")
    import_export(store, export)
    out_csv = tmp_path / "departements.csv"
    code, out, _ = run(capsys, "seeds", "--from-annuaire", "--type", "departement", "-o",
                       str(out_csv), "--db", db)  # fmt: skip
    assert code == exitcodes.OK
    assert rows(out_csv) == [
        {"id": "dept-a.fr", "name": "Conseil départemental A", "url": "http://www.dept-a.fr/",
         "type": "departement", "annuaire_id": "d1"}
    ]  # fmt: skip
    assert "2 fiches de l'Annuaire lues" in out
    assert "Écartées : 1 fiches sans site internet utilisable" in out
    assert "d2" in out
    code, _, _ = run(capsys, "seeds", "--from-annuaire", "--type", "cg", "-o", "-", "--db", db)
    assert code == exitcodes.OK


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["seeds", "-o", "x.csv"], ("fichiers d'URL",)),
        (["seeds", "absent.txt", "-o", "x.csv"], ("introuvable", "absent.txt")),
        (["seeds", "{list}", "--type", "chateau", "-o", "x.csv"], ("type inconnu",)),
        (["seeds", "--from-annuaire", "-o", "x.csv"], ("--type",)),
        (["seeds", "--from-annuaire", "--type", "mairie", "-o", "x.csv"], ("aucun Annuaire",)),
        (["seeds", "{list}"], ("-o",)),
    ],
)
def test_mistakes_are_one_french_line_and_the_usage_code(capsys, tmp_path, lists, args, words):
    db = f"sqlite:///{tmp_path / 'v.db'}"
    Store(db)
    args = [a.format(list=lists[0]) for a in args]
    code, _, err = run(capsys, *args, "--db", db)
    assert code == exitcodes.USAGE, err
    errors = [line for line in err.splitlines() if "erreur" in line]
    assert len(errors) == 1, err
    for word in words:
        assert word in errors[0], errors[0]


def test_the_shared_national_lists_give_a_list_vigie_crawl_accepts(capsys, tmp_path, shared_dir):
    folder = shared_dir / "reference" / "public-sector-urls"
    files = sorted(folder.glob("urls-*.txt"))
    if not files:
        pytest.skip("listes d'URL du secteur public absentes de ../shared")
    out_csv = tmp_path / "national.csv"
    db = f"sqlite:///{tmp_path / 'absente.db'}"
    code, out, _ = run(capsys, "seeds", *map(str, files), "-o", str(out_csv), "--db", db)
    assert code == exitcodes.OK
    assert "Liste de sites écrite" in out and "Fusionnées" in out
    seeds = load_seeds(out_csv)
    assert seeds.problems == []
    read = sum(1 for f in files for line in f.read_text().splitlines() if line.strip())
    assert 0.5 * read < len(seeds.seeds) < read  # www./bare and http/https merged
    types = {s.type for s in seeds.seeds}
    assert {"mairie", "prefecture", "departement", "region", "universite", "hopital"} <= types
    hosts = [s.url.split("/")[2].removeprefix("www.") for s in seeds.seeds]
    assert len(hosts) == len(set(hosts))  # one site per host
    assert all(ID_RULE.match(s.id) for s in seeds.seeds)
