"""Reading an Annuaire de l'administration export, record by record, never all at once.

The national export has ~80,000 records (hundreds of megabytes): it is streamed, a record
at a time, with ``ijson`` for JSON (a maintained incremental parser; ``json.load`` would
hold the whole document and its objects in memory) and the ``csv`` module for CSV.
Formats (``shared/reference/annuaire-format.md``):

* JSON: a list of records, or ``{"results": [...]}`` (the Opendatasoft API's pages);
* JSON lines: one record a line (``.jsonl``, ``.ndjson``, or a file whose first line is a
  whole record);
* CSV with ``;`` (or ``,``) and a header row, the structured fields as JSON-encoded cells.

A malformed record — not an object, no ``id``, a CSV row with the wrong number of cells, a
JSON line that does not parse — is rejected and reported with its line (its index in a
JSON list, which has no usable lines); an unreadable structured field (a cell that is not
JSON) is dropped from its record, which is kept, and reported too. Neither stops the
reading. A file that cannot be read at all, or a JSON document broken in the middle
(nothing after the break can be read), raises :class:`ExportError`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson

#: The fields Vigie keeps of each record: what it compares, links by, or shows.
KEPT_FIELDS: tuple[str, ...] = (
    "id",
    "nom",
    "sigle",
    "pivot",
    "site_internet",
    "telephone",
    "adresse_courriel",
    "formulaire_contact",
    "adresse",
    "plage_ouverture",
    "url_service_public",
    "code_insee_commune",
    "date_modification",
)
#: Fields holding lists of objects (JSON-encoded strings in the CSV export).
STRUCTURED_FIELDS: frozenset[str] = frozenset(
    {"pivot", "site_internet", "telephone", "adresse", "plage_ouverture"}
)
#: Longest record id kept (``annuaire_records.record_id``); the Annuaire's are UUIDs.
MAX_ID_LENGTH = 100
#: A CSV cell may hold a long JSON list; the csv module's default limit is 128 KiB.
_CSV_FIELD_LIMIT = 16 * 1024 * 1024
_SNIFF_BYTES = 1024 * 1024


class ExportError(Exception):
    """The export cannot be read (or no further): the message says why, in French."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One record read: kept (``record``) or rejected (``None``), with what was wrong."""

    where: str  # "ligne 12", "fiche n° 5": where a person finds it in the file
    record: dict[str, Any] | None
    problems: tuple[str, ...] = ()


def detect_format(path: Path) -> str:
    """``"json"`` (a list), ``"json-results"`` (``{"results": […]}``), ``"jsonl"`` or
    ``"csv"``, from the name and the first bytes."""
    with open(path, "rb") as stream:
        head = stream.read(_SNIFF_BYTES)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv" or text[:1] not in (b"[", b"{"):
        return "csv"
    if text[:1] == b"[":
        return "json"
    first_line = text.split(b"\n", 1)[0]
    try:
        first = json.loads(first_line)
    except ValueError:
        return "json-results"  # an object over several lines: {"results": [...]} pretty-printed
    if isinstance(first, dict) and "results" in first:
        return "json-results"
    return "jsonl"


def read_export(path: str | Path) -> tuple[str, Iterator[Entry]]:
    """The export's format and its records, read lazily; :class:`ExportError` when the file
    cannot be opened."""
    path = Path(path)
    if not path.exists():
        raise ExportError(f"export introuvable : {path}")
    if path.is_dir():
        raise ExportError(f"{path} est un dossier, pas un fichier d'export")
    try:
        kind = detect_format(path)
    except OSError as exc:
        raise ExportError(f"export illisible : {path} ({exc.strerror or exc})") from exc
    readers = {
        "json": lambda: _json(path, "item"),
        "json-results": lambda: _json(path, "results.item"),
        "jsonl": lambda: _jsonl(path),
        "csv": lambda: _csv(path),
    }
    return kind, readers[kind]()


def _json(path: Path, prefix: str) -> Iterator[Entry]:
    index = 0
    with open(path, "rb") as stream:
        try:
            for index, raw in enumerate(ijson.items(stream, prefix, use_float=True), start=1):
                yield clean_record(raw, f"fiche n° {index}", encoded_cells=False)
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            after = f"après la fiche n° {index}" if index else "avant la première fiche"
            raise ExportError(f"JSON invalide {after} (détail de l'analyseur : {exc})") from exc


def _jsonl(path: Path) -> Iterator[Entry]:
    with open(path, encoding="utf-8-sig", errors="strict") as stream:
        line = 0
        try:
            for line, text in enumerate(stream, start=1):
                if not text.strip():
                    continue
                where = f"ligne {line}"
                try:
                    raw = json.loads(text)
                except ValueError as exc:
                    yield Entry(
                        where, None, (f"{where} : JSON invalide ({exc.msg}), fiche rejetée",)
                    )
                    continue
                yield clean_record(raw, where, encoded_cells=False)
        except UnicodeDecodeError as exc:
            raise ExportError(f"fichier non UTF-8 après la ligne {line} ({exc.reason})") from exc


def _csv(path: Path) -> Iterator[Entry]:
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    with open(path, encoding="utf-8-sig", errors="strict", newline="") as stream:
        try:
            yield from _csv_rows(stream, path)
        except UnicodeDecodeError as exc:
            raise ExportError(f"fichier non UTF-8 ({exc.reason})") from exc


def _csv_rows(stream: IO[str], path: Path) -> Iterator[Entry]:
    first = stream.readline()
    if not first.strip():
        raise ExportError(f"{path} : fichier vide ou sans ligne d'en-tête")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))]
    if "id" not in header:
        raise ExportError(
            f"{path} : en-tête sans colonne « id » (lu : {', '.join(header[:8])}…) ; "
            "attendu : l'export CSV de l'Annuaire, séparé par des points-virgules"
        )
    reader = csv.reader(stream, delimiter=delimiter)
    while True:
        before = reader.line_num
        where = f"ligne {before + 2}"  # the row's first line (the header was read apart)
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num == before:  # nothing more can be read
                raise ExportError(f"CSV illisible à partir de la {where} : {exc}") from exc
            yield Entry(where, None, (f"{where} : ligne CSV illisible ({exc}), fiche rejetée",))
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Entry(
                where,
                None,
                (f"{where} : {len(row)} colonnes au lieu de {len(header)}, fiche rejetée",),
            )
            continue
        yield clean_record(dict(zip(header, row, strict=True)), where, encoded_cells=True)


