"""``vigie.toml``: what a scheduled crawl would otherwise repeat as flags, kept in a file.

As pa11y-ci's, Lighthouse CI's or DashLord's users keep their configuration in their
repository, an operator keeps the seed list, the store, the budgets and the report folder
of a scheduled crawl in one TOML file (read with the standard library's ``tomllib``)::

    db = "postgresql+psycopg://vigie@base.interne/vigie"

    [crawl]
    seeds = "sites.csv"
    exceptions = "exceptions.csv"
    max_pages_per_site = 50
    report = "/var/www/vigie"
    max_error_rate = 0.2

    [crawl.settings]
    DOWNLOAD_DELAY = 0.5

Flags given on the command line win over the file. Every key is documented in
:data:`KEYS` (``docs/configuration.md`` is generated from it) and checked with the same
rules as its flag: a mistake is one French line naming the file, the line and the key.
Relative paths are read from the file's folder, so the file can be used from anywhere.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.commands.exitcodes import UsageError
from crawler.commands.options import non_negative_int, positive_int, share

#: The file read when ``--config`` is not given, in the current folder.
DEFAULT_FILE = "vigie.toml"


@dataclass(frozen=True, slots=True)
class Key:
    """One key of the file: the command it serves, its flag, its type, what it is."""

    section: str  # "" for the top level (every command), else a command's name
    name: str
    flag: str
    kind: str  # "text", "path", "db", "integer", "share", "boolean", "table"
    help: str
    check: Callable[[str], Any] | None = None


KEYS: tuple[Key, ...] = (
    Key(
        "",
        "db",
        "--db",
        "db",
        "base de résultats, URL SQLAlchemy (sqlite:///… ou postgresql+psycopg://…)",
    ),
    Key("crawl", "seeds", "--seeds", "path", "liste des sites (CSV id,name,url,type)"),
    Key(
        "crawl",
        "exceptions",
        "--exceptions",
        "path",
        "exceptions revues (CSV site_id,check,reason,until)",
    ),
    Key(
        "crawl",
        "max_pages_per_site",
        "--max-pages-per-site",
        "integer",
        "pages au plus par site",
        positive_int,
    ),
    Key("crawl", "depth", "--depth", "integer", "profondeur de liens au plus", non_negative_int),
    Key(
        "crawl",
        "concurrency",
        "--concurrency",
        "integer",
        "requêtes simultanées au plus",
        positive_int,
    ),
    Key(
        "crawl",
        "audit",
        "--no-audit",
        "boolean",
        "auditer un échantillon de pages avec axe-core (false : non)",
    ),
    Key(
        "crawl",
        "audit_pages",
        "--audit-pages",
        "integer",
        "pages auditées par site en plus des pages clés",
        non_negative_int,
    ),
    Key("crawl", "report", "--report", "path", "dossier des rapports HTML écrits à la fin"),
    Key(
        "crawl",
        "reports",
        "--no-report",
        "boolean",
        "écrire les rapports HTML à la fin (false : non)",
    ),
    Key("crawl", "table", "--table", "path", "fichier du tableau des constats écrit à la fin"),
    Key(
        "crawl",
        "csv_excel",
        "--csv-excel",
        "boolean",
        "CSV du tableau pour Excel en français (point-virgule, BOM)",
    ),
    Key(
        "crawl",
        "max_error_rate",
        "--max-error-rate",
        "share",
        "part de sites en erreur au-delà de laquelle le code de sortie est 4",
        share,
    ),
    Key(
        "crawl",
        "redis",
        "--redis",
        "text",
        "file d'attente Redis partagée (exploration distribuée)",
    ),
    Key(
        "crawl",
        "allow_private",
        "--allow-private",
        "boolean",
        "autoriser les adresses privées ou locales",
    ),
    Key(
        "crawl",
        "settings",
        "-s",
        "table",
        "réglages Scrapy ou Vigie (crawler/settings.py), NOM = valeur",
    ),
)

_BY_NAME: dict[tuple[str, str], Key] = {(key.section, key.name): key for key in KEYS}


def _dest(key: Key) -> str:
    """The argparse destination of a key's flag."""
    return {"--no-audit": "no_audit", "--no-report": "no_report", "-s": "set"}.get(
        key.flag, key.flag.lstrip("-").replace("-", "_")
    )


