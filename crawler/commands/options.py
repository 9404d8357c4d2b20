"""Options and helpers shared by several commands: the store, output files, value types.

Defaults come from ``crawler/settings.py`` (the one source of defaults): help texts read
them from there instead of repeating them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from crawler import settings
from crawler.commands.exitcodes import ERROR, USAGE, CommandError

#: Written for ``-o -``: standard output instead of a file.
STDOUT = "-"


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=settings.VIGIE_DB_URL,
        metavar="URL",
        help=f"base de résultats, URL SQLAlchemy (défaut : {settings.VIGIE_DB_URL} ; "
        "PostgreSQL : postgresql+psycopg://utilisateur@hôte/base)",
    )


def add_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run",
        type=positive_int,
        metavar="N°",
        help="numéro d'exploration (défaut : la dernière terminée)",
    )


def open_store(url: str, write: bool = False) -> Any:
    """The store at ``url``, or a :class:`CommandError` saying in French why not.

    ``write=False`` (the default) for commands that only read: they never create a store.
    """
    from crawler.store import Store, StoreError

    try:
        return Store(url, write=write)
    except StoreError as exc:
        raise CommandError(str(exc), USAGE if exc.usage else ERROR) from exc


def positive_int(text: str) -> int:
    """An argparse type: an integer ≥ 1."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"nombre entier positif attendu, pas {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: an integer ≥ 0."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"nombre entier positif ou nul attendu, pas {text!r}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a number > 0 (seconds…)."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre attendu, pas {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"nombre strictement positif attendu, pas {text!r}")
    return value


def share(text: str) -> float:
    """An argparse type: a share between 0 and 1, written 0.2, 0,2 or 20 %."""
    raw = text.strip().replace(",", ".")
    percent = raw.endswith("%")
    try:
        value = float(raw.rstrip("%").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"part attendue (0.2 ou 20 %), pas {text!r}") from None
    if percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"part entre 0 et 1 attendue, pas {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, pas {text!r}") from None


@contextmanager
def output(path: str, binary: bool = False) -> Iterator[IO[Any]]:
    """An output file, or standard output for ``-`` (a binary format not to a terminal)."""
    if path == STDOUT:
        if binary and sys.stdout.isatty():
            raise CommandError(
                "format binaire : redirigez la sortie standard vers un fichier (… > fichier)",
                USAGE,
            )
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise CommandError(f"dossier introuvable : {target.parent}", USAGE)
    with open(target, "wb" if binary else "w", encoding=None if binary else "utf-8") as stream:
        yield stream
