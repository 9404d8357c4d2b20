"""One parsed page, shared by every check.

The page is parsed once with lxml (much faster than BeautifulSoup's html.parser) and read
through lxml's public API (XPath, XSLT):

* schema.org structured data (JSON-LD, microdata, RDFa) is extracted with ``extruct`` *only
  when the page holds a property the checks read*, because extruct is slow (its RDFa
  path above all) and most pages have none;
* the sources of ``<script src>`` are kept (the JDMA widget and chat widgets are scripts);
* invisible content is removed (``<script>``, ``<style>``, ``<template>``, ``<noscript>``,
  comments): a person does not see it, so it never counts (CHECKS.md);
* the visible text is built once, with line breaks at block boundaries, and the text nodes
  are kept so that a match in the text can give its element's XPath as evidence;
* the links are read with their targets and labels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property
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
#: Every text node, as plain strings (no back-references: much cheaper to build)…
_TEXT_NODES = etree.XPath("//text()", smart_strings=False)
#: …and the n-th one (1-based) with its parent, once the right one is known.
_NTH_TEXT_NODE = etree.XPath("(//text())[$n]")
_NODE_SEPARATOR = "\x00"  # lxml never keeps NUL in text, so it cannot occur in a node
#: The links of a page, in document order: :data:`_LINKS` and :data:`_LINK_LABELS` must
#: select the same elements in the same order (labels are matched to links by position).
_LINK_SELECT = "//a[@href] | //area[@href]"
_LINKS = etree.XPath(_LINK_SELECT)
_STRING = etree.XPath("string()", smart_strings=False)
#: Plain lxml elements: ``lxml.html``'s parser looks every element's class up through a
#: Python call each time a proxy is made, a cost paid on every element the checks touch.
#: No table of ``id`` attributes either (nothing looks elements up by id): a faster parse.
_PARSER = etree.HTMLParser(collect_ids=False)
#: The same, reading UTF-8 whatever the page's ``<meta charset>`` says (the text is decoded
#: already). A page is parsed from its text encoded in UTF-8: libxml2 reads UTF-8 natively,
#: while lxml hands it a ``str`` through iconv: 9 % faster, encoding included, and the
#: same tree.
_UTF8_PARSER = etree.HTMLParser(collect_ids=False, encoding="utf-8")
_ALTS = etree.XPath(".//img/@alt")
#: Ends each link's label in :data:`_LINK_LABELS`' output: a Unicode noncharacter, allowed
#: in XML text but never meant to be in a document (a page holding one is read the slow way).
_LABEL_END = "\ufdd0"
#: Every link's raw label in one C pass, in document order (the order of :data:`_LINKS`):
#: its text, the ``alt`` of the images inside it, then for an image map's ``<area>`` its
#: ``alt``, and the ``aria-label`` and ``title`` — what :func:`link_label` reads for one link.
_LINK_LABELS = etree.XSLT(
    etree.XML(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text" encoding="UTF-8"/>'
        f'<xsl:template match="/"><xsl:for-each select="{_LINK_SELECT}">'
        '<xsl:value-of select="."/>'
        '<xsl:for-each select=".//img/@alt"><xsl:text> </xsl:text><xsl:value-of select="."/>'
        "</xsl:for-each>"
        '<xsl:if test="self::area"><xsl:text> </xsl:text><xsl:value-of select="@alt"/></xsl:if>'
        '<xsl:text> </xsl:text><xsl:value-of select="@aria-label"/>'
        '<xsl:text> </xsl:text><xsl:value-of select="@title"/>'
        f"<xsl:text>{_LABEL_END}</xsl:text></xsl:for-each></xsl:template></xsl:stylesheet>"
    )
)
#: Attributes that label a link (an image map's ``<area>`` is labelled by its ``alt``).
_LABEL_ATTRIBUTES = (("aria-label", "title"), ("alt", "aria-label", "title"))
_NON_HTTP = re.compile(r"(?i)(?:mailto|tel|javascript|data|callto|sms):")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:[/?#]|$)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: RDFa using schema.org: a ``vocab`` naming it, or ``schema:`` CURIEs in typeof/property.
_SCHEMA_RDFA = etree.XPath(
    "boolean(//*[contains(@vocab, 'schema.org') or starts-with(@typeof, 'schema:')"
    " or starts-with(@property, 'schema:')])"
)
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


def _attribute_holding(attribute: str, words: str, start: bool = False) -> re.Pattern[str]:
    """Regex: ``attribute`` whose value (any quoting) holds (or starts with) ``words``.

    The pattern starts with the attribute's name as a literal, which the regex engine
    finds with a fast substring scan: no ``\\b`` before it, no ``re.IGNORECASE`` (either
    would make it try every position of the page, twenty times slower).
    """
    double, single, bare = ("", "", "") if start else ('[^"]*?', "[^']*?", "[^\\s\"'>=]*?")
    return re.compile(rf"""{attribute}\s*=\s*(?:"{double}|'{single}|{bare})(?:{words})""")


