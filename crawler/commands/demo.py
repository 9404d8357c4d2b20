"""``vigie demo``: serve the demo administration web on 127.0.0.1 and crawl it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.commands import Command as BaseCommand
from crawler.commands.options import add_db, open_store, positive_float


class Command(BaseCommand):
    name = "demo"
    help = "démonstration : explorer les sites d'administration fictifs locaux"
    description = (
        "Sert sur 127.0.0.1 un petit « web administratif » fictif (mairie, préfecture, CAF, "
        "ministère, hôpital, université, sites en panne…), importe son extrait de l'Annuaire "
        "de l'administration, l'explore dans la base et écrit le tableau des constats et les "
        "rapports."
    )
    epilog = "exemple : vigie demo -o vigie-demo"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            default="vigie-demo",
            metavar="DOSSIER",
            help="dossier des résultats (défaut : vigie-demo)",
        )
        parser.add_argument(
            "--timeout",
            type=positive_float,
            default=3.0,
            metavar="S",
            help="délai de téléchargement de la démonstration (défaut : 3 s)",
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        from crawler.commands.crawl import print_summary
        from crawler.commands.report import write_report
        from crawler.commands.table import write_table
        from crawler.demo.server import DemoWeb
        from crawler.run import run_crawl
        from crawler.seeds import parse_seeds

        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        with open_store(args.db, write=True) as store:
            with DemoWeb(slow_delay=max(args.timeout * 3, 5.0)) as web:
                seeds_path = web.write_seeds(out / "sites-demo.csv")
                print(f"Web administratif de démonstration servi sur 127.0.0.1 ({seeds_path})")
                import_annuaire(store, web.write_annuaire(out / "annuaire-demo.json"))
                seeds = parse_seeds(seeds_path.read_text(encoding="utf-8")).seeds
                overrides = {
                    "VIGIE_DB_URL": args.db,
                    "VIGIE_ALLOW_PRIVATE": True,
                    "DOWNLOAD_TIMEOUT": args.timeout,
                    "AUTOTHROTTLE_START_DELAY": 0.05,
                    "DOWNLOAD_DELAY": 0.0,
                    "RETRY_TIMES": 0,
                    "LOG_LEVEL": "ERROR",  # site failures are the demo's point: in the summary
                }
                run_id = run_crawl(seeds, overrides, label="demo")
            print_summary(store, run_id)
            for fmt in ("csv", "xlsx", "parquet", "json"):
                write_table(store, run_id, str(out / f"constats.{fmt}"), fmt)
            write_table(store, run_id, str(out / "constats-excel.csv"), "csv", excel=True)
            write_report(store, run_id, str(out))
            return 0


def import_annuaire(store: Any, path: Path) -> None:
    """The demo's Annuaire export into the store before the crawl: the run's table and
    reports then carry the cross-check (the run is compared with this import)."""
    from crawler.annuaire.importer import import_export

    for line in import_export(store, path).summary():
        print(line)
