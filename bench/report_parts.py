"""The report's heavy parts against the simpler way of doing each, same run, same store.

    .venv/bin/python bench/report_parts.py [--sites 1000] [--pages 10] [--rounds 3]

A synthetic administration web (``crawler/demo/synthetic.py``) of ``--sites`` sites is
crawled once into a temporary SQLite store (``bench/scale.py``'s crawl command); then, in
this process, on that run's report data, each part of ``vigie report`` is timed against its
baseline, alternating, minimum of ``--rounds``:

- the XLSX workbook: ``reports.exports.write_xlsx`` (XlsxWriter, row by row) against
  ``DataFrame.to_excel`` of the same tables through openpyxl (what the report used before)
  and through XlsxWriter;
- the JSON export: ``write_json`` (pandas' own text) against parsing that text back into
  Python objects and dumping them (what it did before);
- the trend's read of one earlier run: ``coverage_of_run`` against ``findings_table``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pandas as pd  # noqa: E402
from scale import crawl_cmd  # noqa: E402
from synthetic_web import synthetic_web  # noqa: E402

from crawler.store import Store  # noqa: E402
from reports.data import load_report  # noqa: E402
from reports.exports import TABLES, build_tables, write_json, write_xlsx  # noqa: E402
from reports.table import coverage_of_run, findings_table  # noqa: E402


def to_excel(engine: str) -> Callable[[dict[str, pd.DataFrame], Path], None]:
    def write(tables: dict[str, pd.DataFrame], path: Path) -> None:
        with pd.ExcelWriter(path, engine=engine) as writer:
            for name, df in tables.items():
                out = df.copy()
                for column in out.columns:
                    if pd.api.types.is_datetime64_any_dtype(out[column]):
                        out[column] = out[column].astype(str)
                out.to_excel(writer, index=False, sheet_name=TABLES[name][0])

    return write


def json_round_trip(tables: dict[str, pd.DataFrame], run: dict, path: Path) -> None:
    payload = {"run": {"id": run["id"]}}
    for name, df in tables.items():
        payload[name] = json.loads(
            df.to_json(orient="records", force_ascii=False, date_format="iso")
        )
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def best(rounds: int, fns: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Minimum wall time of each function over ``rounds``, the functions alternating."""
    times = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            times[name] = min(times[name], time.perf_counter() - started)
    return times


def show(title: str, times: dict[str, float], baseline: str) -> None:
    print(title)
    for name, seconds in times.items():
        print(f"  {name:44s} {seconds:7.3f} s  ×{seconds / times[baseline]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seeds = work / "seeds.csv"
        with synthetic_web(args.sites, args.pages, seeds):
            db = f"sqlite:///{work}/v.db"
            subprocess.run(
                crawl_cmd(seeds, db, args.pages), cwd=ROOT, check=True, stdout=subprocess.DEVNULL
            )
        store = Store(db)
        data = load_report(store)
        tables = build_tables(data)
        run_id = data.run["id"]
        rows = sum(len(df) for df in tables.values())
        print(f"{args.sites} sites × {args.pages} pages, {rows} rows in the exported tables")
        xlsx = best(
            args.rounds,
            {
                "write_xlsx (XlsxWriter, row by row)": lambda: write_xlsx(tables, work / "a.xlsx"),
                "DataFrame.to_excel, openpyxl": lambda: to_excel("openpyxl")(
                    tables, work / "b.xlsx"
                ),
                "DataFrame.to_excel, xlsxwriter": lambda: to_excel("xlsxwriter")(
                    tables, work / "c.xlsx"
                ),
            },
        )
        show("XLSX workbook", xlsx, "DataFrame.to_excel, openpyxl")
        exported = best(
            args.rounds,
            {
                "write_json (pandas' text)": lambda: write_json(tables, data.run, work / "a.json"),
                "parsed back and dumped": lambda: json_round_trip(
                    tables, data.run, work / "b.json"
                ),
            },
        )
        show("JSON export", exported, "parsed back and dumped")
        trend = best(
            args.rounds,
            {
                "coverage_of_run": lambda: coverage_of_run(store, run_id),
                "findings_table": lambda: findings_table(store, run_id),
            },
        )
        show("trend, one earlier run", trend, "findings_table")


if __name__ == "__main__":
    main()
