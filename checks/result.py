"""The shape every check returns: ``{found, value, evidence}`` (CHECKS.md).

Kept as small frozen dataclasses so that checks stay pure and results are trivially
comparable in tests; ``to_dict`` gives the JSON contract used by ``vigie inspect`` and
the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SNIPPET_MAX = 200


def clip(text: str, limit: int = SNIPPET_MAX) -> str:
    """Collapse whitespace and cut ``text`` to about ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a finding comes from: the page, the element (XPath) and a short snippet."""

    url: str
    xpath: str | None
    snippet: str
    source: str = "html"  # "html" or "structured_data" (schema.org JSON-LD/microdata/RDFa)

    def to_dict(self) -> dict[str, Any]:
        data = {"url": self.url, "xpath": self.xpath, "snippet": clip(self.snippet)}
        if self.source != "html":
            data["source"] = self.source
        return data


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Outcome of one check on one page.

    ``error`` is set when the check could not run (the page failed, the code raised):
    a failed check must never read as "not found".
    """

    found: bool
    value: Any = None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    error: str | None = None

    @property
    def status(self) -> str:
        """``found`` / ``absent`` / ``error``: the findings table's cell."""
        if self.error is not None:
            return "error"
        return "found" if self.found else "absent"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "found": self.found,
            "value": self.value,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if self.error is not None:
            data["error"] = self.error
        return data