#: Raw-markup gates for the tree searches below: a page whose HTML has no such attribute
#: cannot have the markup they look for, and a scan of the text is many times cheaper than
#: an XPath visiting every element (``tests/test_structured_gates.py`` compares them). The
#: XPath stays the judge; only attribute names not written in lower case (``ITEMPROP=``,
#: virtually never seen) or values written with character references would slip through.
#: Each gate: a substring every match holds, whether the regex starts with it (then it is
#: searched from that substring's first place on, not from the top again), the regex.
_Gate = tuple[str, bool, re.Pattern[str]]
_MICRODATA_GATES: tuple[_Gate, ...] = (
    ("itemprop", True, _attribute_holding("itemprop", "|".join(RELEVANT_PROPERTIES))),
    ("itemtype", True, _attribute_holding("itemtype", "PostalAddress")),
)
_SCHEMA_RDFA_GATES: tuple[_Gate, ...] = (
    ("vocab", True, _attribute_holding("vocab", r"schema\.org")),
    # A CURIE value is rare: one scan for it spares the two attribute searches.
    ("schema:", False, _attribute_holding("typeof", "schema:", start=True)),
    ("schema:", False, _attribute_holding("property", "schema:", start=True)),
)


def _gate_open(markup: str, gates: tuple[_Gate, ...]) -> bool:
    """Whether one of ``gates`` matches ``markup``, each substring looked for once.

    A page's HTML is scanned a handful of times at most: on a 100 KB page each full scan
    costs about a tenth of its parse.
    """
    first: dict[str, int] = {}
    for word, starts_with_word, regex in gates:
        pos = first.get(word)
        if pos is None:
            pos = first[word] = markup.find(word)
        if pos != -1 and regex.search(markup, pos if starts_with_word else 0):
            return True
    return False


