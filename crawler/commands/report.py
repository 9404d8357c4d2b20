"""``vigie report``: the HTML reports of a run (overview, one page per site) and downloads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import CommandError, UsageError
from crawler.commands.options import add_db, add_run, non_negative_int, open_store


class Command(BaseCommand):
    name = "report"
    help = "écrire les rapports HTML (vue d'ensemble, une page par site) et les exports"
    description = (
        "Rapports HTML d'une exploration, lisibles sans serveur : DOSSIER/index.html (vue "
        "d'ensemble pour le programme), DOSSIER/sites/<site>.html (une page par site pour son "
        "équipe web), DOSSIER/donnees/ (CSV, XLSX, Parquet, JSON)."
    )
    epilog = "exemple : vigie report --run 3 -o rapport-3"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_run(parser)
        parser.add_argument(
            "-o", "--output", required=True, metavar="DOSSIER", help="dossier à écrire"
        )
        parser.add_argument(
            "--workers",
            type=non_negative_int,
            metavar="N",
            help="processus qui écrivent les pages de sites pendant que la commande écrit "
            "les exports (défaut : un par cœur au-delà du premier ; 0 : aucun, tout dans "
            "le processus de la commande)",
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        with open_store(args.db) as store:
            write_report(store, args.run, args.output, args.workers)
        return exitcodes.OK


def default_report_dir(db: str) -> str:
    """``vigie-rapport`` beside an SQLite database file, else in the current folder."""
    from crawler.store.connection import sqlite_path

    path = sqlite_path(db)
    return str(path.parent / "vigie-rapport") if path is not None else "vigie-rapport"


def write_report(
    store: Any, run_id: int | None, output: str, workers: int | str | None = None
) -> None:
    """``workers``: processes for the site pages (None: ``VIGIE_REPORT_WORKERS``)."""
    from reports.html import write_report as write_html
    from reports.site_pages import SitePagesError
    from reports.table import TableError

    if Path(output).exists() and not Path(output).is_dir():
        raise UsageError(f"{output} existe et n'est pas un dossier")
    try:
        written = write_html(store, output, run_id, workers)
    except TableError as exc:
        raise UsageError(str(exc)) from exc
    except SitePagesError as exc:
        raise CommandError(str(exc)) from exc
    for warning in written.warnings:
        print(f"vigie : attention : {warning}", file=sys.stderr)
    print(f"Rapports écrits : {written.index} ({len(written.site_pages)} pages de sites)")
