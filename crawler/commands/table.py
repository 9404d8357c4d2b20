"""``vigie table``: the findings table of a run (one row per site), as a file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import UsageError
from crawler.commands.options import STDOUT, add_db, add_run, open_store


class Command(BaseCommand):
    name = "table"
    help = "exporter le tableau des constats (une ligne par site)"
    description = (
        "Tableau des constats d'une exploration : une ligne par site, une colonne par "
        "vérification (found / absent / error), couvertures des engagements 2 et 3."
    )
    epilog = (
        "exemples :\n"
        "  vigie table -o constats.xlsx\n"
        "  vigie table --run 3 --format parquet -o exploration-3.parquet\n"
        "  vigie table --format csv -o - | head        (sortie standard)"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_run(parser)
        parser.add_argument(
            "--format",
            choices=("csv", "parquet", "xlsx", "json"),
            help="format (défaut : d'après l'extension du fichier ; obligatoire avec -o -)",
        )
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FICHIER",
            help="fichier à écrire, ou - pour la sortie standard",
        )
        parser.add_argument(
            "--csv-excel",
            action="store_true",
            help="CSV pour Excel en français : UTF-8 avec BOM, point-virgule, virgule décimale "
            "(défaut : CSV RFC 4180, UTF-8 et virgule, pour les programmes)",
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        with open_store(args.db) as store:
            write_table(store, args.run, args.output, args.format, excel=args.csv_excel)
        return exitcodes.OK


def write_table(
    store: Any, run_id: int | None, output: str, fmt: str | None, excel: bool = False
) -> None:
    """Write the findings table of ``run_id`` (the latest finished run by default).

    ``excel``: a CSV for French Excel (``excel-fr``) rather than RFC 4180's.
    """
    from reports.table import TableError, export, findings_table

    if output == STDOUT and fmt is None:
        raise UsageError("-o - (sortie standard) : indiquez le format avec --format")
    try:
        table = findings_table(store, run_id)
        dialect = "excel-fr" if excel else None
        if output == STDOUT:
            _to_stdout(table, fmt, lambda df, path, f: export(df, path, f, csv_dialect=dialect))
            return
        path = export(table, output, fmt, csv_dialect=dialect)
    except TableError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Tableau des constats écrit : {path}", file=sys.stderr)


def _to_stdout(table: Any, fmt: str, export: Any) -> None:
    """Standard output: the file is written aside, then copied (every format the same way)."""
    import tempfile
    from pathlib import Path

    from crawler.commands.options import output as open_output

    with tempfile.TemporaryDirectory(prefix="vigie-") as folder:
        path = export(table, Path(folder) / f"constats.{fmt}", fmt)
        with open_output(STDOUT, binary=True) as stream:
            stream.write(path.read_bytes())
