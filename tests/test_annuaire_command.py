"""``vigie annuaire``: it teaches without a sub-command, imports with a French summary,
lists imports, links and unmatched sites, and the sites that disagree; every mistake is one
French line and the usage exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_annuaire_crosscheck import RECORD, crawl

from crawler.cli import main
from crawler.commands import NAMES, exitcodes
from crawler.store import Store

ENGLISH = re.compile(r"usage:|error:|Traceback|positional arguments|show this help|No such file")


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: --help, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert not ENGLISH.search(out + err), out + err
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    Store(url)
    return url


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "annuaire.json"
    path.write_text(json.dumps([RECORD, {"nom": "sans id"}]), encoding="utf-8")
    return path


def test_the_command_is_listed():
    assert "annuaire" in NAMES and "seeds" in NAMES


@pytest.mark.parametrize("args", [["annuaire"], ["annuaire", "--help"]])
def test_without_a_sub_command_it_teaches(capsys, args):
    code, out, _ = run(capsys, *args)
    assert code == exitcodes.OK
    for word in ("import", "imports", "links", "check", "exemples", "annuaire_id"):
        assert word in out, word


def test_import_prints_a_french_summary_with_the_malformed_records(capsys, db, export):
    code, out, _ = run(capsys, "annuaire", "import", str(export), "--date", "2026-09-01",
                       "--db", db)  # fmt: skip
    assert code == exitcodes.OK
    assert "Annuaire importé (import n° 1) : 1 fiches" in out
    assert "export du 2026-09-01" in out
    assert "fiche n° 2 : pas d'« id », fiche rejetée" in out
    code, out, _ = run(capsys, "annuaire", "imports", "--db", db)
    assert code == exitcodes.OK and "terminé" in out and str(export) in out
    code, out, _ = run(capsys, "annuaire", "imports", "--details", "1", "--db", db)
    assert "fiche n° 2 : pas d'« id »" in out and "mairie : 1" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["annuaire", "import", "absent.json"], ("introuvable", "absent.json")),
        (["annuaire", "import", "{export}", "--date", "hier"], ("--date", "AAAA-MM-JJ")),
        (["annuaire", "imports", "--details", "9"], ("n° 9 inconnu",)),
        (["annuaire", "links", "--seeds", "{seeds}"], ("aucun Annuaire importé",)),
        (["annuaire", "check"], ("aucune exploration",)),
        (["annuaire", "frobnicate"], ("choix invalide",)),
    ],
)
def test_mistakes_are_one_french_line_and_the_usage_code(capsys, db, export, tmp_path, args,
                                                         words):  # fmt: skip
    seeds = tmp_path / "sites.csv"
    seeds.write_text("id,name,url,type\na,A,https://ville-a.fr/,mairie\n", encoding="utf-8")
    args = [a.format(export=export, seeds=seeds) for a in args]
    code, _, err = run(capsys, *args, "--db", db) if args[1] != "frobnicate" else run(capsys, *args)
    assert code == exitcodes.USAGE, err
    errors = [line for line in err.splitlines() if "erreur" in line]
    assert len(errors) == 1, err
    for word in words:
        assert word in errors[0], errors[0]


def test_links_of_a_seed_list_name_the_unmatched_sites(capsys, db, export, tmp_path):
    run(capsys, "annuaire", "import", str(export), "--db", db)
    seeds = tmp_path / "sites.csv"
    seeds.write_text(
        "id,name,url,type\na,A,https://ville-a.fr/,mairie\nz,Z,https://ailleurs.fr/,mairie\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "annuaire", "links", "--seeds", str(seeds), "--all", "--db", db)
    assert code == exitcodes.OK
    assert "1 relié(s) à une fiche (1 par l'hôte)" in out
    assert "a : fiche rec-1" in out
    assert "1 sans fiche" in out and "z : aucune fiche de l'Annuaire n'a le site ailleurs.fr" in out


def test_check_says_what_the_site_shows_and_what_the_annuaire_says(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'run.db'}"
    store = Store(url)
    run_id = crawl(store, True, tmp_path)
    code, out, _ = run(capsys, "annuaire", "check", "--db", url)
    assert code == exitcodes.OK
    assert f"Exploration n° {run_id} comparée à l'import n° 1" in out
    assert (
        "téléphone — le site affiche 02 61 91 00 99 (https://ville-a.fr/contact) ; "
        "l'Annuaire indique 02 61 91 00 10"
    ) in out
    assert "1 site(s) sans fiche" in out
    code, out, _ = run(capsys, "annuaire", "check", "--json", "--db", url)
    data = json.loads(out)
    assert data["by_type"]["mairie"]["disagree"] == 1
    site = next(s for s in data["sites"] if s["site_id"] == "a")
    assert {f["field"]: f["status"] for f in site["fields"]}["phone"] == "differs"
    code, out, _ = run(capsys, "annuaire", "links", "--db", url)
    assert "sans : aucune fiche" in out
