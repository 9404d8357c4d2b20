"""One parsed page, shared by every check.

The page is parsed once with lxml (much faster than BeautifulSoup's html.parser) and read
through lxml's public API — XPath and XSLT, which run in C over the tree lxml has built:

* the whole document is read, or the page is an error: libxml2 stops building the tree
  past a nesting depth and lxml returns what it had, so a page with 300 unclosed
  ``<span>`` before its content would read as empty. The parser is told ``huge_tree``
  (2,048 levels with libxml2 ≥ 2.11, instead of 256), and a page that libxml2 still stops
  reading raises :class:`UnreadablePage`, whose French message becomes the page's
  analysis error: what it shows never reads as absent;
* schema.org structured data (JSON-LD, microdata, RDFa) is extracted with ``extruct`` *only
  when the page holds a property the checks read*, because extruct is slow (its RDFa
  path above all) and most pages have none;
* the sources of ``<script src>`` are kept (the JDMA widget and chat widgets are scripts);
* invisible content is removed (``<script>``, ``<style>``, ``<template>``, ``<noscript>``,
  comments): a person does not see it, so it never counts (docs/data-dictionary.md);
* the visible text is built once, with line breaks at block boundaries;
* the links are read with their targets and labels.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from functools import cached_property
from itertools import accumulate
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree

from checks.result import Evidence, clip
from checks.text import fold, normalize, squash

T = TypeVar("T")

INVISIBLE_TAGS = ("script", "style", "template", "noscript")

# Elements after which a reader sees a line break: text on both sides must not glue.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body br dd details dialog div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol
    option p pre section summary table tbody td tfoot th thead title tr ul button
    label select textarea caption legend iframe img""".split()
)

#: The visible text in one C pass: invisible elements and comments dropped, a line break
#: around each block element (see :func:`_visible_lines`).
_VISIBLE_TEXT = etree.XSLT(
    etree.XML(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text" encoding="UTF-8"/>'
        f'<xsl:template match="{"|".join(INVISIBLE_TAGS)}|comment()"/>'
        f'<xsl:template match="{"|".join(sorted(BLOCK_TAGS))}">'
        "<xsl:text>&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;</xsl:text>"
        "</xsl:template></xsl:stylesheet>"
    )
)
#: Every text node, each a string that knows its element (``getparent``, ``is_tail``).
_TEXT_NODES = etree.XPath("//text()")
_NODE_SEPARATOR = "\x00"  # lxml never keeps NUL in text, so it cannot occur in a node
#: The links of a page, in document order.
_LINKS = etree.XPath("//a[@href] | //area[@href]")
_STRING = etree.XPath("string()", smart_strings=False)
_ALTS = etree.XPath(".//img/@alt", smart_strings=False)
#: Plain lxml elements: ``lxml.html``'s parser looks every element's class up through a
#: Python call each time a proxy is made, a cost paid on every element the checks touch.
#: No table of ``id`` attributes either (nothing looks elements up by id): a faster parse.
#: ``huge_tree`` lifts libxml2's hardening limits: nesting up to 2,048 levels instead of
#: 256 (libxml2 ≥ 2.11), text nodes over 10 MB. They guard entity expansion, which an HTML
#: page does not have; its size is capped by the crawl (``DOWNLOAD_MAXSIZE``).
_PARSER = etree.HTMLParser(collect_ids=False, huge_tree=True)
#: Attributes that label a link (an image map's ``<area>`` is labelled by its ``alt``).
_LABEL_ATTRIBUTES = (("aria-label", "title"), ("alt", "aria-label", "title"))
#: Targets kept as written: they are no web address to resolve against the page.
_NON_HTTP = re.compile(r"(?i)(?:mailto|tel|javascript|data|callto|sms):")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DEPTH_ERROR = re.compile(r"[Ee]xcessive depth in document: (\d+)")
#: The schema.org properties the checks read (phone, email, address, opening_hours).
#: Extraction runs only for a syntax whose markup names one of them: extruct is slow
#: (a millisecond a page and more), and most structured data is breadcrumbs and articles.
RELEVANT_PROPERTIES = (
    "telephone",
    "faxNumber",
    "email",
    "address",
    "streetAddress",
    "PostalAddress",
    "openingHours",
    "openingHoursSpecification",
    "contactPoint",
)
_RELEVANT_JSON = re.compile("|".join(RELEVANT_PROPERTIES))
_RELEVANT_VALUE = " or ".join(f"contains(., '{name}')" for name in RELEVANT_PROPERTIES)
# Each search goes through attributes (``//@itemprop``), not elements (``//*[@itemprop]``):
# libxml2 then tests only the attributes of that name, ten times faster on a page.
#: Microdata naming a property the checks read.
_RELEVANT_MICRODATA = etree.XPath(
    f"boolean(//@itemprop[{_RELEVANT_VALUE}] | //@itemtype[contains(., 'PostalAddress')])"
)
#: RDFa using schema.org: a ``vocab`` naming it, or ``schema:`` CURIEs in typeof/property…
_SCHEMA_RDFA = etree.XPath(
    "boolean(//@vocab[contains(., 'schema.org')] | //@typeof[starts-with(., 'schema:')]"
    " | //@property[starts-with(., 'schema:')])"
)
#: …and naming a property the checks read.
_RELEVANT_RDFA = etree.XPath(
    f"boolean(//@property[{_RELEVANT_VALUE}] | //@typeof[contains(., 'PostalAddress')])"
)


