"""``vigie seeds``: a seed list for ``vigie crawl`` from public lists of sites, or from the
imported Annuaire de l'administration."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import UsageError
from crawler.commands.options import STDOUT, add_db, open_store, output


def _category_table() -> str:
    from crawler.seedlists import CATEGORY_TYPES

    rows = [f"  {category:<24} {kind}" for category, kind in CATEGORY_TYPES.items()]
    return "\n".join(rows)


class Command(BaseCommand):
    name = "seeds"
    help = "construire une liste de sites (CSV) à partir de listes d'URL ou de l'Annuaire"
    description = (
        "Écrit la liste de sites id,name,url,type[,annuaire_id] que lit « vigie crawl » : "
        "à partir de fichiers d'URL (une par ligne, comme les listes par catégorie d'Etalab "
        "« noms-de-domaine-organismes-secteur-public »), ou des fiches d'un type de "
        "l'Annuaire importé (--from-annuaire). Un site par organisme : exemple.fr et "
        "www.exemple.fr, http et https ne font qu'un (https gardé) ; l'identifiant vient de "
        "l'hôte ; le nom vient de l'Annuaire s'il est importé, sinon de l'hôte. Un résumé "
        "dit ce qui a été fusionné ou écarté, et pourquoi."
    )

    @property
    def epilog(self) -> str:  # type: ignore[override]
        return (
            "exemples :\n"
            "  vigie seeds urls-communes.txt urls-prefectures.txt -o sites.csv\n"
            "  vigie seeds urls.txt --type mairie -o mairies.csv\n"
            "  vigie seeds --from-annuaire --type mairie -o mairies.csv\n"
            "  vigie seeds listes-etalab/urls-*.txt -o national.csv\n\n"
            "Type d'après le nom du fichier (urls-CATÉGORIE.txt), sauf --type ; catégorie "
            "inconnue : autre.\n" + _category_table() + "\n"
            "Avec --from-annuaire, --type est un type de site (mairie, prefecture, caf, cpam, "
            "departement, region)\nou un type de service de l'Annuaire (epci, cdg…)."
        )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from crawler.seeds import KNOWN_TYPES

        parser.add_argument(
            "files", nargs="*", metavar="FICHIER", help="listes d'URL, une URL par ligne"
        )
        parser.add_argument(
            "--type",
            metavar="TYPE",
            help=f"type de tous les sites ({', '.join(sorted(KNOWN_TYPES))}) ; avec "
            "--from-annuaire, le type des fiches à prendre",
        )
        parser.add_argument(
            "--from-annuaire",
            action="store_true",
            help="prendre les sites des fiches de l'Annuaire importé (de type --type) qui ont "
            "un site internet",
        )
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FICHIER",
            help="liste de sites à écrire (CSV), ou - pour la sortie standard",
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        from crawler.seedlists import SeedListError, build, write_csv
        from crawler.seeds import KNOWN_TYPES

        if not args.files and not args.from_annuaire:
            raise UsageError("indiquez des fichiers d'URL, ou --from-annuaire --type TYPE")
        if args.from_annuaire and not args.type:
            raise UsageError("--from-annuaire : indiquez le type des fiches (--type mairie…)")
        if args.type and not args.from_annuaire and args.type not in KNOWN_TYPES:
            raise UsageError(
                f"type inconnu : {args.type!r} (types : {', '.join(sorted(KNOWN_TYPES))})"
            )
        for path in args.files:
            if not Path(path).is_file():
                raise UsageError(f"liste d'URL introuvable : {path}")
        store, import_id = self._annuaire(args)
        try:
            sites, summary = build(args.files, args.type, store, import_id, args.from_annuaire)
        except SeedListError as exc:
            raise UsageError(str(exc)) from exc
        finally:
            if store is not None:
                store.close()  # the list is built: the store is no longer read
        with_id = any(site.annuaire_id for site in sites)
        with output(args.output) as stream:
            write_csv(sites, stream, with_id)
        where = sys.stderr if args.output == STDOUT else sys.stdout
        target = "sortie standard" if args.output == STDOUT else args.output
        for line in summary.lines(target):
            print(line, file=where)
        return exitcodes.OK

    @staticmethod
    def _annuaire(args: argparse.Namespace) -> tuple[Any | None, int | None]:
        """The store and its latest Annuaire import, if any (names come from it); the
        caller closes the store."""
        from crawler.store.connection import sqlite_path

        path = sqlite_path(args.db)
        if path is not None and not path.exists() and not args.from_annuaire:
            return None, None  # no store yet: names from the hosts
        store = open_store(args.db)
        imported = store.annuaire_import_for(None)
        if imported is None:
            if args.from_annuaire:
                store.close()
                raise UsageError(
                    "--from-annuaire : aucun Annuaire importé dans la base (« vigie annuaire "
                    "import FICHIER » d'abord)"
                )
            return store, None
        return store, imported["id"]