def find_config(argv: list[str]) -> Path | None:
    """The file named by ``--config`` in ``argv``, else ``vigie.toml`` if present here."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config")
    known, _ = pre.parse_known_args(argv)
    if known.config:
        path = Path(known.config)
        if not path.is_file():
            raise UsageError(f"fichier de configuration introuvable : {path}")
        return path
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def load(path: Path, command: str) -> dict[str, Any]:
    """argparse defaults for ``command`` from the file at ``path`` (checked, resolved)."""
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message is English: keep its position ("at line 5, column 9") only.
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f", ligne {where[1]}, colonne {where[2]}" if where else ""
        raise UsageError(f"{path}{at} : syntaxe TOML invalide") from exc
    defaults: dict[str, Any] = {}
    for section, table in (("", data), *((k, v) for k, v in data.items() if isinstance(v, dict))):
        for name, value in table.items():
            if section == "" and isinstance(value, dict):
                if name not in {k.section for k in KEYS}:
                    raise _error(path, text, "", name, f"section inconnue [{name}]")
                continue
            key = _BY_NAME.get((section, name))
            if key is None:
                raise _error(path, text, section, name, "clé inconnue (voir docs/configuration.md)")
            if key.section in ("", command):
                defaults[_dest(key)] = _value(path, text, key, value)
    return defaults


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"fichier de configuration illisible : {path} ({exc})") from exc


def _value(path: Path, text: str, key: Key, value: Any) -> Any:
    """The value as the flag would have given it, or an error naming the key's line."""

    def wrong(expected: str) -> UsageError:
        return _error(path, text, key.section, key.name, f"{expected} attendu, pas {value!r}")

    if key.kind == "boolean":
        if not isinstance(value, bool):
            raise wrong("true ou false")
        # audit = false is --no-audit; reports = false is --no-report
        return (not value) if key.flag.startswith("--no-") else value
    if key.kind == "table":
        if not isinstance(value, dict):
            raise wrong("une table NOM = valeur")
        return [f"{name}={item}" for name, item in value.items()]
    if key.kind in ("integer", "share"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong("un nombre")
        assert key.check is not None
        try:
            return key.check(str(value))
        except argparse.ArgumentTypeError as exc:
            raise _error(path, text, key.section, key.name, str(exc)) from exc
    if not isinstance(value, str) or not value.strip():
        raise wrong("un texte")
    if key.kind == "path":
        return str((path.parent / value).resolve()) if not Path(value).is_absolute() else value
    if key.kind == "db" and value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
        relative = value[len("sqlite:///") :]
        if relative and not relative.startswith(("file:", ":memory:")):
            return f"sqlite:///{(path.parent / relative).resolve()}"
    return value


def _error(path: Path, text: str, section: str, name: str, message: str) -> UsageError:
    line = _line_of(text, section, name)
    where = f"{path}, ligne {line}" if line else str(path)
    full = f"{section}.{name}" if section else name
    return UsageError(f"{where} : {full} : {message}")


def _line_of(text: str, section: str, name: str) -> int | None:
    """The line where ``name`` is set in ``[section]``, or where the table ``[name]``
    starts (tomllib does not keep positions)."""
    current = ""
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    assignment = re.compile(rf"^\s*{re.escape(name)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match.group(1)
            if section == "" and current.split(".")[0] == name:
                return number
            continue
        if current == section and assignment.match(line):
            return number
    return None


def markdown() -> str:
    """``docs/configuration.md``: every key of the file, with its flag."""
    out = [
        "# Fichier de configuration `vigie.toml`",
        "",
        "Ce document est produit à partir de `crawler/commands/config.py` ; un test vérifie "
        "qu'il lui est identique.",
        "",
        "`vigie` lit `vigie.toml` dans le dossier courant, ou le fichier donné par "
        "`--config FICHIER`.",
        "Une option de la ligne de commande l'emporte sur le fichier. Les chemins relatifs "
        "se lisent",
        "depuis le dossier du fichier. Une clé inconnue ou une valeur invalide arrête la "
        "commande avec",
        "le nom du fichier, la ligne et la clé (code de sortie 2).",
        "",
        "```toml",
        'db = "postgresql+psycopg://vigie@base.interne/vigie"',
        "",
        "[crawl]",
        'seeds = "sites.csv"',
        'exceptions = "exceptions.csv"',
        "max_pages_per_site = 50",
        'report = "/var/www/vigie"',
        "max_error_rate = 0.2",
        "",
        "[crawl.settings]",
        "DOWNLOAD_DELAY = 0.5",
        "```",
        "",
        "| section | clé | option équivalente | valeur | sens |",
        "|---|---|---|---|---|",
    ]
    kinds = {
        "text": "texte",
        "path": "chemin",
        "db": "URL",
        "integer": "entier",
        "share": "part (0.2)",
        "boolean": "true / false",
        "table": "table",
    }
    for key in KEYS:
        section = f"[{key.section}]" if key.section else "(haut du fichier)"
        out.append(f"| {section} | `{key.name}` | `{key.flag}` | {kinds[key.kind]} | {key.help} |")
    return "\n".join(out) + "\n"
