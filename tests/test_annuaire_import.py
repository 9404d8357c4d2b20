"""Reading and importing an Annuaire export: every format, malformed records reported by
line and skipped, a broken file never replacing the import in use, history kept, memory
bounded by the stream (not by the file)."""

from __future__ import annotations

import csv
import json
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from crawler.annuaire.export import ExportError, detect_format, read_export
from crawler.annuaire.importer import AnnuaireImportError, import_export, parse_date
from crawler.store import Store, annuaire_imports

STRUCTURED = ("pivot", "site_internet", "telephone", "adresse", "plage_ouverture")


def record(n: int, host: str | None = None, pivot: str = "mairie", **extra) -> dict:
    """A record in the JSON export's shape (invented values)."""
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "nom": f"Mairie - Commune {n}",
        "pivot": [{"type_service_local": pivot, "code_insee_commune": [f"{n:05d}"]}],
        "site_internet": [{"libelle": "", "valeur": f"https://www.{host or f'commune{n}.fr'}"}],
        "telephone": [{"valeur": "02 61 91 00 10", "description": ""}],
        "adresse_courriel": f"accueil@commune{n}.fr",
        "formulaire_contact": "",
        "adresse": [
            {
                "type_adresse": "Adresse",
                "numero_voie": f"{n} place de la Mairie",
                "code_postal": "45000",
                "nom_commune": f"Commune {n}",
            }
        ],
        "plage_ouverture": [
            {
                "nom_jour_debut": "Lundi",
                "nom_jour_fin": "Vendredi",
                "valeur_heure_debut_1": "08:30:00",
                "valeur_heure_fin_1": "12:00:00",
            }
        ],
        "code_insee_commune": f"{n:05d}",
        "date_modification": "2026-09-01 10:00:00",
        "information_complementaire": "x" * 50,  # a field Vigie does not keep
        **extra,
    }


def write_csv(path: Path, rows: list[dict], raw_rows: list[list[str]] = ()) -> Path:
    """The CSV export's shape: ``;``, structured fields as JSON-encoded cells."""
    keys = list(rows[0])
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(keys)
        for row in rows:
            writer.writerow(
                [
                    json.dumps(row[k], ensure_ascii=False) if k in STRUCTURED else row[k]
                    for k in keys
                ]
            )
        for raw in raw_rows:
            writer.writerow(raw)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'v.db'}")


# -- formats --------------------------------------------------------------------------------


def test_the_json_list_the_results_object_and_json_lines_read_the_same(tmp_path):
    rows = [record(1), record(2)]
    as_list = tmp_path / "a.json"
    as_list.write_text(json.dumps(rows), encoding="utf-8")
    as_results = tmp_path / "b.json"
    as_results.write_text(json.dumps({"total_count": 2, "results": rows}, indent=2))
    as_lines = tmp_path / "c.json"  # no .jsonl suffix: recognised by its first line
    as_lines.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    as_csv = write_csv(tmp_path / "d.csv", rows)
    read = {}
    for path, kind in ((as_list, "json"), (as_results, "json-results"), (as_lines, "jsonl"),
                       (as_csv, "csv")):  # fmt: skip
        assert detect_format(path) == kind
        found, entries = read_export(path)
        read[kind] = [e.record for e in entries]
    assert read["json"] == read["json-results"] == read["jsonl"] == read["csv"]
    first = read["json"][0]
    assert first["id"] == "00000000-0000-0000-0000-000000000001"
    assert first["telephone"] == [{"valeur": "02 61 91 00 10", "description": ""}]
    assert "information_complementaire" not in first  # only the fields Vigie uses are kept


def test_malformed_records_are_reported_by_line_and_skipped(tmp_path, store):
    good = [record(1), record(2)]
    path = write_csv(
        tmp_path / "export.csv",
        good,
        raw_rows=[
            ["", "Sans id"] + [""] * (len(good[0]) - 2),  # line 4: no id
            ["00000000-0000-0000-0000-000000000009", "Trop court"],  # line 5: 2 cells
        ],
    )
    # Line 3: a cell that is not JSON: the record is kept without that field.
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('[{""valeur"": ""02 61 91 00 10""', "[{cassé", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_export(store, path, date(2026, 9, 1))
    assert (report.records, report.rejected, report.field_problems) == (2, 2, 1)
    assert any(p.startswith("ligne 3 : champ « telephone » illisible") for p in report.problems)
    assert any(p.startswith("ligne 4 : pas d'« id »") for p in report.problems)
    assert any(p.startswith("ligne 5 : 2 colonnes") for p in report.problems)
    kept = store.annuaire_records(report.import_id, [good[1]["id"]])[good[1]["id"]]
    assert kept["data"]["telephone"] == []
    summary = "\n".join(report.summary())
    assert "2 fiche(s) rejetée(s)" in summary and "ligne 5 : 2 colonnes" in summary
    stored = store.annuaire_import(report.import_id)
    assert stored["status"] == "finished" and stored["rejected_count"] == 2
    assert stored["report"]["problems"] == report.problems


def test_json_records_that_are_not_objects_or_repeat_an_id_are_rejected(tmp_path, store):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([record(1), 5, {"nom": "sans id"}, record(1), record(2)]))
    report = import_export(store, path)
    assert (report.records, report.rejected, report.duplicates) == (2, 3, 1)
    assert report.problems[0] == "fiche n° 2 : pas un objet JSON, fiche rejetée"
    assert report.problems[2].startswith("fiche n° 4 : id 00000000-0000-0000-0000-000000000001 "
                                         "déjà lu (fiche n° 1)")  # fmt: skip


