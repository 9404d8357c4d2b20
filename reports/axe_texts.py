"""axe-core's rule texts in French, from axe-core's own ``fr`` locale.

The audit is stored as axe gives it (English machine data: ``help``, ``helpUrl``), and
translated only when shown: each rule's help is looked up by its id in ``locales/fr.json``
of the axe-core version Vigie runs, fetched at set-up (:func:`reports.assets.
fetch_axe_locale`). A rule the locale does not know, or a set-up without the locale,
shows axe's English text, marked ``lang="en"`` so that screen readers say it in English.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@cache
def _load(path: str | None) -> dict[str, dict[str, str]] | None:
    if path is None:
        return None
    try:
        rules = json.loads(Path(path).read_text(encoding="utf-8"))["rules"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("textes français d'axe-core illisibles (%s) : %s", path, exc)
        return None
    return rules if isinstance(rules, dict) else None


def french_rules() -> dict[str, dict[str, str]] | None:
    """Rule id → ``{"help", "description"}`` in French; ``None`` when not set up."""
    from reports.assets import locate_axe_locale

    path = locate_axe_locale()
    return _load(str(path) if path else None)


def rule_help(rule: dict[str, Any]) -> tuple[str, str]:
    """The help of an axe rule as people read it, and its language (``fr`` or ``en``)."""
    texts = (french_rules() or {}).get(str(rule.get("id")))
    if texts and texts.get("help"):
        return texts["help"], "fr"
    return str(rule.get("help") or rule.get("id") or ""), "en"