class UnreadablePage(ValueError):
    """The parser stopped before the end of the document: the page is not read in part.

    Its message, in French, is the page's analysis error (``crawler/analysis.py``).
    """


class Link(NamedTuple):
    """An ``<a href>`` (or ``<area href>``) with its absolute target and visible label.

    A named tuple rather than a frozen dataclass: a page has a hundred links, and a tuple
    is built several times faster, immutable all the same.
    """

    href: str  # absolute URL (or the raw ``mailto:``/``tel:``/``javascript:`` target)
    raw_href: str
    text: str  # squashed visible text + img alt + aria-label + title
    element: Any  # lxml element

    @property
    def folded(self) -> str:
        return fold(self.text)


class Page:
    """A parsed HTML page: tree, visible text, links, script sources, structured data."""

    def __init__(self, text: str, url: str) -> None:
        self.url = url
        self.root = _parse(text)
        self.tree = self.root.getroottree()
        # Problems met while reading the page (broken JSON-LD…), reported, never hidden.
        self.problems: list[str] = []
        self.base_url = url
        base = self.root.find(".//base[@href]")
        if base is not None:
            try:
                self.base_url = urljoin(url, base.get("href", "").strip())
            except ValueError as exc:  # ignored, as browsers ignore an invalid base
                self.problems.append(f"balise <base> ignorée : {exc}")
        self.script_srcs: list[tuple[str, dict[str, str]]] = []
        json_ld = []  # the JSON-LD blocks naming a property the checks read
        for script in self.root.iter("script"):
            src = script.get("src")
            if src:
                self.script_srcs.append((resolve(self.base_url, src.strip()), dict(script.attrib)))
            elif _is_relevant_json_ld(script):
                json_ld.append(script)
        self.structured = _structured_items(self.root, self.base_url, self.problems, json_ld)
        etree.strip_elements(self.root, *INVISIBLE_TAGS, etree.Comment, with_tail=False)
        self._memo: dict[str, Any] = {}
        self.text = normalize(_visible_lines(str(_VISIBLE_TEXT(self.root))))

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, body: bytes, url: str, content_type: str | None = None) -> Page:
        """Decode ``body`` the way browsers do (HTTP header, BOM, ``<meta charset>``)."""
        from w3lib.encoding import html_to_unicode

        _, text = html_to_unicode(content_type, body)
        return cls(text, url)

    # -- shared derived views -----------------------------------------------------------

    @cached_property
    def folded(self) -> str:
        """Case-folded, accent-stripped visible text (same offsets as ``text`` for French)."""
        return fold(self.text)

    @cached_property
    def lines(self) -> list[str]:
        """Non-empty visible lines, whitespace squashed."""
        return [line for line in (" ".join(x.split()) for x in self.text.split("\n")) if line]

    @cached_property
    def links(self) -> list[Link]:
        """Every link, its target resolved and its label as :func:`link_label` reads it."""
        links = []
        for a in _LINKS(self.root):
            raw = a.get("href", "").strip()
            # mailto:, tel:, javascript:… are kept as written.
            href = raw if _NON_HTTP.match(raw) else resolve(self.base_url, raw)
            links.append(Link(href, raw, link_label(a), a))
        return links

    @cached_property
    def title(self) -> str:
        t = self.root.find(".//title")
        return squash(text_content(t)) if t is not None else ""

    @cached_property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def memo(self, key: str, build: Callable[[Page], T]) -> T:
        """A derived view of this page, computed once and shared by the checks.

        Checks that share an extraction (``phone`` and ``premium_phone``, the link
        checks' link descriptions) keep it here rather than in a global cache: it lives
        and dies with the page.
        """
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build(self)
            return value

    # -- evidence -----------------------------------------------------------------------

    @cached_property
    def _text_nodes(self) -> tuple[list[Any], str, list[int]]:
        """Every text node of the tree (invisible ones gone), all of them joined by NUL,
        and where each starts in the joined text: one ``str.find`` over it tells which node
        holds a word."""
        nodes = _TEXT_NODES(self.root)
        step = len(_NODE_SEPARATOR)
        starts = list(accumulate((len(node) + step for node in nodes[:-1]), initial=0))
        return nodes, _NODE_SEPARATOR.join(nodes), starts

    @cached_property
    def _needles(self) -> dict[tuple[str, str], _Occurrences]:
        """The scans of :meth:`element_at` so far, by needle: a page of 3,000 phone numbers
        asks for the same needle ("01") 3,000 times, and scanning it from the start each
        time made ``vigie inspect`` of such a page take a minute."""
        return {}

    def _occurrences(self, where: str, needle: str) -> _Occurrences:
        key = (where, needle)
        found = self._needles.get(key)
        if found is None:
            if where == "text":
                found = _Occurrences(self.text, needle)
            else:
                _, joined, starts = self._text_nodes
                found = _Occurrences(joined, needle, starts)
            self._needles[key] = found
        return found

    def element_at(self, start: int, end: int | None = None) -> Any:
        """The element whose text holds ``self.text[start:end]`` (the word at ``start``).

        The longest word of the match is looked for among the tree's text nodes; when
        several hold it, the one of the same rank as the occurrence in the visible text is
        taken (the last one if there are fewer). Text normalisation may make the lookup
        miss (a ligature, a no-break space inside the word): then the element is
        ``<body>``, still a truthful if wide answer.
        """
        if end is None or end <= start:
            end = start
            while end < len(self.text) and not self.text[end].isspace() and end - start < 40:
                end += 1
        words = self.text[start:end].split()
        if not words:
            return self._body
        needle = max(words, key=len)
        rank = self._occurrences("text", needle).before(start + self.text[start:end].find(needle))
        index = self._occurrences("nodes", needle).nth(rank)
        if index is None:
            return self._body
        node = self._text_nodes[0][index]
        element = node.getparent()
        if node.is_tail and element.getparent() is not None:
            element = element.getparent()
        return element

    @cached_property
    def _body(self) -> Any:
        """``<body>``, or the root of a page without one: the widest truthful element."""
        body = self.root.find("body")
        return body if body is not None else self.root

    def xpath_of(self, element: Any) -> str:
        return self.tree.getpath(element)

    def text_evidence(self, start: int, end: int, context: int = 60) -> Evidence:
        """Evidence for ``self.text[start:end]``: XPath of its element, text around it."""
        snippet = self.text[max(0, start - context) : end + context]
        return Evidence(self.url, self.xpath_of(self.element_at(start, end)), clip(snippet))

    def element_evidence(self, element: Any, snippet: str | None = None) -> Evidence:
        """Evidence for an element: its XPath and its markup (or ``snippet``)."""
        if snippet is None:
            snippet = element_snippet(element)
        return Evidence(self.url, self.xpath_of(element), clip(snippet))

    def structured_evidence(self, snippet: str) -> Evidence:
        return Evidence(self.url, None, clip(snippet), source="structured_data")


