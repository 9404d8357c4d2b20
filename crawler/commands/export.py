"""``vigie export``: a run's accessibility audits in EARL (W3C) or SARIF, for other tools."""

from __future__ import annotations

import argparse
import sys

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import UsageError
from crawler.commands.options import add_db, add_run, open_store, output


class Command(BaseCommand):
    name = "export"
    help = "exporter les audits d'accessibilité d'une exploration en EARL ou SARIF"
    description = (
        "Les audits axe-core d'une exploration dans les formats que lisent d'autres outils : "
        "EARL, le format du W3C pour les résultats d'évaluation (JSON-LD), ou SARIF 2.1.0, "
        "celui des tableaux de bord d'analyse de code. Les tests automatiques ne couvrent "
        "qu'une partie du RGAA : aucun format ne dit qu'une page est conforme."
    )
    epilog = (
        "exemples :\n"
        "  vigie export --format sarif -o audits.sarif\n"
        "  vigie export --run 3 --format earl -o audits.jsonld"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_run(parser)
        parser.add_argument("--format", required=True, choices=("earl", "sarif"), help="format")
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FICHIER",
            help="fichier à écrire, ou - pour la sortie standard",
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        from crawler.cli import version
        from reports.standards import dumps, earl, sarif

        with open_store(args.db) as store:
            run_id = args.run or store.latest_run_id()
            if run_id is None:
                raise UsageError(
                    "aucune exploration terminée dans la base : lancez « vigie crawl »"
                )
            if store.run(run_id) is None:
                raise UsageError(f"exploration n° {run_id} inconnue (voir « vigie runs »)")
            records = store.audits_of_run(run_id)
        if not records:
            print(
                f"vigie : l'exploration n° {run_id} n'a pas d'audit (--no-audit ?)", file=sys.stderr
            )
        writer = earl if args.format == "earl" else sarif
        with output(args.output) as stream:
            stream.write(dumps(writer(records, version())))
        if args.output != "-":
            print(f"Audits de l'exploration n° {run_id} écrits : {args.output} ({args.format})")
        return exitcodes.OK