_RELEVANT_ATTR = " or ".join(
    f"contains(concat(' ', @{{attr}}, ' '), '{name}')" for name in RELEVANT_PROPERTIES
)
_RELEVANT_MICRODATA = etree.XPath(
    f"boolean(//*[@itemprop][{_RELEVANT_ATTR.format(attr='itemprop')}]"
    f" | //*[@itemtype][contains(@itemtype, 'PostalAddress')])"
)
_RELEVANT_RDFA = etree.XPath(
    f"boolean(//*[@property][{_RELEVANT_ATTR.format(attr='property')}]"
    f" | //*[@typeof][contains(@typeof, 'PostalAddress')])"
)


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
        base = self.root.find(".//base[@href]")
        base_href = None if base is None else base.get("href", "")
        self.base_url = self.url if base_href is None else urljoin(self.url, base_href.strip())
        resolve = Resolver(self.base_url)
        self.script_srcs: list[tuple[str, dict[str, str]]] = []
        json_ld = []  # the JSON-LD blocks naming a property the checks read
        for script in self.root.iter("script"):
            attrs = script.attrib
            src = attrs.get("src")
            if src:
                self.script_srcs.append((resolve(src.strip()), dict(attrs)))
            elif "type" in attrs and _is_relevant_json_ld(script):
                json_ld.append(script)
        # Problems met while reading the page (broken JSON-LD…), reported, never hidden.
        self.problems: list[str] = []
        self.structured: list[dict[str, Any]] = []
        # Microdata needs "itemprop" in the markup, schema.org RDFa the word "schema": two
        # C-speed tests on the raw HTML spare most pages the tree searches.
        if json_ld or "itemprop" in text or "schema" in text:
            self.structured = _structured_items(
                self.root, self.base_url, self.problems, text, json_ld
            )
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
        """Every link, its target resolved and its label as :func:`link_label` reads it.

        Built for the whole page at once: every label is written by one pass in C
        (:data:`_LINK_LABELS`) rather than one XPath call per link, and normalised in one
        pass; ``tests/test_page_links.py`` compares them with :func:`link_label`.
        """
        elements = _LINKS(self.root)
        if not elements:
            return []
        hrefs = [a.attrib["href"] for a in elements]
        written = normalize(str(_LINK_LABELS(self.root)))
        resolve = Resolver(self.base_url)
        labels = written.split(_LABEL_END)
        labels.pop()  # what follows the last label: nothing
        if len(labels) != len(elements):  # the page's own text holds the separator
            labels = [normalize(link_label(a)) for a in elements]
        new_link = tuple.__new__  # the named tuple's own __new__ is a Python function
        links = []
        for a, written_href, label in zip(elements, hrefs, labels, strict=True):
            raw = written_href.strip()
            # mailto:, tel:, javascript:… are kept as written.
            href = raw if ":" in raw and _NON_HTTP.match(raw) else resolve(raw)
            links.append(new_link(Link, (href, raw, " ".join(label.split()), a)))
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
    def _text_nodes(self) -> str:
        """Every text node of the tree, joined by NUL: searched by :meth:`element_at`."""
        return _NODE_SEPARATOR.join(_TEXT_NODES(self.root))

    def element_at(self, start: int, end: int | None = None) -> Any:
        """The element whose text holds ``self.text[start:end]`` (the word at ``start``).

        The longest word of the match is looked up among the tree's text nodes (one
        ``str.find`` over all of them, joined once per page); when several nodes hold it,
        the one of the same rank as the occurrence in the visible text is taken. Text
        normalisation may make the lookup miss (a ligature, a no-break space inside the
        word): then the element is ``<body>``, still a truthful if wide answer.
        """
        if end is None or end <= start:
            end = start
            while end < len(self.text) and not self.text[end].isspace() and end - start < 40:
                end += 1
        words = self.text[start:end].split()
        if not words:
            return self._body
        needle = max(words, key=len)
        rank = self.text.count(needle, 0, start + self.text[start:end].find(needle))
        index = self._node_holding(needle, rank)
        if index is None:
            return self._body
        node = _NTH_TEXT_NODE(self.root, n=index + 1)[0]
        element = node.getparent()
        if node.is_tail and element.getparent() is not None:
            element = element.getparent()
        return element

    @cached_property
    def _body(self) -> Any:
        """``<body>``, or the root of a page without one: the widest truthful element."""
        body = self.root.find("body")
        return body if body is not None else self.root

    def _node_holding(self, needle: str, rank: int) -> int | None:
        """Index of the ``rank``-th text node holding ``needle`` (the last one if fewer)."""
        joined = self._text_nodes
        found = None
        pos = joined.find(needle)
        while pos != -1:
            found = joined.count(_NODE_SEPARATOR, 0, pos)
            if rank == 0:
                break
            rank -= 1
            next_node = joined.find(_NODE_SEPARATOR, pos)
            if next_node == -1:
                break
            pos = joined.find(needle, next_node + 1)
        return found

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


class Resolver:
    """``urljoin(base, href)`` with fast paths for the forms most links take.

    A page has a hundred links and ``urljoin`` parses both URLs each time; most targets are
    absolute, root-relative or a plain relative path, which a concatenation resolves
    exactly, and a fragment-only one is the page's address with it. Anything else (dot
    segments, query-only, scheme-relative, another scheme) goes to ``urljoin``;
    ``tests/test_page_links.py`` compares the two.
    """

    __slots__ = ("base", "directory", "origin", "page")

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        path = parts.path or "/"
        self.directory = self.origin + path[: path.rfind("/") + 1]
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.origin = self.directory = ""  # no fast path on an odd base
        self.page: str | None = None  # the base without its fragment, once asked for

    def in_page(self, raw: str) -> str:
        """A fragment-only target (``#contenu``, not rewritten) on a web base.

        ``urljoin`` keeps the base but its fragment and appends ``raw``: the base without
        its fragment is ``urljoin(base, "#")``, asked once a page (skip links are on every
        page, and ``urljoin`` is slow).
        """
        if self.page is None:
            self.page = urljoin(self.base, "#")
        return self.page + raw

    def __call__(self, raw: str) -> str:
        if raw and not _rewritten(raw):
            if raw.startswith(("http://", "https://")):
                return raw
            if raw[0] == "#" and self.origin:
                return self.in_page(raw)
            if self.origin and not ((raw[0] == "." or "/." in raw) and _DOT_SEGMENT.search(raw)):
                if raw[0] == "/":
                    if not raw.startswith("//"):
                        return self.origin + raw
                elif raw[0] not in "?#" and not (":" in raw and _SCHEME.match(raw)):
                    return self.directory + raw
        return self.join(raw)

    def join(self, raw: str) -> str:
        """``urljoin``, for the targets no fast path resolves."""
        try:
            return urljoin(self.base, raw)
        except ValueError:  # an invalid IPv6 host: kept as written, matched by nothing
            return raw