class _Occurrences:
    """The occurrences of one needle in one text, found as far as they have been asked for.

    Each needle is scanned once whatever the number of matches asking for it, and no
    further than the furthest of them: a word met once costs what one ``str.find`` costs.
    With ``node_starts`` (where each text node starts in the joined text) the occurrences
    are the indexes of the nodes holding the needle, once a node.
    """

    __slots__ = ("found", "haystack", "needle", "next", "node_starts")

    def __init__(self, haystack: str, needle: str, node_starts: list[int] | None = None) -> None:
        self.haystack = haystack
        self.needle = needle
        self.node_starts = node_starts
        self.found: list[int] = []
        self.next = 0  # where the scan goes on; -1 once the haystack is exhausted

    def _advance(self) -> None:
        pos = self.haystack.find(self.needle, self.next)
        if pos == -1:
            self.next = -1
        elif self.node_starts is None:
            self.found.append(pos)
            self.next = pos + len(self.needle)  # non-overlapping, as str.count counts
        else:
            index = bisect_right(self.node_starts, pos) - 1
            self.found.append(index)
            following = index + 1
            self.next = self.node_starts[following] if following < len(self.node_starts) else -1

    def before(self, at: int) -> int:
        """How many occurrences end at or before ``at``: ``haystack.count(needle, 0, at)``."""
        last = at - len(self.needle)
        while self.next != -1 and (not self.found or self.found[-1] <= last):
            self._advance()
        return bisect_right(self.found, last)

    def nth(self, rank: int) -> int | None:
        """The ``rank``-th occurrence (from 0), the last one if fewer, None if none."""
        while self.next != -1 and len(self.found) <= rank:
            self._advance()
        return self.found[min(rank, len(self.found) - 1)] if self.found else None


