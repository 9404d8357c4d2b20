"""Spreadsheet files that are safe to open: CSV in two flavours, XLSX where text stays text.

Every cell of Vigie's exports may hold what a crawled page or a seed list says (a site's
name, a phone label, an evidence snippet). A spreadsheet program reads a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before them) as a formula:
``+3+cmd|' /C calc'!A0`` planted in a page would run when the programme's staff open the
export (CSV injection, OWASP). So:

- in CSV, such a text cell gets a leading apostrophe (OWASP's advice: the spreadsheet
  shows it as text, the apostrophe visible), and every field is quoted so that no
  separator inside a text can start a new cell; numbers stay numbers;
- in XLSX, such a cell is written as a string (never a formula) with Excel's "quote
  prefix" style, so that editing the cell does not turn it into a formula either.

Parquet and JSON keep the values as found: they are read by programs, not spreadsheets.

Two CSV flavours (:data:`CSV_DIALECTS`): ``rfc4180`` — UTF-8, comma, decimal point, for
programs (the default) — and ``excel-fr`` — UTF-8 with a byte-order mark, semicolon,
decimal comma — which French Excel opens by a double click with accents and columns right.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How one CSV flavour is written (name, separator, decimal mark, encoding)."""

    name: str
    sep: str
    decimal: str
    encoding: str
    description: str


CSV_DIALECTS: dict[str, CsvDialect] = {
    "rfc4180": CsvDialect(
        "rfc4180", ",", ".", "utf-8", "CSV (RFC 4180, UTF-8, virgule) pour les programmes"
    ),
    "excel-fr": CsvDialect(
        "excel-fr",
        ";",
        ",",
        "utf-8-sig",
        "CSV pour Excel en français (UTF-8 avec BOM, point-virgule, virgule décimale)",
    ),
}
DEFAULT_CSV_DIALECT = "rfc4180"


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet could run."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def csv_dialect(name: str | None) -> CsvDialect:
    """The :class:`CsvDialect` called ``name`` (``None``: the default); ``ValueError``
    with a French message for an unknown one."""
    dialect = CSV_DIALECTS.get(name or DEFAULT_CSV_DIALECT)
    if dialect is None:
        known = ", ".join(CSV_DIALECTS)
        raise ValueError(f"variante de CSV inconnue : {name!r} (variantes : {known})")
    return dialect


#: Rows converted and written at a time by :func:`write_csv` and the JSON exports: a
#: national run's table of checks has 200 000 rows, and a neutralised copy of it whole, or
#: its JSON text whole, took hundreds of MiB at once.
EXPORT_CHUNK = 20_000


def write_csv(df: pd.DataFrame, path: Path, dialect: str | None = None) -> Path:
    """``df`` as a CSV of the given flavour, text cells neutralised, every field quoted.

    Written :data:`EXPORT_CHUNK` rows at a time into one stream (pandas formats each value
    on its own, so the file is the same as in one go; the byte-order mark of ``excel-fr``
    comes once, from the stream's codec).
    """
    flavour = csv_dialect(dialect)
    text_columns = [
        column
        for column in df.columns
        if not (pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]))
    ]
    header = [neutralise(str(c)) for c in df.columns]
    with open(path, "w", encoding=flavour.encoding, newline="") as stream:
        for start in range(0, max(len(df), 1), EXPORT_CHUNK):
            out = df.iloc[start : start + EXPORT_CHUNK].copy()
            for column in text_columns:
                out[column] = out[column].map(neutralise, na_action="ignore")
            out.columns = header
            out.to_csv(
                stream,
                index=False,
                header=start == 0,
                sep=flavour.sep,
                decimal=flavour.decimal,
                quoting=csv.QUOTE_ALL,
                lineterminator="\r\n",  # RFC 4180's line break, which Excel expects too
            )
    return path