def test_a_broken_file_fails_and_leaves_the_import_in_use(tmp_path, store):
    first = tmp_path / "ok.json"
    first.write_text(json.dumps([record(1)]))
    good = import_export(store, first)
    broken = tmp_path / "tronque.json"
    broken.write_text(json.dumps([record(2), record(3)])[:-40])  # cut in the middle
    with pytest.raises(AnnuaireImportError, match="JSON invalide après la fiche n° 1"):
        import_export(store, broken)
    failed = store.annuaire_imports()[-1]
    assert failed["status"] == "failed" and failed["report"]["error"]
    assert store.annuaire_records(failed["id"], [record(2)["id"]]) == {}  # nothing left
    assert store.annuaire_import_for(None)["id"] == good.import_id
    empty = tmp_path / "vide.json"
    empty.write_text("[]")
    with pytest.raises(AnnuaireImportError, match="aucune fiche valide"):
        import_export(store, empty)
    with pytest.raises(AnnuaireImportError, match="introuvable"):
        import_export(store, tmp_path / "absent.json")
    not_export = tmp_path / "sites.csv"
    not_export.write_text("id,name,url,type\n", encoding="utf-8")
    with pytest.raises(AnnuaireImportError, match="aucune fiche valide"):
        import_export(store, not_export)
    assert store.annuaire_import_for(None)["id"] == good.import_id


def test_a_later_import_replaces_the_earlier_and_keeps_history(tmp_path, store):
    one = tmp_path / "un.json"
    one.write_text(json.dumps([record(1)]))
    two = tmp_path / "deux.json"
    two.write_text(json.dumps([record(1, pivot="prefecture"), record(2)]))
    first = import_export(store, one, date(2026, 6, 1))
    second = import_export(store, two, date(2026, 9, 1))
    assert second.replaces["id"] == first.import_id
    assert "Remplace l'import n° 1 (export du 2026-06-01)" in "\n".join(second.summary())
    assert [i["export_date"] for i in store.annuaire_imports()] == [
        date(2026, 6, 1),
        date(2026, 9, 1),
    ]
    rid = record(1)["id"]
    assert store.annuaire_records(first.import_id, [rid])[rid]["pivot_type"] == "mairie"
    assert store.annuaire_records(second.import_id, [rid])[rid]["pivot_type"] == "prefecture"


def test_which_import_a_run_is_compared_with(tmp_path, store):
    """The latest finished before the run finished; else the first after it."""
    path = tmp_path / "a.json"
    path.write_text(json.dumps([record(1)]))
    ids = [import_export(store, path).import_id for _ in range(3)]
    base = datetime(2026, 9, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        for n, import_id in enumerate(ids):
            conn.execute(
                update(annuaire_imports)
                .where(annuaire_imports.c.id == import_id)
                .values(finished_at=base + timedelta(days=10 * n))
            )
    assert store.annuaire_import_for(base + timedelta(days=15))["id"] == ids[1]
    assert store.annuaire_import_for(base + timedelta(days=10))["id"] == ids[1]
    assert store.annuaire_import_for(base - timedelta(days=1))["id"] == ids[0]
    assert store.annuaire_import_for(None)["id"] == ids[2]


def test_parse_date():
    assert parse_date("2026-09-01") == parse_date("01/09/2026") == date(2026, 9, 1)
    with pytest.raises(ValueError, match="AAAA-MM-JJ"):
        parse_date("septembre")


def test_a_json_file_broken_before_any_record(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[{")
    _, entries = read_export(path)
    with pytest.raises(ExportError, match="avant la première fiche"):
        list(entries)


# -- streaming --------------------------------------------------------------------------------


def _peak_import_memory(tmp_path: Path, n: int) -> tuple[int, int]:
    """Peak Python memory of importing ``n`` records (tracemalloc), and the file's size."""
    path = tmp_path / f"export-{n}.json"
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("[")
        for i in range(n):
            stream.write(("," if i else "") + json.dumps(record(i)))
        stream.write("]")
    store = Store(f"sqlite:///{tmp_path / f'm{n}.db'}")
    tracemalloc.start()
    try:
        report = import_export(store, path, batch=500)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.records == n
    return peak, path.stat().st_size


def test_memory_does_not_grow_with_the_export(tmp_path):
    """Four times the records, nearly the same peak: the file is streamed. (``json.load``
    would hold every record: its peak grows with the file, several times its size.)"""
    _peak_import_memory(tmp_path, 10)  # first use: modules, caches
    small, small_size = _peak_import_memory(tmp_path, 1_000)
    large, large_size = _peak_import_memory(tmp_path, 4_000)
    assert large_size > 3.5 * small_size
    assert large < small * 1.5, (small, large)
    assert large < large_size * 1.5, (large, large_size)
