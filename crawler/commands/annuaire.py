"""``vigie annuaire``: the Annuaire de l'administration — import its export, see which site
goes with which record, and what each site says differently from its record."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import UsageError
from crawler.commands.options import add_db, open_store, positive_int

EXAMPLES = """\
exemples :
  vigie annuaire import annuaire.json                 importer l'export (date du fichier)
  vigie annuaire import export.csv --date 2026-09-01  export CSV, daté
  vigie annuaire imports                              historique des imports
  vigie annuaire links --seeds sites.csv              quelle fiche pour quel site (avant
                                                      l'exploration) ; sites sans fiche
  vigie annuaire links                                la même chose pour la dernière exploration
  vigie annuaire check                                ce que les sites affichent autrement
                                                      que l'Annuaire
  vigie annuaire check --run 3 --json                 tout, en JSON (valeurs, pages, statuts)

L'export (Licence Ouverte, DILA) se télécharge sur data.gouv.fr (« Annuaire de
l'administration – Base de données locales ») ou par l'API api-lannuaire.service-public.fr
(jeu de données api-lannuaire-administration, /exports/json ou /exports/csv) : Vigie lit
le fichier, sans réseau. Un site est relié à sa fiche par la colonne annuaire_id de la
liste de sites, sinon par l'hôte de son site internet (sans www., http ou https).
Une exploration est comparée à l'import terminé juste avant sa fin (à défaut, au premier
après) : importer un nouvel Annuaire ne change pas les constats des explorations passées.
"""


#: An import's state as people read it (machine values are the store's, in English).
IMPORT_STATES = {"running": "en cours", "finished": "terminé", "failed": "échoué"}


def export_date(text: str) -> date:
    """An argparse type: the export's date."""
    from crawler.annuaire.importer import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    name = "annuaire"
    help = "Annuaire de l'administration : importer, relier les sites, comparer"
    description = (
        "Compare ce que chaque site affiche (téléphone, courriel, adresse, horaires) avec sa "
        "fiche de l'Annuaire de l'administration (DILA), où chaque service déclare ses "
        "coordonnées."
    )
    epilog = EXAMPLES

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser
        sub = parser.add_subparsers(dest="annuaire_command", metavar="SOUS-COMMANDE")
        formatter = argparse.RawDescriptionHelpFormatter

        imp = sub.add_parser(
            "import",
            help="importer un export de l'Annuaire (JSON ou CSV) dans la base",
            description="Lit l'export de l'Annuaire (JSON : liste de fiches ou "
            '{"results": […]} ; JSON lines ; CSV séparé par « ; » aux cellules JSON) fiche '
            "par fiche, sans le charger en mémoire. Les fiches mal formées sont comptées, "
            "citées par ligne (ou numéro de fiche) et ignorées ; un nouvel import remplace le "
            "précédent pour les explorations à venir, et l'historique est gardé.",
            epilog="exemples :\n  vigie annuaire import annuaire.json\n"
            "  vigie annuaire import export.csv --date 2026-09-01",
            formatter_class=formatter,
        )
        imp.add_argument("file", metavar="FICHIER", help="export de l'Annuaire (.json, .csv…)")
        imp.add_argument(
            "--date",
            type=export_date,
            metavar="AAAA-MM-JJ",
            help="date de l'export (défaut : date de modification du fichier)",
        )
        add_db(imp)

        imports = sub.add_parser(
            "imports",
            help="historique des imports",
            description="Les imports de l'Annuaire de la base, le plus récent en dernier.",
            epilog="exemples :\n  vigie annuaire imports\n  vigie annuaire imports --details 2",
            formatter_class=formatter,
        )
        imports.add_argument(
            "--details",
            type=positive_int,
            metavar="N°",
            help="détail d'un import : types de services, problèmes relevés par ligne",
        )
        add_db(imports)

        links = sub.add_parser(
            "links",
            help="quelle fiche pour quel site ; sites sans fiche",
            description="Relie chaque site à sa fiche de l'Annuaire (colonne annuaire_id de la "
            "liste, sinon hôte du site internet) et liste les sites sans fiche, avec la raison.",
            epilog="exemples :\n  vigie annuaire links --seeds sites.csv\n"
            "  vigie annuaire links --run 3 --all",
            formatter_class=formatter,
        )
        source = links.add_mutually_exclusive_group()
        source.add_argument(
            "--seeds", metavar="FICHIER", help="une liste de sites (CSV id,name,url,type)"
        )
        source.add_argument(
            "--run", type=positive_int, metavar="N°", help="une exploration (défaut : la dernière)"
        )
        links.add_argument("--all", action="store_true", help="lister aussi les sites reliés")
        _add_import(links)
        add_db(links)

        check = sub.add_parser(
            "check",
            help="ce que les sites affichent autrement que leur fiche",
            description="Pour chaque site d'une exploration relié à sa fiche : téléphone "
            "(E.164), courriel, adresse (voie, code postal, commune normalisés) et horaires "
            "(mêmes plages, jour par jour) — conforme à l'Annuaire (consistent), différent "
            "(differs), absent du site (missing_on_site), rien à comparer (no_record) ou "
            "comparaison impossible (error, site non exploré).",
            epilog="exemples :\n  vigie annuaire check\n  vigie annuaire check --run 3 --json",
            formatter_class=formatter,
        )
        check.add_argument(
            "--run", type=positive_int, metavar="N°", help="exploration (défaut : la dernière)"
        )
        check.add_argument(
            "--json",
            action="store_true",
            help="tout en JSON sur la sortie standard (valeurs, pages, statuts en anglais)",
        )
        _add_import(check)
        add_db(check)

    def run(self, args: argparse.Namespace) -> int:
        action = {
            "import": _import,
            "imports": _imports,
            "links": _links,
            "check": _check,
        }.get(args.annuaire_command)
        if action is None:  # "vigie annuaire" alone: what it does and how
            self.parser.print_help()
            return exitcodes.OK
        return action(args)


