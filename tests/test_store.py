"""The SQL store: runs accumulate, a second run never erases the first."""

from __future__ import annotations

import pandas as pd
import pytest

from checks import run_checks
from checks.page import Page
from crawler.aggregation import finish_run
from crawler.seeds import Seed
from crawler.store import Store, finding_rows, now
from reports.table import TableError, export, findings_table

SEEDS = [
    Seed("m", "Mairie", "https://www.mairie-a.fr/", "mairie"),
    Seed("p", "Préfecture", "https://www.pref.gouv.fr/", "prefecture"),
]
HTML = """<html lang="fr"><body><p>Standard : 02 38 12 34 56</p>
<a href="https://www.service-public.fr/">Service-Public.fr</a></body></html>"""


def _crawl_once(store: Store, phone_found: bool = True) -> int:
    run_id = store.start_run(SEEDS, label="test")
    page = Page(HTML if phone_found else "<p>rien</p>", "https://www.mairie-a.fr/")
    row = {
        "run_id": run_id,
        "site_id": "m",
        "url": page.url,
        "status_code": 200,
        "depth": 0,
        "bytes": 100,
        "fetched_at": now(),
    }
    store.write_batch(
        [(row, finding_rows(run_checks(page)))],
        [
            {
                "run_id": run_id,
                "site_id": "p",
                "url": "https://www.pref.gouv.fr/",
                "kind": "timeout",
                "reason": "délai de réponse dépassé",
                "is_home": True,
                "at": now(),
            }
        ],
    )
    finish_run(store, run_id, {"pages": 1})
    return run_id


def test_runs_accumulate_and_the_table_reads_any_of_them(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    first = _crawl_once(store, phone_found=True)
    second = _crawl_once(Store(store.url), phone_found=False)  # a new process, same file
    assert [r["id"] for r in store.list_runs()] == [first, second]
    latest = findings_table(store)
    assert latest["run_id"].unique().tolist() == [second]
    old = findings_table(store, first).set_index("site_id")
    new = latest.set_index("site_id")
    assert old.loc["m", "phone"] == "found"
    assert new.loc["m", "phone"] == "absent"
    assert old.loc["m", "service_public_link"] == "found"
    # The table compares each site with its previous run.
    assert pd.isna(old.loc["m", "previous_run_id"])
    assert new.loc["m", "previous_run_id"] == first
    assert new.loc["m", "appeared"].split() == ["phone", "service_public_link"]
    assert pd.isna(new.loc["m", "fixed"])
    assert pd.isna(new.loc["p", "appeared"])  # in error both times: nothing comparable


def test_a_site_in_error_has_its_reason_and_error_cells(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    _crawl_once(store)
    df = findings_table(store).set_index("site_id")
    assert df.loc["p", "status"] == "error"
    assert "délai" in df.loc["p", "reason"]
    assert df.loc["p", "phone"] == "error"
    assert pd.isna(df.loc["p", "engagement_2"])
    assert df.loc["m", "status"] == "ok"
    assert df.loc["m", "pages_crawled"] == 1


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx", "json"])
def test_exports_round_trip(tmp_path, fmt):
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    _crawl_once(store)
    path = export(findings_table(store), tmp_path / f"t.{fmt}")
    reader = {
        "csv": pd.read_csv,
        "parquet": pd.read_parquet,
        "xlsx": pd.read_excel,
        "json": pd.read_json,
    }[fmt]
    back = reader(path)
    if fmt == "xlsx":  # read by people: French headers (reports/columns.py)
        from reports.columns import header

        back = back.rename(columns={header(c): c for c in findings_table(store).columns})
    assert sorted(back["site_id"]) == ["m", "p"]
    assert "engagement_2" in back.columns and "phone" in back.columns


def test_xlsx_export_keeps_formula_like_text_as_text(tmp_path):
    import openpyxl

    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    _crawl_once(store)
    df = findings_table(store)
    df.loc[df["site_id"] == "m", "name"] = '=HYPERLINK("https://piege.invalid","Mairie")'
    path = export(df, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["Constats"]
    column = [c.value for c in sheet[1]].index("Nom du site") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    trapped = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert trapped.data_type == "s"


def test_table_errors_are_clear(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    with pytest.raises(TableError, match="aucune exploration"):
        findings_table(store)
    _crawl_once(store)
    with pytest.raises(TableError, match="inconnue"):
        findings_table(store, 999)
    with pytest.raises(TableError, match="format inconnu"):
        export(findings_table(store), tmp_path / "t.doc")


def test_write_batch_can_skip_what_the_run_already_holds(tmp_path):
    """A distributed worker fetching again what a dead one stored writes it once."""
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    run_id = store.start_run([Seed(id="s", name="S", url="https://s.fr/", type="mairie")])
    page = {
        "run_id": run_id,
        "site_id": "s",
        "url": "https://s.fr/",
        "status_code": 200,
        "fetched_at": now(),
    }
    error = {
        "run_id": run_id,
        "site_id": "s",
        "url": "https://s.fr/x",
        "kind": "http",
        "reason": "500",
        "is_home": False,
        "at": now(),
    }
    store.write_batch([(page, [])], [error])
    other = {**page, "url": "https://s.fr/contact"}
    store.write_batch([(page, []), (other, [])], [error], skip_stored=True)
    assert sorted(p["url"] for p in store.pages_of_run(run_id)) == [
        "https://s.fr/",
        "https://s.fr/contact",
    ]
    assert len(store.errors_of_run(run_id)) == 1
    store.write_batch([(page, [])], [], skip_stored=False)  # without: written again
    assert len(store.pages_of_run(run_id)) == 3


def test_a_store_used_with_with_is_closed_at_the_end_of_the_block(tmp_path):
    """Its last SQLite connection closes: the WAL is folded back into the file, and gone."""
    db = tmp_path / "v.db"
    wal = tmp_path / "v.db-wal"
    with Store(f"sqlite:///{db}") as store:
        store.start_run(SEEDS, label="test")
        assert wal.exists()  # the write is in the WAL while a connection is open
    assert not wal.exists()
    with Store(f"sqlite:///{db}", write=False) as reader:
        assert [r["label"] for r in reader.list_runs()] == ["test"]  # nothing lost


def test_xlsx_cells_keep_their_kind(tmp_path):
    import math

    import openpyxl

    df = pd.DataFrame(
        {
            "text": ["=1+1", "https://mairie.example.fr/", None],
            "count": pd.Series([3, 0, 7], dtype="int64"),
            "maybe": pd.Series([1, None, 2], dtype="Int64"),
            "share": [0.5, float("nan"), float("inf")],
            "flag": [True, False, True],
            "when": pd.to_datetime(["2026-11-28", None, "2026-11-29"]),
            "list": [["a", "b"], [], None],
        }
    )
    path = export(df, tmp_path / "kinds.xlsx")
    sheet = openpyxl.load_workbook(path)["Constats"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["=1+1", "https://mairie.example.fr/", None]
    assert sheet["A2"].data_type == "s" and sheet["A3"].hyperlink is None
    assert [r[1] for r in rows] == [3, 0, 7]
    assert [r[2] for r in rows] == [1, None, 2]
    assert rows[0][3] == 0.5 and rows[1][3] is None and rows[2][3] == "inf"
    assert [r[4] for r in rows] == [True, False, True]
    assert str(rows[0][5]).startswith("2026-11-28") and rows[1][5] is None
    assert rows[0][6] == "['a', 'b']" and rows[2][6] is None
    assert not any(isinstance(v, float) and math.isnan(v) for r in rows for v in r)
