"""``argparse`` in French: Vigie's users read French, argparse writes English.

argparse builds its own texts (usage line, section titles, error messages) in English and
offers no catalogue to change them short of a gettext domain for the whole process. This
parser keeps argparse's behaviour and replaces those fixed English phrases, in its
documented entry points (``format_usage``, ``format_help``, ``error``), from one table:
a newcomer sees every translated phrase here, and ``tests/test_cli_errors.py`` fails if an
English one is left on the screen.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from crawler.commands.exitcodes import USAGE

#: argparse's English phrases (Python 3.11 to 3.13) and their French.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^usage: ", "utilisation : "),
    (r"\nusage: ", "\nutilisation : "),
    (r"\npositional arguments:\n", "\narguments :\n"),
    (r"\noptions:\n", "\noptions :\n"),
    (r"\noptional arguments:\n", "\noptions :\n"),
    (r"show this help message and exit", "afficher cette aide et quitter"),
    (r"show program's version number and exit", "afficher la version de Vigie et quitter"),
    (r"the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"unrecognized arguments: ", "arguments inconnus : "),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"choix invalide : \1 (possibles : \2)"),
    (r"invalid (\w+) value: ", r"valeur invalide : "),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"ambiguous option: (.*?) could match (.*)", r"option ambiguë : \1 (\2 ?)"),
    (r"not allowed with argument", "incompatible avec l'option"),
    (r"ignored explicit argument", "valeur ignorée"),
    (r"^argument (\S+): ", r"option \1 : "),
)
_COMPILED = tuple((re.compile(pattern), french) for pattern, french in _PHRASES)


def french(text: str) -> str:
    """``text`` with argparse's English phrases in French."""
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return text


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that speaks French and exits with Vigie's usage code (2)."""

    def format_usage(self) -> str:
        return french(super().format_usage())

    def format_help(self) -> str:
        return french(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog} : erreur : {french(message)}\n")
