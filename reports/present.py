"""Small presentation helpers shared by the report pages: links, values, dates, numbers.

Everything here returns plain text (never markup): the templates escape it. The one place
that decides whether a URL taken from a crawled page may become a link is
:func:`safe_href`, so that a ``javascript:`` or ``data:`` URL can never be clicked.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from reports.bidi import inline_isolate

MAX_VALUE_LINES = 8
MAX_LINE = 240

_SAFE_SCHEMES = frozenset({"http", "https"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]")

PHONE_KINDS = {
    "fixed": "fixe",
    "mobile": "mobile",
    "voip": "VoIP",
    "toll_free": "numéro gratuit",
    "shared_cost": "coût partagé",
    "premium": "surtaxé",
    "uan": "numéro unique",
    "short": "numéro court",
}

_VALUE_KEYS = {
    "osm": "Format OpenStreetMap",
    "raw": "Texte lu",
    "url": "Adresse",
    "links": "Liens",
    "terms": "Termes",
    "contacts": "Contacts",
    "defenseur_des_droits": "Défenseur des droits",
    "widgets": "Modules",
    "login_messaging": "Messagerie avec connexion",
    "button": "Bouton",
    "form_id": "Démarche n°",
    "variant": "Forme",
    "rate": "Taux déclaré",
    "date": "Date d'audit",
    "schema": "Schéma pluriannuel",
}


def safe_href(url: Any) -> str | None:
    """``url`` if it may be a link in a report (absolute http or https), else ``None``.

    Browsers drop tabs, newlines and leading spaces from a URL, so ``java\\nscript:`` is
    still ``javascript:``; anything not plainly http(s) stays text.
    """
    if not isinstance(url, str) or not url:
        return None
    cleaned = _CONTROL.sub("", url)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return cleaned


def clip(text: str, limit: int = MAX_LINE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _phone(item: dict[str, Any]) -> str:
    parts = [str(item.get("display") or item.get("e164") or item.get("short") or "?")]
    kind = PHONE_KINDS.get(str(item.get("kind")), item.get("kind"))
    if kind:
        parts.append(str(kind))
    if item.get("purpose"):
        parts.append(f"« {item['purpose']} »")
    if item.get("surcharged"):
        parts.append("surtaxé")
    return " — ".join(parts)


def _item(item: Any) -> str:
    if isinstance(item, dict):
        if "display" in item or "e164" in item:
            return _phone(item)
        if "address" in item:
            purpose = f" (« {item['purpose']} »)" if item.get("purpose") else ""
            return f"{item['address']}{purpose}"
        if "url" in item:
            extra = []
            if item.get("platform"):
                extra.append(str(item["platform"]))
            if item.get("booking_link") is False:
                extra.append("lien sans outil de réservation")
            return str(item["url"]) + (f" ({', '.join(extra)})" if extra else "")
        return "; ".join(f"{_VALUE_KEYS.get(k, k)} : {_scalar(v)}" for k, v in item.items())
    return _scalar(item)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str | int | float) or value is None:
        return "—" if value is None else str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def value_lines(value: Any) -> list[str]:
    """A check's ``value`` as a few readable French lines (shapes of CHECKS.md)."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, list):
        lines = [_item(v) for v in value]
    elif isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if item in (None, "", [], {}):
                continue
            label = _VALUE_KEYS.get(key, key)
            if isinstance(item, list):
                lines.extend(f"{label} : {_item(v)}" for v in item)
            else:
                lines.append(f"{label} : {_item(item)}")
    else:
        lines = [_scalar(value)]
    if len(lines) > MAX_VALUE_LINES:
        lines = lines[:MAX_VALUE_LINES] + [f"… et {len(lines) - MAX_VALUE_LINES} autre(s)"]
    return [clip(line) for line in lines]


def percent(value: Any) -> str:
    """``0.667`` → ``"67 %"`` (French spacing); missing → ``"—"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    try:
        return f"{round(float(value) * 100)} %"
    except (TypeError, ValueError):
        return "—"


def as_utc(value: Any) -> datetime | None:
    """Store datetimes are UTC; SQLite gives them back naive."""
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def date_fr(value: Any, with_time: bool = True) -> str:
    """``28/11/2026 à 03:26 UTC`` (the runs' own clock, stated, not guessed local time)."""
    when = as_utc(value)
    if when is None:
        return "—"
    return when.strftime("%d/%m/%Y à %H:%M UTC" if with_time else "%d/%m/%Y")


def run_name(run: dict[str, Any]) -> str:
    """``Exploration n° 3 « 2026-W48 » du 28/11/2026``."""
    # The label is the operator's, but may hold bidi controls: isolated, so that it cannot
    # reorder the words after it wherever this text is shown.
    label = f" « {inline_isolate(str(run['label']))} »" if run.get("label") else ""
    return f"Exploration n° {run['id']}{label} du {date_fr(run.get('started_at'), False)}"


def site_filename(site_id: str) -> str:
    """A file name for a site page that cannot leave ``sites/`` (ids are checked at seed
    time, but the store may hold anything)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", site_id).strip(".-") or "site"
    if safe != site_id:
        safe += "-" + format(abs(hash_id(site_id)), "x")[:8]
    return safe + ".html"


def hash_id(text: str) -> int:
    """A stable hash (Python's ``hash`` changes between processes)."""
    value = 2166136261
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value