def xlsx_workbook(path: Path) -> Any:
    """An XlsxWriter workbook where text stays text (close it, or use it in ``with``).

    XlsxWriter, row by row, rather than ``DataFrame.to_excel``: a 1 000-site report's
    workbook took 5.7 s through pandas and openpyxl, 3.4–3.7 s through pandas and
    XlsxWriter (pandas makes an object of every cell), 1.9 s written directly. A string
    starting with ``=`` is written as text, never as a formula, and URLs stay plain
    strings (no hyperlink objects, which Excel caps at 65 530 a sheet). ``constant_memory``:
    each row goes to a temporary file once the next one starts (rows are written in order),
    instead of every cell of every sheet held until the workbook closes — hundreds of MiB
    for a national run; strings are then stored in the cells rather than in a shared table,
    which every reader reads the same.
    """
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    return xlsxwriter.Workbook(str(path), options)


#: XLSX number formats of the column kinds of :mod:`reports.columns`: a share is a
#: number from 0 to 1 shown as a percentage, a date a real date (UTC, as stored).
KIND_FORMATS: dict[str, dict[str, Any]] = {
    "share": {"num_format": "0%"},
    "datetime": {"num_format": "dd/mm/yyyy hh:mm"},
}


def write_sheet(
    book: Any,
    df: pd.DataFrame,
    sheet_name: str,
    headers: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
) -> None:
    """``df`` as a sheet: bold frozen header row, filters on every column, readable widths.

    ``headers``: the header row (default: the column names); ``kinds``: each column's kind
    (:data:`KIND_FORMATS`: shares as percentages, dates as dates, booleans as booleans).
    Text a spreadsheet could read as a formula gets the quote-prefix style (shown as text,
    and still text after someone edits the cell).
    """
    sheet = book.add_worksheet(sheet_name)
    text = book.add_format({"quote_prefix": True})
    names = list(headers) if headers is not None else [str(c) for c in df.columns]
    kinds = list(kinds) if kinds is not None else ["text"] * len(names)
    formats = {k: book.add_format(f) for k, f in KIND_FORMATS.items()}
    sheet.write_row(0, 0, names, book.add_format({"bold": True}))
    for row, values in enumerate(df.itertuples(index=False, name=None), start=1):
        for col, value in enumerate(values):
            kind = kinds[col]
            if kind == "datetime" and (when := _datetime(value)) is not None:
                sheet.write_datetime(row, col, when, formats["datetime"])
                continue
            cell = _cell(value)
            if isinstance(cell, str) and formula_like(cell):
                sheet.write_string(row, col, cell, text)
            elif isinstance(cell, bool):
                sheet.write_boolean(row, col, cell)
            elif kind == "share" and isinstance(cell, int | float):
                sheet.write_number(row, col, cell, formats["share"])
            elif isinstance(cell, str):  # (what write() does, without its dispatch)
                if cell:  # an empty string is a blank cell, as write() makes it
                    sheet.write_string(row, col, cell)
            elif cell is not None:
                sheet.write_number(row, col, cell)
    sheet.freeze_panes(1, 0)
    if len(df.columns):
        sheet.autofilter(0, 0, len(df), len(df.columns) - 1)
    for index, column in enumerate(df.columns):
        cells = [names[index], *df[column].head(49)]
        width = max(len("" if (cell := _cell(value)) is None else str(cell)) for value in cells)
        if kinds[index] == "datetime":
            width = 16
        sheet.set_column(index, index, min(max(width, 8), 50))


def _datetime(value: Any) -> datetime | None:
    """A date for XlsxWriter: naive, in UTC (Excel has no time zones; the header says UTC)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _cell(value: Any) -> Any:
    """A value XlsxWriter writes as it is: ``None`` (a blank), text, a number, a boolean."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):  # numpy scalars from the frame's columns
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else (None if value != value else str(value))
    if isinstance(value, str | int):  # bool is an int
        return value
    return str(value)  # a timestamp, a list…: its text