def resolve(base: str, raw: str) -> str:
    """``urljoin(base, raw)``; a target it cannot parse (a broken IPv6 host) stays as
    written, and then matches nothing."""
    try:
        return urljoin(base, raw)
    except ValueError:
        return raw


def link_label(a: Any) -> str:
    """What a person (or a screen reader) perceives as the link's label: its text, the
    ``alt`` of the images inside it (an image map's ``<area>``: its own ``alt``), its
    ``aria-label`` and ``title``, squashed."""
    bits = [_STRING(a)]
    bits.extend(_ALTS(a))
    for attr in _LABEL_ATTRIBUTES[a.tag == "area"]:
        value = a.get(attr)
        if value:
            bits.append(value)
    return squash(" ".join(bits))


def element_snippet(element: Any) -> str:
    """Opening tag and text of ``element``, at most ~200 characters."""
    attrs = " ".join(f'{k}="{v}"' for k, v in element.attrib.items() if isinstance(k, str))
    tag = element.tag if isinstance(element.tag, str) else "node"
    text = squash(text_content(element)) if isinstance(element.tag, str) else ""
    return clip(f"<{tag}{' ' + attrs if attrs else ''}>{text}")


def text_content(element: Any) -> str:
    """All the text inside ``element`` (``lxml.html``'s ``text_content()``, for any element)."""
    return _STRING(element)


def text_longer_than(element: Any, limit: int) -> bool:
    """Whether ``len(text_content(element)) > limit``, reading no more text than needed.

    The parent of a page's top-level blocks is its ``<body>``: asking whether it is a small
    card must not join the whole page's text once a block.
    """
    total = 0
    for piece in element.itertext():
        total += len(piece)
        if total > limit:
            return True
    return False


def _visible_lines(visible: str) -> str:
    """:data:`_VISIBLE_TEXT`'s output, its lines stripped and the blank ones dropped.

    Blank lines and indentation are 40 % of the visible text on the real corpus (two thirds
    on some pages), made by the source's indentation and the breaks around nested blocks:
    no check reads them, and every full-text scan of every check got that much longer.
    """
    return "\n".join(filter(None, map(str.strip, visible.split("\n"))))


_EMPTY_DOCUMENT = "<html><body></body></html>"


def _parse(text: str) -> Any:
    """Parse a whole document; an empty or unparsable body gives an empty ``<html>``.

    Exactly ``lxml.html.document_fromstring`` but with plain elements and ``huge_tree``
    (see :data:`_PARSER`). Raises :class:`UnreadablePage` when libxml2 stopped before the
    end of the document (a fatal error in its log): lxml would return the part it read.
    """
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses a str declaring its encoding
    if not text or text.isspace():
        text = _EMPTY_DOCUMENT
    try:
        root = etree.fromstring(text, _PARSER)
    except etree.ParserError:  # libxml2 found no element at all
        root = None
    fatal = _PARSER.error_log.filter_from_fatals()
    if fatal:
        raise UnreadablePage(_unread_reason(fatal[0]))
    if root is None:
        root = etree.fromstring(_EMPTY_DOCUMENT, _PARSER)
    return root


