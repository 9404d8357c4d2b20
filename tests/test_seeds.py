"""Seed lists: bad lines reported with their number, duplicates merged, clear errors."""

from __future__ import annotations

import pytest

from crawler.seeds import SeedError, load_seeds, normalize_url, parse_seeds


def test_parses_valid_lines_and_keeps_extra_columns():
    seeds = parse_seeds(
        "id,name,url,type,departement\n"
        "mairie-a,Mairie A,https://www.mairie-a.fr,mairie,45\n"
        "pref,Préfecture,http://pref.gouv.fr/accueil,prefecture,45\n"
    )
    assert [s.id for s in seeds.seeds] == ["mairie-a", "pref"]
    assert seeds.seeds[0].url == "https://www.mairie-a.fr/"
    assert seeds.seeds[0].extra == {"departement": "45"}
    assert seeds.problems == []


def test_malformed_lines_are_reported_with_their_number_and_skipped():
    seeds = parse_seeds(
        "id,name,url,type\n"
        "ok,OK,https://ok.fr/,mairie\n"
        "short,Trop court\n"
        "badurl,Mauvaise URL,ftp://x.fr/,mairie\n"
        "bad id!,Identifiant,https://y.fr/,mairie\n"
        "port,Port,https://z.fr:abc/,mairie\n"
        "ok2,OK2,https://ok2.fr/,bibliotheque\n"
    )
    assert [s.id for s in seeds.seeds] == ["ok", "ok2"]
    joined = "\n".join(seeds.problems)
    for line in (3, 4, 5, 6):
        assert f"ligne {line} :" in joined
    assert "type 'bibliotheque' inconnu" in joined
    assert seeds.seeds[1].type == "autre"


def test_duplicates_by_id_or_url_are_merged():
    seeds = parse_seeds(
        "id,name,url,type\n"
        "a,Site A,https://a.fr/,mairie\n"
        "a,Site A bis,https://a2.fr/,mairie\n"
        "b,Site B,HTTPS://A.FR/,mairie\n"
    )
    assert [s.id for s in seeds.seeds] == ["a"]
    assert sum("doublon" in p for p in seeds.problems) == 2


def test_semicolon_separated_file_from_excel(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(
        "id;name;url;type\nm;Mairie de Sénas;https://senas.fr;mairie\n".encode("cp1252")
    )
    seeds = load_seeds(path)
    assert seeds.seeds[0].name == "Mairie de Sénas"


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "vide"),
        ("   \n", "vide"),
        ("nom,adresse\nx,y\n", "colonnes manquantes"),
        ("id,name,url,type\nbad,Bad,notaurl::,mairie\n", "aucun site valide"),
    ],
)
def test_unusable_files_raise_a_clear_error(tmp_path, content, message):
    path = tmp_path / "sites.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SeedError, match=message):
        load_seeds(path)


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(SeedError, match="illisible"):
        load_seeds(tmp_path / "absent.csv")


def test_normalize_url():
    assert normalize_url("www.mairie.fr") == "https://www.mairie.fr/"
    assert normalize_url("HTTP://Example.FR/a#frag") == "http://example.fr/a"
    with pytest.raises(ValueError):
        normalize_url("mailto:x@y.fr")
