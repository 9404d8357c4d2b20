"""A page's check results in the shape the ``findings`` table stores them.

Computed where the checks run: in an analysis worker, the rows are plain lists, dicts and
strings, which the crawling process unpickles in C; the ``CheckResult`` and ``Evidence``
dataclasses they come from would each be rebuilt there in Python (``__setstate__``), about
seven times the cost, in the reactor's thread (docs/benchmarks.md, issue 17.2).
"""

from __future__ import annotations

from typing import Any


def finding_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows worth storing for one page: found, error, or absent with a value."""
    rows = []
    for check_id, res in results.items():
        if res.error is None and not res.found and res.value in (None, [], {}):
            continue
        rows.append(
            {
                "check_id": check_id,
                "status": res.status,
                "value": res.value,
                "evidence": [e.to_dict() for e in res.evidence] or None,
                "error": res.error,
            }
        )
    return rows