def _add_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--import",
        dest="import_id",
        type=positive_int,
        metavar="N°",
        help="comparer à cet import (défaut : celui en vigueur à la fin de l'exploration)",
    )


def _import(args: argparse.Namespace) -> int:
    from crawler.annuaire.importer import AnnuaireImportError, import_export

    with open_store(args.db, write=True) as store:
        try:
            report = import_export(store, args.file, args.date)
        except AnnuaireImportError as exc:
            raise UsageError(str(exc)) from exc
        for line in report.summary():
            print(line)
        return exitcodes.OK


def _imports(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        if args.details:
            return _details(store, args.details)
        rows = store.annuaire_imports()
        if not rows:
            print("Aucun Annuaire importé : « vigie annuaire import FICHIER ».")
            return exitcodes.OK
        print(f"{'n°':>4}  {'export du':<10}  {'importé le':<16}  {'état':<9} {'fiches':>8} "
              f"{'rejetées':>9}  fichier")  # fmt: skip
        for row in rows:
            started = row["started_at"].strftime("%Y-%m-%d %H:%M")
            print(
                f"{row['id']:>4}  {row['export_date'].isoformat():<10}  {started:<16}  "
                f"{IMPORT_STATES.get(row['status'], row['status']):<9} {row['records_count']:>8} "
                f"{row['rejected_count']:>9}  {row['source']}"
            )
        return exitcodes.OK


def _details(store: Any, import_id: int) -> int:
    row = store.annuaire_import(import_id)
    if row is None:
        raise UsageError(f"import de l'Annuaire n° {import_id} inconnu (voir « vigie annuaire "
                         "imports »)")  # fmt: skip
    report = row["report"] or {}
    print(f"Import n° {row['id']} : {row['source']} (export du {row['export_date'].isoformat()}),"
          f" {IMPORT_STATES.get(row['status'], row['status'])}.")  # fmt: skip
    if report.get("error"):
        print(f"  Erreur : {report['error']}")
    print(f"  {row['records_count']} fiches gardées, {row['rejected_count']} rejetées, "
          f"{report.get('field_problems', 0)} champs illisibles ignorés.")  # fmt: skip
    for pivot, count in (report.get("by_type") or {}).items():
        print(f"    {pivot or '(sans type)'} : {count}")
    problems = report.get("problems") or []
    if problems:
        print(f"  Problèmes ({report.get('problems_total', len(problems))} en tout, "
              f"{len(problems)} cités) :")  # fmt: skip
        for problem in problems:
            print(f"    {problem}")
    return exitcodes.OK


def _run_id(store: Any, run_id: int | None) -> int:
    if run_id is None:
        run_id = store.latest_run_id()
        if run_id is None:
            raise UsageError("aucune exploration terminée dans la base : lancez « vigie crawl »")
    elif not store.run_exists(run_id):
        raise UsageError(f"exploration n° {run_id} inconnue (voir « vigie runs »)")
    return run_id


def _reference(store: Any, import_id: int | None, at: Any) -> dict[str, Any]:
    """The import to compare with: the one asked, or the one in force at ``at``."""
    if import_id is not None:
        found = store.annuaire_import(import_id)
        if found is None or found["status"] != "finished":
            raise UsageError(
                f"import de l'Annuaire n° {import_id} inconnu ou inachevé (voir « vigie "
                "annuaire imports »)"
            )
        return found
    found = store.annuaire_import_for(at)
    if found is None:
        raise UsageError(
            "aucun Annuaire importé dans la base : « vigie annuaire import FICHIER » d'abord"
        )
    return found


def _links(args: argparse.Namespace) -> int:
    from crawler.annuaire.links import SiteRef, link_sites

    with open_store(args.db) as store:
        if args.seeds:
            from crawler.seeds import SeedError, load_seeds

            try:
                seed_list = load_seeds(args.seeds)
            except SeedError as exc:
                raise UsageError(str(exc)) from exc
            for problem in seed_list.problems:
                print(f"{args.seeds} : {problem}", file=sys.stderr)
            refs = [SiteRef.from_seed(seed) for seed in seed_list.seeds]
            imported = _reference(store, args.import_id, None)
            what = f"{len(refs)} sites de {args.seeds}"
        else:
            run_id = _run_id(store, args.run)
            refs = [SiteRef.from_run_site(site) for site in store.sites_of_run(run_id)]
            imported = _reference(store, args.import_id, store.run(run_id)["finished_at"])
            what = f"{len(refs)} sites de l'exploration n° {run_id}"
        links = link_sites(store, imported["id"], refs)
        print(f"{what}, import n° {imported['id']} de l'Annuaire (export du "
              f"{imported['export_date'].isoformat()}) :")  # fmt: skip
        linked = [link for link in links if link.status == "linked"]
        methods = {
            "annuaire_id": "par annuaire_id",
            "host": "par l'hôte",
            "domain": "par le domaine",
        }
        by_method = ", ".join(
            f"{sum(link.method == m for link in linked)} {label}"
            for m, label in methods.items()
            if any(link.method == m for link in linked)
        )
        print(
            f"  {len(linked)} relié(s) à une fiche" + (f" ({by_method})" if by_method else "") + "."
        )
        if args.all:
            for link in linked:
                print(f"    {link.site_id} : {link.describe()}")
        unmatched = [link for link in links if link.status != "linked"]
        if unmatched:
            print(f"  {len(unmatched)} sans fiche :")
            for link in unmatched:
                print(f"    {link.site_id} : {link.describe()}")
        else:
            print("  Aucun site sans fiche.")
        return exitcodes.OK


def _check(args: argparse.Namespace) -> int:
    from checks.annuaire import FIELD_LABELS, FIELDS, STATUS_LABELS
    from crawler.annuaire.crosscheck import cross_check, says

    with open_store(args.db) as store:
        run_id = _run_id(store, args.run)
        imported = _reference(store, args.import_id, store.run(run_id)["finished_at"])
        result = cross_check(store, run_id, import_id=imported["id"])
        if args.json:
            json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
            sys.stdout.write("\n")
            return exitcodes.OK
        sites = list(result.sites.values())
        print(f"Exploration n° {run_id} comparée à l'import n° {imported['id']} de l'Annuaire "
              f"(export du {imported['export_date'].isoformat()}) : {len(sites)} sites, "
              f"{sum(s.link.status == 'linked' for s in sites)} avec une fiche.")  # fmt: skip
        for name in FIELDS:
            counts = {status: 0 for status in STATUS_LABELS}
            for site in sites:
                for comparison in site.fields:
                    if comparison["field"] == name:
                        counts[comparison["status"]] += 1
            shown = ", ".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items() if n)
            print(f"  {FIELD_LABELS[name]} : {shown}")
        disagreeing = [s for s in sites if s.disagrees]
        if disagreeing:
            print(f"{len(disagreeing)} site(s) dont les coordonnées diffèrent de l'Annuaire :")
        for site in disagreeing:
            print(f"  {site.site_id} ({site.name}), fiche {site.link.record_id} :")
            for comparison in site.fields:
                if comparison["status"] == "differs":
                    print(f"    {comparison['label']} — {says(comparison)}")
        unmatched = result.unmatched()
        if unmatched:
            print(f"{len(unmatched)} site(s) sans fiche (« vigie annuaire links » pour le détail).")
        return exitcodes.OK
