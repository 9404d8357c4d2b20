"""The ``vigie`` sub-commands, one module each, as Scrapy's own ``scrapy/commands/``.

A command is composition only: it reads its options, calls the crawler, the store or the
reports, and turns what they say into French lines and an exit code
(:mod:`crawler.commands.exitcodes`). It holds no crawl, store or report logic of its own.

Each module defines a :class:`Command` subclass named ``Command``; :data:`NAMES` is the
order of ``vigie --help``. The command line is the composition root: it is the one place
where the crawler and the reports meet.
"""

from __future__ import annotations

import argparse
import importlib

#: Sub-commands in the order ``vigie --help`` lists them.
NAMES: tuple[str, ...] = (
    "crawl",
    "table",
    "report",
    "export",
    "runs",
    "inspect",
    "checks",
    "annuaire",
    "seeds",
    "demo",
)


class Command:
    """A ``vigie`` sub-command."""

    #: ``vigie <name>``
    name: str = ""
    #: One line, in ``vigie --help``.
    help: str = ""
    #: What it does, at the top of ``vigie <name> --help``.
    description: str = ""
    #: Examples and notes, at the end of ``vigie <name> --help``.
    epilog: str = ""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's options (French help texts)."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the command; return the exit code. Raise :class:`UsageError` or
        :class:`~crawler.commands.exitcodes.CommandError` for a French one-line error."""
        raise NotImplementedError


def load(name: str) -> Command:
    """The command ``name`` (its module imported only when used: start-up stays fast)."""
    module = importlib.import_module(f"crawler.commands.{name}")
    return module.Command()
