"""The exit codes of ``vigie``: what an operator's script or a CI job can rely on.

Documented for users in ``docs/exit-codes.md`` (a test keeps the two in step).
"""

from __future__ import annotations

#: Everything asked was done (a crawl may have sites in error, under ``--max-error-rate``).
OK = 0
#: Vigie could not do its work: the store, Redis or the browser is unusable, or a bug.
ERROR = 1
#: The command was used wrongly: unknown option, bad value, unreadable or invalid input.
USAGE = 2
#: ``vigie crawl``: no site could be crawled at all (every site in error).
NOTHING_CRAWLED = 3
#: ``vigie crawl``: the share of sites in error is above ``--max-error-rate``.
ERROR_RATE = 4
#: ``vigie inspect --fail-on``: the page fails the given conditions (CI gate).
FAILED_CHECKS = 5
#: Stopped by Ctrl-C, SIGTERM or the memory limit; ``vigie crawl --resume N`` continues.
INTERRUPTED = 130
#: The reader of standard output went away (``vigie table --format csv -o - | head``):
#: the output is cut where the reader stopped, nothing else is wrong. 128 + SIGPIPE, as a
#: shell reports a Unix tool stopped the same way.
OUTPUT_CLOSED = 141

#: Every code with its meaning in French, as ``docs/exit-codes.md`` lists them.
MEANINGS: dict[int, str] = {
    OK: "succès",
    ERROR: "erreur d'exécution (base, Redis ou navigateur inutilisable, erreur inattendue)",
    USAGE: "erreur d'utilisation (option, valeur ou fichier d'entrée invalide)",
    NOTHING_CRAWLED: "aucun site exploré : tous les sites sont en erreur",
    ERROR_RATE: "trop de sites en erreur (au-delà de --max-error-rate)",
    FAILED_CHECKS: "vigie inspect --fail-on : la page ne satisfait pas les conditions",
    INTERRUPTED: "interrompu (Ctrl-C, SIGTERM, limite de mémoire) : reprise possible",
    OUTPUT_CLOSED: "sortie standard fermée par le programme qui la lisait (… | head)",
}


class CommandError(Exception):
    """A failure to report as one French line (``vigie : erreur : …``) with ``code``."""

    def __init__(self, message: str, code: int = ERROR) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CommandError):
    """The user's mistake: a bad option, value or input file (exit code 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, USAGE)