def clean_record(raw: Any, where: str, encoded_cells: bool) -> Entry:
    """The kept fields of one decoded record, or its rejection; problems said in French.

    ``encoded_cells``: structured fields are JSON-encoded strings (the CSV export).
    """
    if not isinstance(raw, Mapping):
        return Entry(where, None, (f"{where} : pas un objet JSON, fiche rejetée",))
    record_id = _scalar(raw.get("id"))
    if not record_id:
        return Entry(where, None, (f"{where} : pas d'« id », fiche rejetée",))
    if len(record_id) > MAX_ID_LENGTH:
        return Entry(where, None, (f"{where} : « id » de plus de {MAX_ID_LENGTH} caractères",))
    problems: list[str] = []
    record: dict[str, Any] = {"id": record_id}
    for name in KEPT_FIELDS[1:]:
        value = raw.get(name)
        if name in STRUCTURED_FIELDS:
            objects, problem = _objects(value, encoded_cells)
            if problem:
                problems.append(f"{where} : champ « {name} » {problem} (fiche {record_id})")
            record[name] = objects
        else:
            text = _scalar(value)
            if text is None:
                problems.append(f"{where} : champ « {name} » illisible, ignoré (fiche {record_id})")
                text = ""
            record[name] = text
    return Entry(where, record, tuple(problems))


def _scalar(value: Any) -> str | None:
    """A text field: strings trimmed, numbers as text, a list of strings joined by ``;``
    (an e-mail field with several addresses); ``None`` when it is none of these."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(v.strip() for v in value if v.strip())
    return None


def _objects(value: Any, encoded: bool) -> tuple[list[dict[str, Any]], str | None]:
    """A structured field as a list of objects, and what was wrong with it (or None)."""
    if value is None or value == "":
        return [], None
    if isinstance(value, str):
        text = value.strip()
        if not (encoded or text[:1] in ("[", "{")):
            return [], "n'est pas une liste d'objets, ignoré"
        try:
            value = json.loads(text)
        except ValueError as exc:
            return [], f"illisible (JSON invalide au caractère {exc.pos + 1}), ignoré"
        if value is None:
            return [], None
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return [], "n'est pas une liste d'objets, ignoré"
    objects = [dict(v) for v in value if isinstance(v, Mapping)]
    if len(objects) != len(value):
        dropped = len(value) - len(objects)
        return objects, f"contient {dropped} élément(s) qui ne sont pas des objets, ignorés"
    return objects, None