def _rewritten(raw: str) -> bool:
    """Whether ``urljoin`` would change ``raw`` even if absolute (``raw`` not empty).

    ``urlsplit`` removes tabs and line breaks and strips outer control characters and
    spaces; ``urlunsplit`` drops an empty query or fragment. Plain string tests, cheaper
    than one regex search for every link of every page.
    """
    return (
        raw[0] <= " "
        or raw[-1] <= " "
        or raw[-1] in "?#"
        or "?#" in raw
        or "\t" in raw
        or "\n" in raw
        or "\r" in raw
    )


def link_label(a: Any) -> str:
    """What a person (or a screen reader) perceives as the link's label."""
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


def _visible_lines(visible: str) -> str:
    """:data:`_VISIBLE_TEXT`'s output, its lines stripped and the blank ones dropped.

    Blank lines and indentation are 40 % of the visible text on the real corpus (two thirds
    on some pages), made by the source's indentation and the breaks around nested blocks:
    no check reads them, and every full-text scan of every check got that much longer.
    Offsets into the markup are not kept: :meth:`Page.element_at` finds a match's element
    again by searching the text nodes, which only evidence needs.
    """
    return "\n".join(filter(None, map(str.strip, visible.split("\n"))))


_EMPTY_DOCUMENT = "<html><body></body></html>"


def _parse(text: str) -> Any:
    """Parse a whole document; an empty or unparsable body gives an empty ``<html>``.

    Exactly ``lxml.html.document_fromstring`` but with plain elements (see ``_PARSER``).
    """
    text = _XML_DECL.sub("", text, count=1)
    if not text or text.isspace():
        text = _EMPTY_DOCUMENT
    try:
        root = etree.fromstring(text.encode("utf-8"), _UTF8_PARSER)
    except UnicodeEncodeError:  # a lone surrogate: lxml reads the str its own way
        root = etree.fromstring(text, _PARSER)
    except etree.ParserError:
        root = None
    if root is None:  # libxml2 found no element at all
        root = etree.fromstring(_EMPTY_DOCUMENT, _PARSER)
    return root


def _is_relevant_json_ld(script: Any) -> bool:
    """A ``<script type="application/ld+json">`` whose text names a property we read."""
    if script.get("type", "").strip().lower() != "application/ld+json":
        return False
    return bool(_RELEVANT_JSON.search(script.text or ""))


def _structured_items(
    root: Any,
    base_url: str,
    problems: list[str],
    markup: str = "",
    json_ld: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """schema.org items from JSON-LD, microdata and RDFa, flattened (``@graph`` unrolled).

    Only the syntaxes whose markup names a property the checks read are extracted
    (``RELEVANT_PROPERTIES``): an item without any of them could not change a finding.
    ``markup`` is the page's HTML: a syntax whose attribute never occurs in it is skipped
    without searching the tree. ``json_ld``: the relevant JSON-LD blocks, when the caller
    has already found them.

    Each item gets ``_syntax`` ("json-ld", "microdata", "rdfa"). extruct's extractors take
    the tree we already parsed, so the page is not parsed twice.
    """
    from extruct.jsonld import JsonLdExtractor
    from extruct.w3cmicrodata import MicrodataExtractor

    items: list[dict[str, Any]] = []
    if json_ld is None:
        json_ld = [s for s in root.iter("script") if _is_relevant_json_ld(s)]
    for script in json_ld:
        # extruct selects ``@type="application/ld+json"`` exactly; browsers and search
        # engines read the MIME type case-insensitively, spaces aside. The tree is ours
        # (scripts are stripped right after), so the attribute is written the canonical way.
        script.set("type", "application/ld+json")
        try:
            # One block at a time (the XPath is descendant-or-self): a broken block must
            # not hide the others.
            found = JsonLdExtractor().extract_items(script, base_url)
        except ValueError as exc:
            problems.append(f"JSON-LD illisible : {exc}")
            continue
        for item in found:
            items.extend({**node, "_syntax": "json-ld"} for node in _unroll(item))
    microdata = _gate_open(markup, _MICRODATA_GATES) and bool(_RELEVANT_MICRODATA(root))
    rdfa = (
        _gate_open(markup, _SCHEMA_RDFA_GATES)
        and bool(_SCHEMA_RDFA(root))
        and bool(_RELEVANT_RDFA(root))
    )
    if microdata:
        for item in MicrodataExtractor().extract_items(root, base_url):
            items.append({**item, "_syntax": "microdata"})
    # RDFa only with the schema.org vocabulary: Drupal, common on administration sites,
    # marks every page up with foaf/sioc RDFa that says nothing we look for, and the RDFa
    # parser is by far the slowest extractor.
    if rdfa:
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
