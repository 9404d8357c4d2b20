"""``vigie runs``: the runs of a store, for people (a table) and for monitoring (JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crawler.commands import Command as BaseCommand
from crawler.commands import exitcodes
from crawler.commands.options import add_db, open_store

#: A run's state as people read it (machine values are the store's, in English).
RUN_STATUS_LABELS = {
    "running": "en cours",
    "finished": "terminée",
    "failed": "échouée",
    "interrupted": "interrompue",
}


class Command(BaseCommand):
    name = "runs"
    help = "lister les explorations enregistrées"
    description = "Liste des explorations de la base, la plus récente en dernier."
    epilog = (
        "exemples :\n"
        "  vigie runs\n"
        "  vigie runs --json        (supervision : un objet par exploration, valeurs en "
        "anglais)"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="sortie JSON sur la sortie standard (id, label, status, dates, sites, "
            "pages, erreurs, redirections vers une page connue, durée)",
        )
        add_db(parser)

    def run(self, args: argparse.Namespace) -> int:
        with open_store(args.db) as store:
            runs = [_summary(r) for r in store.list_runs()]
        if args.json:
            json.dump(runs, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return exitcodes.OK
        if not runs:
            print("Aucune exploration dans la base.")
            return exitcodes.OK
        print(
            f"{'n°':>4}  {'étiquette':<12} {'début':<20} {'état':<11} {'sites':>6} "
            f"{'pages':>7} {'erreurs':>8} {'redir.':>7} {'Mo':>7} {'durée':>8}"
        )
        for r in runs:
            started = (r["started_at"] or "").replace("T", " ")[:19]
            duration = r["duration_s"]
            print(
                f"{r['id']:>4}  {(r['label'] or ''):<12} {started:<20} "
                f"{RUN_STATUS_LABELS.get(r['status'], r['status']):<11} "
                f"{r['sites']:>6} {_blank(r['pages']):>7} {_blank(r['errors']):>8} "
                f"{_blank(r['redirects']):>7} "
                f"{r['megabytes']:>7.1f} {'' if duration is None else f'{duration:.0f} s':>8}"
            )
        return exitcodes.OK


def _summary(run: dict[str, Any]) -> dict[str, Any]:
    """A run as ``vigie runs --json`` gives it: stable English keys, ISO dates."""
    stats = run["stats"] or {}
    return {
        "id": run["id"],
        "label": run["label"],
        "status": run["status"],
        "started_at": run["started_at"].isoformat() if run["started_at"] else None,
        "finished_at": run["finished_at"].isoformat() if run["finished_at"] else None,
        "sites": run["seeds_count"],
        "pages": stats.get("vigie/pages"),
        "errors": stats.get("vigie/errors"),
        # Failed requests and redirects to a page already known: apart from the pages,
        # they do not use the page budget.
        "redirects": stats.get("vigie/redirects_to_known"),
        "megabytes": round(stats.get("downloader/response_bytes", 0) / 1e6, 3),
        "duration_s": stats.get("elapsed_time_seconds"),
    }


def _blank(value: Any) -> str:
    return "" if value is None else str(value)
