"""Helpers shared by the contact checks (phone, email, address, opening hours).

schema.org data reaches us in three shapes (``Page.structured``): JSON-LD nodes
(``{"@type": "Organization", "telephone": …}``), extruct microdata items
(``{"type": "https://schema.org/Organization", "properties": {…}}``) and RDFa expanded as
JSON-LD with full IRIs and a flat graph linked by ``@id``. The contact checks only want
"the ``telephone`` values", "the ``PostalAddress`` nodes"…, so :func:`schema_nodes`
flattens the three into one list of :class:`SchemaNode` with local property names
(``telephone``, never ``http://schema.org/telephone``). It is computed once per page and
kept on the page object, because four checks ask for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.page import Page

#: Nesting is shallow in practice; the limit only guards against ``@id`` cycles.
_MAX_DEPTH = 6


@dataclass(slots=True)
class SchemaNode:
    """One schema.org node: its type names and its properties by local name."""

    types: frozenset[str]
    props: dict[str, list[Any]] = field(default_factory=dict)  # values: str or SchemaNode

    def texts(self, name: str) -> list[str]:
        """String values of property ``name`` (nested nodes skipped)."""
        return [v for v in self.props.get(name, ()) if isinstance(v, str) and v.strip()]

    def nodes(self, name: str) -> list[SchemaNode]:
        """Node values of property ``name``."""
        return [v for v in self.props.get(name, ()) if isinstance(v, SchemaNode)]

    @property
    def label(self) -> str:
        """Short type label for evidence snippets (``Organization``)."""
        return "/".join(sorted(self.types)) or "Thing"


def local_name(key: str) -> str | None:
    """``telephone`` for ``telephone``, ``http://schema.org/telephone``, ``schema:telephone``.

    Keys of other vocabularies (``http://ogp.me/ns#title``, XHTML roles) give ``None``: the
    contract only counts schema.org data.
    """
    if key.startswith(("@", "_")):
        return None
    if "://" in key:
        if "schema.org/" not in key:
            return None
        return key.rsplit("/", 1)[-1]
    if ":" in key:
        prefix, _, rest = key.partition(":")
        return rest if prefix == "schema" else None
    return key


def _type_names(raw: Any) -> frozenset[str]:
    values = raw if isinstance(raw, list) else [raw]
    names = set()
    for v in values:
        if isinstance(v, str) and v:
            names.add(re.split(r"[/#:]", v)[-1])
    return frozenset(names)


class _Builder:
    """Turns the three extruct shapes into :class:`SchemaNode` trees, collecting every node."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.by_id = {it["@id"]: it for it in items if it.get("_syntax") == "rdfa" and "@id" in it}
        self.all: list[SchemaNode] = []

    def node(self, item: dict[str, Any], depth: int) -> SchemaNode:
        if "properties" in item and isinstance(item["properties"], dict):  # microdata
            node = SchemaNode(_type_names(item.get("type")))
            raw_props = item["properties"]
        else:  # JSON-LD, or RDFa expanded as JSON-LD
            node = SchemaNode(_type_names(item.get("@type")))
            raw_props = item
        self.all.append(node)
        for key, raw in raw_props.items():
            name = local_name(key)
            if name is None:
                continue
            values = node.props.setdefault(name, [])
            for v in raw if isinstance(raw, list) else [raw]:
                value = self.value(v, depth + 1)
                if value is not None:
                    values.append(value)
        return node

    def value(self, raw: Any, depth: int) -> str | SchemaNode | None:
        if isinstance(raw, bool) or raw is None:
            return None
        if isinstance(raw, (str, int, float)):
            return str(raw)
        if not isinstance(raw, dict) or depth > _MAX_DEPTH:
            return None
        if "@value" in raw:
            return self.value(raw["@value"], depth)
        if set(raw) == {"@id"}:
            target = self.by_id.get(raw["@id"])
            return self.node(target, depth) if target is not None else None
        return self.node(raw, depth)


def schema_nodes(page: Page) -> list[SchemaNode]:
    """Every schema.org node of ``page`` (nested ones included), computed once per page."""
    return page.memo("schema_nodes", _build_schema_nodes)


def _build_schema_nodes(page: Page) -> list[SchemaNode]:
    builder = _Builder(page.structured)
    for item in page.structured:
        builder.node(item, 0)
    return builder.all


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the line of ``text`` holding ``text[start:end]``."""
    stop = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if stop < 0 else stop


def previous_line_start(text: str, line_start: int) -> int:
    """Start of the last non-blank line before the line starting at ``line_start``."""
    pos = line_start - 1
    while pos > 0:
        prev = text.rfind("\n", 0, pos) + 1
        if text[prev:pos].strip():
            return prev
        pos = prev - 1
    return 0


_DIGIT_RUN = re.compile(r"\d+")


def digit_runs(page: Page) -> list[tuple[int, int]]:
    """``(start, end)`` of every run of digits in ``page.text``, computed once per page.

    A full regex pass over a long page costs about half a millisecond in Python; phone
    numbers, postcodes and times all start with a digit, so the three checks share this one
    pass and only run their real patterns (``match`` at a known offset) where it matters.
    """
    return page.memo("digit_runs", lambda p: [m.span() for m in _DIGIT_RUN.finditer(p.text)])
