"""``vigie checks``: the data dictionary of the checks, for people and for scripts."""

from __future__ import annotations

import argparse
import json
import sys

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes


class Command(BaseCommand):
    name = "checks"
    help = "lister les vérifications : engagement, ce qui compte, à qui elles s'appliquent"
    description = (
        "Le dictionnaire des vérifications de Vigie : pour chaque identifiant, son "
        "engagement, ce qui compte et ce qui ne compte pas, la forme de sa valeur, s'il "
        "compte dans la couverture, et les types d'administration auxquels il s'applique."
    )
    epilog = (
        "exemples :\n"
        "  vigie checks\n"
        "  vigie checks --json | jq '.[] | select(.engagement == 2) | .id'\n"
        "  vigie checks --markdown > docs/data-dictionary.md"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--json", action="store_true", help="sortie JSON (une entrée par vérification)"
        )
        group.add_argument(
            "--markdown", action="store_true", help="le dictionnaire en Markdown (docs/)"
        )

    def run(self, args: argparse.Namespace) -> int:
        from reports import dictionary

        if args.json:
            json.dump(dictionary.rows(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        elif args.markdown:
            sys.stdout.write(dictionary.markdown())
        else:
            from checks.catalog import info

            for row in dictionary.rows():
                entry = info(row["id"])
                print(f"{row['id']:<20} engagement {row['engagement']}  {row['title']}")
                print(f"{'':<20} compte : {row['counts']}")
                if row["does_not_count"]:
                    print(f"{'':<20} ne compte pas : {row['does_not_count']}")
                print(
                    f"{'':<20} couverture : {dictionary.coverage_text(row['id'])} ; "
                    f"{dictionary.reading_text(entry)} ; {dictionary.applies_text(entry)}"
                )
                print()
        return exitcodes.OK