def _unread_reason(error: Any) -> str:
    """The French reason of a page libxml2 stopped reading at ``error``."""
    depth = _DEPTH_ERROR.search(error.message)
    if depth:
        levels = f"{int(depth.group(1)):,}".replace(",", "\u202f")
        return (
            f"page illisible : plus de {levels} éléments imbriqués les uns dans les autres "
            f"(ligne {error.line}), au-delà de ce que lit l'analyseur HTML ; la suite de la "
            "page n'a pas été lue"
        )
    return (
        f"page illisible : l'analyseur HTML s'est arrêté ligne {error.line} "
        f"({error.message.strip()}) ; la suite de la page n'a pas été lue"
    )


def _is_relevant_json_ld(script: Any) -> bool:
    """A ``<script type="application/ld+json">`` whose text names a property we read."""
    if script.get("type", "").strip().lower() != "application/ld+json":
        return False
    return bool(_RELEVANT_JSON.search(script.text or ""))


def _structured_items(
    root: Any, base_url: str, problems: list[str], json_ld: list[Any]
) -> list[dict[str, Any]]:
    """schema.org items from JSON-LD, microdata and RDFa, flattened (``@graph`` unrolled).

    Only the syntaxes whose markup names a property the checks read are extracted
    (``RELEVANT_PROPERTIES``): an item without any of them could not change a finding.
    ``json_ld``: the page's relevant JSON-LD blocks.

    Each item gets ``_syntax`` ("json-ld", "microdata", "rdfa"). extruct's extractors take
    the tree we already parsed, so the page is not parsed twice.
    """
    items: list[dict[str, Any]] = []
    if json_ld:
        from extruct.jsonld import JsonLdExtractor

        for script in json_ld:
            # extruct selects ``@type="application/ld+json"`` exactly; browsers and search
            # engines read the MIME type case-insensitively, spaces aside. The tree is
            # ours (scripts are stripped right after): the attribute is written the
            # canonical way.
            script.set("type", "application/ld+json")
            try:
                # One block at a time (the XPath is descendant-or-self): a broken block
                # must not hide the others.
                found = JsonLdExtractor().extract_items(script, base_url)
            except ValueError as exc:
                problems.append(f"JSON-LD illisible : {exc}")
                continue
            for item in found:
                items.extend({**node, "_syntax": "json-ld"} for node in _unroll(item))
    if _RELEVANT_MICRODATA(root):
        from extruct.w3cmicrodata import MicrodataExtractor

        for item in MicrodataExtractor().extract_items(root, base_url):
            items.append({**item, "_syntax": "microdata"})
    # RDFa only with the schema.org vocabulary: Drupal, common on administration sites,
    # marks every page up with foaf/sioc RDFa that says nothing we look for, and the RDFa
    # parser is by far the slowest extractor.
    if _SCHEMA_RDFA(root) and _RELEVANT_RDFA(root):
        from extruct.rdfa import RDFaExtractor
        from extruct.utils import parse_xmldom_html

        # pyRdfa walks an xml.dom-like tree (``documentElement``…), which only extruct's
        # XmlDomHTMLParser builds: re-parse the markup with it, on these rare pages only.
        dom = parse_xmldom_html(etree.tostring(root, encoding="unicode", method="html"), "UTF-8")
        rdfa = [
            {**item, "_syntax": "rdfa"} for item in RDFaExtractor().extract_items(dom, base_url)
        ]
        items.extend(sorted(rdfa, key=_without_blank_nodes))
    return items


_BLANK_NODE = re.compile(r"_:N[0-9a-f]+")


def _without_blank_nodes(item: dict[str, Any]) -> str:
    """An RDFa item written with its blank nodes unnamed: the key that orders them.

    rdflib names blank nodes at random and lists a graph in the order of their names, so
    that the items of one page came out in another order at each extraction (and a check
    taking the first address could change its value from one crawl to the next).
    """
    return _BLANK_NODE.sub("_:", json.dumps(item, sort_keys=True, default=str))


def _unroll(item: Any) -> list[dict[str, Any]]:
    if isinstance(item, list):
        return [n for sub in item for n in _unroll(sub)]
    if not isinstance(item, dict):
        return []
    if "@graph" in item:
        return _unroll(item["@graph"])
    return [item]
