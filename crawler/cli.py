"""The ``vigie`` command line: the parser, the dispatch, and what every error becomes.

Each sub-command lives in its own module of :mod:`crawler.commands` (as Scrapy's
``scrapy/commands/``); this module only assembles them. Every failure a user can cause or
meet ends here as one French line on stderr and an exit code of
:mod:`crawler.commands.exitcodes` (``docs/exit-codes.md``), never as a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import select
import sys
from importlib import metadata
from typing import NoReturn

from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import NAMES, load
from crawler.commands.config import DEFAULT_FILE, find_config
from crawler.commands.config import load as load_config
from crawler.commands.exitcodes import ERROR, INTERRUPTED, OUTPUT_CLOSED, CommandError
from crawler.commands.parser import FrenchArgumentParser

EPILOG = """\
exemples :
  vigie crawl --seeds sites.csv                 explorer les sites de sites.csv
  vigie table -o constats.xlsx                  tableau des constats de la dernière exploration
  vigie report -o rapport                       rapports HTML (vue d'ensemble + une page par site)
  vigie inspect page.html --base-url https://www.mairie.fr/ --json
  vigie demo                                    démonstration sur des sites locaux

La liste de sites est un fichier CSV « id,name,url,type » (type : mairie, prefecture,
caf, cpam, ministere, hopital, universite, autre…). Les résultats s'accumulent dans la
base (--db, SQLite « vigie.db » par défaut) : une exploration n'efface jamais les
précédentes. « vigie COMMANDE --help » détaille chaque commande.
"""


def version() -> str:
    try:
        return metadata.version("vigie")
    except metadata.PackageNotFoundError:  # a source tree never installed
        return "inconnue (non installé)"


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="vigie",
        description="Vigie vérifie, site par site, les engagements « Services Publics + » "
        "visibles sur le web des administrations.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vigie {version()}")
    parser.add_argument(
        "--config",
        metavar="FICHIER",
        help=f"fichier de configuration TOML (défaut : {DEFAULT_FILE} du dossier courant, "
        "s'il existe) ; les options de la ligne de commande l'emportent",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    parser.commands = {}  # type: ignore[attr-defined]
    for name in NAMES:
        command = load(name)
        sub_parser = sub.add_parser(
            name,
            help=command.help,
            description=command.description,
            epilog=command.epilog or None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub_parser)
        sub_parser.add_argument("--config", metavar="FICHIER", help=argparse.SUPPRESS)
        sub_parser.set_defaults(command_object=command)
        parser.commands[name] = sub_parser  # type: ignore[attr-defined]
    return parser


def _apply_config(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Defaults of the command about to run from ``vigie.toml`` (or ``--config``)."""
    path = find_config(argv)
    if path is None:
        return
    name = next((arg for arg in argv if arg in parser.commands), None)  # type: ignore[attr-defined]
    if name is not None:
        parser.commands[name].set_defaults(**load_config(path, name))  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Run the command of ``argv``; its exit code. Callable in-process (tests, benches)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        _apply_config(parser, argv)
    except CommandError as exc:
        print(f"vigie : erreur : {exc}", file=sys.stderr)
        return exc.code
    args = parser.parse_args(argv)
    try:
        return args.command_object.run(args)
    except CommandError as exc:
        print(f"vigie : erreur : {exc}", file=sys.stderr)
        return exc.code
    except SQLAlchemyError as exc:  # the store failed while in use (corrupt page, disk…)
        from crawler.store.connection import translate

        print(f"vigie : erreur : {translate(exc, getattr(args, 'db', '?'))}", file=sys.stderr)
        return ERROR
    except KeyboardInterrupt:
        print("vigie : interrompu", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # ``vigie table --format csv -o - | head``: the reader has what it wanted. Any other
        # broken pipe (the browser's, a socket's) is an error like the others.
        if not _stdout_closed():
            raise
        return OUTPUT_CLOSED


def _stdout_closed() -> bool:
    """Standard output is a pipe whose reader has gone: poll(2) reports POLLERR on it."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # replaced by a test's capture: no pipe
        return False
    poller = select.poll()
    poller.register(fd, 0)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def run() -> NoReturn:
    """The ``vigie`` program: :func:`main`, then the process exits without Python's final
    garbage collections.

    A crawl ends with some 200,000 objects alive (Scrapy, Twisted, Playwright, pandas);
    the interpreter's shutdown walks them in several full collections: 0.3 s on one core
    after the last line is printed, a third of the fixed cost at the end of a crawl of 25
    pages (``docs/benchmarks.md``). One collection here finalises what the command left
    behind, as the shutdown would (a store's SQLite connections close, its WAL file is
    folded back into the database); :func:`gc.freeze` then leaves the objects still
    reachable to reference counting, which frees them at shutdown as before. Only here,
    never in :func:`main`: a test process calling :func:`main` keeps collecting.

    When the reader of standard output has gone (``… | head``), what is still buffered
    cannot be written: standard output is pointed at ``/dev/null`` so that Python's own
    flush at exit does not print a traceback (the recipe of Python's documentation, "Note
    on SIGPIPE" in :mod:`signal`).
    """
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = OUTPUT_CLOSED
    if code == OUTPUT_CLOSED:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    gc.collect()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
