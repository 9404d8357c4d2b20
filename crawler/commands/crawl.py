"""``vigie crawl``: crawl the sites of a list into the store, then its table and reports."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler import settings
from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.exitcodes import CommandError, UsageError
from crawler.commands.options import add_db, non_negative_int, open_store, positive_int, share


class Command(BaseCommand):
    name = "crawl"
    help = "explorer les sites d'une liste et enregistrer les constats"
    description = (
        "Explore chaque site de la liste (robots.txt respecté, pages de contact, "
        "d'accessibilité, FAQ… en premier), lance les vérifications sur chaque page, audite "
        "un échantillon de pages avec axe-core et enregistre une nouvelle exploration dans la "
        "base, puis écrit les rapports."
    )
    epilog = (
        "exemples :\n"
        "  vigie crawl --seeds sites.csv\n"
        "  vigie crawl --seeds sites.csv --max-pages-per-site 50 --table constats.csv\n"
        "  vigie crawl --seeds sites.csv --run-label 2026-W48 --max-error-rate 20%\n\n"
        "Ctrl-C (ou SIGTERM, ou la limite de mémoire) arrête proprement : ce qui est exploré "
        "reste en base,\nl'exploration est « interrompue » (code de sortie 130) et reprend "
        "avec --resume N°.\nCodes de sortie : 0 succès, 2 erreur d'utilisation, 3 aucun site "
        "exploré, 4 trop de sites\nen erreur (--max-error-rate), 130 interrompue."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--seeds",
            metavar="FICHIER",
            help="liste des sites, CSV id,name,url,type (inutile avec --resume)",
        )
        parser.add_argument(
            "--max-pages-per-site",
            type=positive_int,
            metavar="N",
            help=f"pages au plus par site (défaut : {settings.VIGIE_MAX_PAGES_PER_SITE})",
        )
        parser.add_argument(
            "--depth",
            type=non_negative_int,
            metavar="N",
            help=f"profondeur de liens au plus depuis l'accueil (défaut : "
            f"{settings.VIGIE_MAX_DEPTH})",
        )
        parser.add_argument(
            "--run-label",
            metavar="ÉTIQUETTE",
            help="étiquette de l'exploration, par exemple 2026-W48 : une exploration planifiée "
            "est idempotente (déjà terminée : rien à refaire ; interrompue : elle reprend)",
        )
        parser.add_argument(
            "--redis",
            metavar="URL",
            help="exploration distribuée : ce processus est un travailleur parmi d'autres qui "
            "partagent la file d'attente Redis (redis://hôte:6379/0) ; exige --run-label, et "
            "une base commune (--db postgresql+psycopg://…)",
        )
        parser.add_argument(
            "--resume",
            type=positive_int,
            metavar="N°",
            help="reprendre l'exploration interrompue n° N° là où elle s'est arrêtée "
            "(même liste de sites, pages déjà enregistrées non retéléchargées)",
        )
        parser.add_argument(
            "--exceptions",
            metavar="FICHIER",
            help="exceptions revues par le programme, CSV site_id,check,reason,until : la "
            "vérification d'un site y est « non applicable » jusqu'à la date de fin (défaut : "
            "exceptions.csv à côté de la liste de sites, s'il existe)",
        )
        parser.add_argument(
            "--table",
            metavar="FICHIER",
            help="écrire aussi le tableau des constats (.csv, .xlsx, .parquet, .json)",
        )
        parser.add_argument(
            "--csv-excel",
            action="store_true",
            help="avec --table FICHIER.csv : un CSV pour Excel en français (UTF-8 avec BOM, "
            "point-virgule, virgule décimale) au lieu du CSV RFC 4180 des programmes",
        )
        parser.add_argument(
            "--max-error-rate",
            type=share,
            metavar="PART",
            help="code de sortie 4 si la part des sites en erreur dépasse PART (0.2 ou 20 %%) ; "
            "sans cette option, seule une exploration où tous les sites sont en erreur échoue "
            "(code 3)",
        )
        parser.add_argument(
            "--concurrency",
            type=positive_int,
            metavar="N",
            help=f"requêtes simultanées au plus, tous sites confondus (défaut : "
            f"{settings.CONCURRENT_REQUESTS} ; {settings.CONCURRENT_REQUESTS_PER_DOMAIN} par site)",
        )
        parser.add_argument(
            "--no-audit",
            action="store_true",
            help="ne pas rendre ni auditer de pages avec axe-core (exploration HTTP seule)",
        )
        parser.add_argument(
            "--audit-pages",
            type=non_negative_int,
            metavar="N",
            help="pages auditées par site en plus de l'accueil, du contact et de "
            f"l'accessibilité (défaut : {settings.VIGIE_AUDIT_OTHER_PAGES})",
        )
        parser.add_argument(
            "--report",
            metavar="DOSSIER",
            help="dossier des rapports HTML écrits à la fin (défaut : vigie-rapport/ à côté de "
            "la base SQLite, ou du dossier courant)",
        )
        parser.add_argument(
            "--no-report", action="store_true", help="ne pas écrire les rapports HTML à la fin"
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="autoriser les adresses privées ou locales (127.0.0.1…) ; refusées par défaut",
        )
        parser.add_argument(
            "-s",
            "--set",
            action="append",
            default=[],
            metavar="NOM=VALEUR",
            help="réglage Scrapy ou Vigie (voir crawler/settings.py), répétable",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="journal Scrapy réduit aux erreurs"
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        from crawler.run import RunError, plan_run, run_crawl

        overrides = _overrides(args)
        _check_settings(overrides)
        if args.redis and not args.run_label:
            raise UsageError(
                "--redis exige --run-label : les travailleurs se retrouvent par l'étiquette"
            )
        seeds = None
        if args.resume is not None:
            if args.seeds:
                print(
                    f"vigie : --seeds {args.seeds} ignoré : --resume reprend la liste de sites "
                    "de l'exploration",
                    file=sys.stderr,
                )
        elif args.seeds:
            seeds = _load_seeds(args.seeds)  # a bad list fails before the store is touched
        exceptions = _exceptions_file(args)
        if exceptions is not None:
            overrides["VIGIE_EXCEPTIONS"] = _load_exceptions(exceptions)
        with open_store(args.db, write=True) as store:
            try:
                plan = plan_run(
                    store, seeds, args.run_label, args.resume, distributed=bool(args.redis)
                )
            except RunError as exc:
                raise UsageError(str(exc)) from exc
            for note in plan.notes:
                print(note, file=sys.stderr if plan.done_run is None else sys.stdout)
            if plan.done_run is not None:
                return exitcodes.OK
            try:
                run_id = run_crawl(
                    plan.seeds,
                    overrides,
                    label=args.run_label,
                    resume_run=plan.resume_run,
                    redis_url=args.redis,
                )
            except RunError as exc:
                raise CommandError(str(exc)) from exc
            run = store.run(run_id)
            status = run["status"] if run else "failed"
            if status == "interrupted":
                print(
                    f"Exploration n° {run_id} interrompue avant sa fin : ce qui a été exploré est "
                    f"enregistré. Pour la reprendre : vigie crawl --resume {run_id} --db {args.db}",
                    file=sys.stderr,
                )
                return exitcodes.INTERRUPTED
            if status != "finished":
                return exitcodes.OK  # a distributed worker that was not the last: the last reports
            print_summary(store, run_id)
            if args.table:
                from crawler.commands.table import write_table

                write_table(store, run_id, args.table, None, excel=args.csv_excel)
            if not args.no_report:
                from crawler.commands.report import default_report_dir, write_report

                write_report(
                    store,
                    run_id,
                    args.report or default_report_dir(args.db),
                    overrides.get("VIGIE_REPORT_WORKERS"),
                )
            return outcome_code(store, run_id, args.max_error_rate)


def _load_seeds(path: str) -> list[Any]:
    from crawler.seeds import SeedError, load_seeds

    try:
        seed_list = load_seeds(path)
    except SeedError as exc:
        raise UsageError(str(exc)) from exc
    for problem in seed_list.problems:
        print(f"vigie : {path} : {problem}", file=sys.stderr)
    return seed_list.seeds


def _check_settings(overrides: dict[str, Any]) -> None:
    """Settings read by components built inside Scrapy, checked before the run exists."""
    from crawler.addresses import AddressRule
    from crawler.run import crawl_settings

    try:
        AddressRule.from_settings(crawl_settings(overrides))
        if "VIGIE_REPORT_WORKERS" in overrides:  # read by the report at the end
            # (imported only then: the report's modules bring pandas, 0.5 s at start)
            from reports.site_pages import resolve_workers

            resolve_workers(overrides["VIGIE_REPORT_WORKERS"])
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _exceptions_file(args: argparse.Namespace) -> str | None:
    """``--exceptions``, else ``exceptions.csv`` beside the seed list when there is one."""
    from pathlib import Path

    from crawler.exceptions import DEFAULT_NAME

    if args.exceptions:
        return args.exceptions
    if args.seeds:
        beside = Path(args.seeds).parent / DEFAULT_NAME
        if beside.is_file():
            return str(beside)
    return None


def _load_exceptions(path: str) -> list[dict[str, Any]]:
    from crawler.exceptions import ExceptionsError, load_exemptions

    try:
        exemptions, problems = load_exemptions(path)
    except ExceptionsError as exc:
        raise UsageError(str(exc)) from exc
    for problem in problems:
        print(f"vigie : {path} : {problem}", file=sys.stderr)
    print(f"Exceptions revues : {len(exemptions)} ({path})", file=sys.stderr)
    return [exemption.to_dict() for exemption in exemptions]


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {"VIGIE_DB_URL": args.db}
    if args.max_pages_per_site is not None:
        overrides["VIGIE_MAX_PAGES_PER_SITE"] = args.max_pages_per_site
    if args.depth is not None:
        overrides["VIGIE_MAX_DEPTH"] = args.depth
    if args.allow_private:
        overrides["VIGIE_ALLOW_PRIVATE"] = True
    if args.no_audit:
        overrides["VIGIE_AUDIT_ENABLED"] = False
    if args.concurrency is not None:
        overrides["CONCURRENT_REQUESTS"] = args.concurrency
    if args.audit_pages is not None:
        overrides["VIGIE_AUDIT_OTHER_PAGES"] = args.audit_pages
    if args.quiet:
        overrides["LOG_LEVEL"] = "ERROR"
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"réglage invalide {item!r} : attendu NOM=VALEUR")
        overrides[name.strip()] = value.strip()
    return overrides


def outcome_code(store: Any, run_id: int, max_error_rate: float | None) -> int:
    """The exit code of a finished run: every site in error (3), too many (4), else 0."""
    statuses = [site["status"] for site in store.sites_of_run(run_id)]
    errors = sum(1 for status in statuses if status != "ok")
    if statuses and errors == len(statuses):
        print(
            f"vigie : aucun site n'a pu être exploré ({errors} en erreur) : voir le tableau "
            "des constats pour les raisons",
            file=sys.stderr,
        )
        return exitcodes.NOTHING_CRAWLED
    if max_error_rate is not None and statuses and errors / len(statuses) > max_error_rate:
        print(
            f"vigie : {errors} sites sur {len(statuses)} en erreur "
            f"({errors / len(statuses):.0%}), au-delà de --max-error-rate "
            f"({max_error_rate:.0%})",
            file=sys.stderr,
        )
        return exitcodes.ERROR_RATE
    return exitcodes.OK


def print_summary(store: Any, run_id: int) -> None:
    """The terminal summary of a finished run (:func:`reports.summary.crawl_summary`)."""
    from reports.summary import crawl_summary

    print(crawl_summary(store, run_id))


__all__ = ["Command", "CommandError", "outcome_code", "print_summary"]
