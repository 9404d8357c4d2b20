"""Spreadsheet safety (issue 12 point 4, issue 13 point 7): no cell of a CSV or XLSX that
Vigie writes can run as a formula, whatever a seed list or a crawled page says; a CSV that
French Excel opens as it is, and a plain RFC 4180 one for programs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from crawler.aggregation import finish_run
from crawler.store import Store
from reports.html import write_report
from reports.spreadsheet import FORMULA_TRIGGERS, neutralise
from reports.table import TableError, export, findings_table

NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
HOSTILE_NAMES = ["@SUM(1)", "-1+2", '=HYPERLINK("https://x")', "+33 1 23", "\t=1", "\r=1"]
#: As openpyxl reads them back: OOXML escapes a carriage return as ``_x000D_``.
XLSX_NAMES = [n.replace("\r", "_x000D_") for n in HOSTILE_NAMES]
SNIPPET = "+3+cmd|' /C calc'!A0"
LABEL = "=cmd|' /C calc'!A0"


def _hostile_store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    seeds = [
        SimpleNamespace(
            id=f"s{i}", name=name, url=f"https://s{i}.example.fr/", type="mairie", extra=None
        )
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    run_id = store.start_run(seeds, label="@piège")
    phone = {
        "check_id": "phone",
        "status": "found",
        "value": [{"display": "01 23 45 67 89", "kind": "fixed", "purpose": LABEL}],
        "evidence": [
            {"url": "https://s0.example.fr/", "xpath": "/html/body/p", "snippet": SNIPPET}
        ],
        "error": None,
    }
    page = {
        "run_id": run_id,
        "site_id": "s0",
        "url": "https://s0.example.fr/",
        "status_code": 200,
        "depth": 0,
        "bytes": 10,
        "fetched_at": NOW,
        "duration_s": 0.1,
        "rendered": False,
        "js_shell": False,
        "title": "-titre",
        "problems": None,
    }
    store.write_batch([(page, [phone])], [])
    finish_run(store, run_id)
    return store


def _cells(text: str, sep: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=sep))


def _assert_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), cell


def test_neutralise_follows_owasp():
    for trigger in FORMULA_TRIGGERS:
        assert neutralise(trigger + "1") == "'" + trigger + "1"
    assert neutralise("Mairie") == "Mairie" and neutralise(-3) == -3 and neutralise(None) is None


def test_table_csv_neutralises_hostile_names_and_keeps_numbers(tmp_path):
    store = _hostile_store(tmp_path)
    df = findings_table(store)
    path = export(df, tmp_path / "t.csv")
    text = path.read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff")  # plain UTF-8 for programs
    rows = _cells(text, ",")
    _assert_inert(rows)
    names = [r[rows[0].index("name")] for r in rows[1:]]
    assert sorted(names) == sorted("'" + n for n in HOSTILE_NAMES)
    assert rows[1][rows[0].index("run_label")] == "'@piège"
    back = pd.read_csv(path)
    assert back["pages_crawled"].dtype.kind == "i"  # numbers stay numbers
    assert back["engagement_2"].dtype.kind == "f"


def test_excel_flavour_has_bom_semicolons_and_decimal_commas(tmp_path):
    store = _hostile_store(tmp_path)
    df = findings_table(store)
    raw = export(df, tmp_path / "t.csv", csv_dialect="excel-fr").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = _cells(text, ";")
    assert len(rows[0]) == len(df.columns)  # one column per field: the separator is ';'
    _assert_inert(rows)
    e2 = rows[0].index("engagement_2")
    s0 = next(r for r in rows[1:] if r[rows[0].index("site_id")] == "s0")
    assert s0[e2] == "0,167"  # 1 of 6 elements, with a decimal comma
    back = pd.read_csv(tmp_path / "t.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert back.loc[back["site_id"] == "s0", "engagement_2"].item() == pytest.approx(0.167)
    with pytest.raises(TableError, match="variante de CSV inconnue"):
        export(df, tmp_path / "u.csv", csv_dialect="excel-en")


def test_xlsx_writes_formula_like_text_as_quoted_text(tmp_path):
    store = _hostile_store(tmp_path)
    path = export(findings_table(store), tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["Constats"]
    names = [c for c in next(sheet.iter_cols(min_row=2)) if c.value]  # first column: run_id
    column = [c.value for c in sheet[1]].index("Nom du site") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert names and sorted(c.value for c in cells) == sorted(XLSX_NAMES)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_report_downloads_are_inert_in_every_csv(tmp_path):
    store = _hostile_store(tmp_path)
    written = write_report(store, tmp_path / "r")
    folder = tmp_path / "r" / "donnees"
    csvs = sorted(folder.glob("*.csv"))
    assert {p.name for p in csvs} >= {"constats.csv", "constats-excel.csv", "verifications.csv"}
    for path in csvs:
        excel = path.name.endswith("-excel.csv")
        text = path.read_text(encoding="utf-8-sig" if excel else "utf-8")
        _assert_inert(_cells(text, ";" if excel else ","))
    checks = pd.read_csv(folder / "verifications.csv")
    snippets = set(checks["evidence_snippet"].dropna())
    assert "'" + SNIPPET in snippets
    values = " ".join(checks["value"].dropna())
    assert f"« {LABEL} »" in values  # the label sits inside a longer text: no prefix needed
    book = openpyxl.load_workbook(folder / "vigie.xlsx")
    planted = [
        c
        for sheet in book.worksheets
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value.startswith((*FORMULA_TRIGGERS, "_x000D_"))
    ]
    assert {c.value for c in planted} >= {SNIPPET, *XLSX_NAMES}
    assert all(c.data_type == "s" and c.quotePrefix for c in planted)
    links = written.index.read_text(encoding="utf-8")
    assert "constats-excel.csv" in links and "CSV pour Excel" in links
