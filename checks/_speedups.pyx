# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The compiled parts of the page model: :class:`checks.page.Page`'s walk and its helpers.

Sections, in order: the tree walk (base, scripts, structured-data flags, visible text,
text nodes, links and labels), folding and digit runs, the links' rows and descriptions,
the link pre-selection's stem index, and the evidence lookup of a text node's element.

Why compiled code. Issue 2 asks all checks to cost at most three bare lxml parses a page.
Before any check ran, the page model alone — visible text, links and their labels, the
text nodes for evidence, scripts, ``<base>`` — took five separate C passes (two XSLT
transforms, three XPath or ElementPath searches) plus Python work on every element they
returned: 3.2 parses (``docs/benchmarks.md``). This module reads all of it in one walk
over libxml2's nodes, the tree lxml has already built, through lxml's public C API
(``lxml.includes.etreepublic``, the route lxml documents for extensions): no second
parser, no copy of the document, and the same nodes, so the output is the same string
for string. ``checks/page.py`` keeps the lxml-only way as the reference and the fallback;
``tests/test_speedups.py`` compares both on every page of the demo, the real corpus and
edge cases.

Only the struct fields of libxml2's nodes are read (``type``, ``name``, ``children``,
``next``, ``parent``, ``content``, ``properties``): no libxml2 function is called, so
nothing links against the libxml2 inside lxml. Under another lxml version than the one
it was compiled against, ``checks.page`` does not use the walk (it reads lxml's own
structures) and falls back to lxml alone; folding and digit runs, which read only Python
strings, are used all the same.
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, strcmp, strlen, strncmp, strstr

cimport lxml.includes.etreepublic as cetree
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlAttr, xmlNode

cetree.import_lxml__etree()

#: The lxml release whose headers this module was compiled with.
BUILT_WITH_LXML = (<bytes>cetree.LXML_VERSION_STRING).decode()

# -- a growable UTF-8 buffer ------------------------------------------------------------

cdef struct Buffer:
    char* data
    Py_ssize_t size
    Py_ssize_t capacity


cdef int buffer_init(Buffer* b, Py_ssize_t capacity) except -1:
    b.data = <char*>malloc(capacity)
    if b.data == NULL:
        raise MemoryError()
    b.size = 0
    b.capacity = capacity
    return 0


cdef int buffer_add(Buffer* b, const char* s, Py_ssize_t n) except -1:
    cdef Py_ssize_t need = b.size + n
    cdef char* grown
    if need > b.capacity:
        while need > b.capacity:
            b.capacity *= 2
        grown = <char*>realloc(b.data, b.capacity)
        if grown == NULL:
            raise MemoryError()
        b.data = grown
    memcpy(b.data + b.size, s, n)
    b.size = need
    return 0


cdef inline int buffer_add_text(Buffer* b, const tree.xmlChar* s) except -1:
    if s != NULL:
        buffer_add(b, <const char*>s, strlen(<const char*>s))
    return 0


cdef inline str buffer_str(Buffer* b):
    return PyUnicode_DecodeUTF8(b.data, b.size, "strict")


# -- tag names --------------------------------------------------------------------------
# A tag set is kept as its names sorted by first byte, with the range of each first byte:
# a lookup compares the name with the few names sharing its first letter.

cdef struct TagSet:
    const char** names
    int first[257]  # names[first[c]:first[c + 1]] start with the byte c


cdef list _kept = []  # the bytes objects behind the C strings, alive as long as the module


cdef int tagset_init(TagSet* tags, names) except -1:
    encoded = sorted({name.encode("ascii") for name in names})
    _kept.append(encoded)
    tags.names = <const char**>malloc(len(encoded) * sizeof(char*) + 1)
    if tags.names == NULL:
        raise MemoryError()
    cdef int i, c, position = 0
    for i, name in enumerate(encoded):
        tags.names[i] = <const char*>name
    for c in range(257):
        while position < len(encoded) and (<const unsigned char*>tags.names[position])[0] < c:
            position += 1
        tags.first[c] = position
    return 0


cdef inline bint tagset_has(TagSet* tags, const tree.xmlChar* name) noexcept:
    cdef unsigned char c = name[0]
    cdef int i
    for i in range(tags.first[c], tags.first[c + 1]):
        if strcmp(<const char*>name, tags.names[i]) == 0:
            return True
    return False


cdef TagSet BLOCKS
cdef TagSet INVISIBLE
cdef bint configured = False


def configure(blocks, invisible):
    """Set the block and invisible tag names, once (``checks.page`` owns the lists)."""
    global configured
    if configured:
        raise RuntimeError("checks._speedups is already configured")
    tagset_init(&BLOCKS, blocks)
    tagset_init(&INVISIBLE, invisible)
    configured = True


# -- attributes -------------------------------------------------------------------------

cdef xmlAttr* find_attribute(xmlNode* node, const char* name) noexcept:
    """The attribute ``name`` without namespace (what ``@name`` selects), or NULL."""
    cdef xmlAttr* attribute = node.properties
    while attribute != NULL:
        if attribute.ns == NULL and strcmp(<const char*>attribute.name, name) == 0:
            return attribute
        attribute = attribute.next
    return NULL


cdef int add_attribute_value(Buffer* b, xmlAttr* attribute) except -1:
    cdef xmlNode* node
    if attribute != NULL:
        node = attribute.children
        while node != NULL:
            buffer_add_text(b, node.content)
            node = node.next
    return 0


cdef str attribute_value(xmlAttr* attribute):
    cdef Buffer b
    buffer_init(&b, 256)
    try:
        add_attribute_value(&b, attribute)
        return buffer_str(&b)
    finally:
        free(b.data)


#: Flags of :func:`walk`'s ``structured``, each what an XPath of ``checks.page`` answers:
RELEVANT_MICRODATA = 1  # ``_RELEVANT_MICRODATA``: an itemprop naming a property we read…
SCHEMA_RDFA = 2  # ``_SCHEMA_RDFA``: RDFa with the schema.org vocabulary
RELEVANT_RDFA = 4  # ``_RELEVANT_RDFA``: an RDFa property we read, or a PostalAddress

cdef list _relevant_names = []  # RELEVANT_PROPERTIES as bytes (configure_structured)


def configure_structured(names):
    """Set the schema.org properties the checks read (``checks.page.RELEVANT_PROPERTIES``)."""
    _relevant_names[:] = [name.encode("ascii") for name in names]


cdef bint names_relevant(const char* value) noexcept:
    cdef bytes name
    for name in _relevant_names:
        if strstr(value, <const char*>name) != NULL:
            return True
    return False


cdef int structured_attributes(xmlNode* node) except -1:
    """The structured-data flags of ``node``'s attributes (see :data:`RELEVANT_MICRODATA`).

    ``contains(concat(' ', @itemprop, ' '), 'telephone')`` is a substring test on the
    value (no property name holds a space); values are read as XPath reads them, every
    text node of the attribute end to end.
    """
    cdef xmlAttr* attribute = node.properties
    cdef const char* name
    cdef const char* value
    cdef int found = 0
    cdef Buffer joined
    while attribute != NULL:
        name = <const char*>attribute.name
        if attribute.ns == NULL and (name[0] == b"i" or name[0] == b"v" or name[0] == b"t"
                                     or name[0] == b"p"):
            if (strcmp(name, "itemprop") == 0 or strcmp(name, "itemtype") == 0
                    or strcmp(name, "vocab") == 0 or strcmp(name, "typeof") == 0
                    or strcmp(name, "property") == 0):
                buffer_init(&joined, 128)
                try:
                    add_attribute_value(&joined, attribute)
                    buffer_add(&joined, "", 1)  # the terminating NUL
                    value = joined.data
                    if name[0] == b"i":
                        if name[4] == b"p":  # itemprop
                            if names_relevant(value):
                                found |= RELEVANT_MICRODATA
                        elif strstr(value, "PostalAddress") != NULL:  # itemtype
                            found |= RELEVANT_MICRODATA
                    elif name[0] == b"v":  # vocab
                        if strstr(value, "schema.org") != NULL:
                            found |= SCHEMA_RDFA
                    else:  # typeof, property
                        if strncmp(value, "schema:", 7) == 0:
                            found |= SCHEMA_RDFA
                        if (strstr(value, "PostalAddress") != NULL if name[0] == b"t"
                                else names_relevant(value)):
                            found |= RELEVANT_RDFA
                finally:
                    free(joined.data)
        attribute = attribute.next
    return found


cdef inline bint is_text(xmlNode* node) noexcept:
    return node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE


cdef inline bint is_named(xmlNode* node, const char* name) noexcept:
    return node.type == tree.XML_ELEMENT_NODE and strcmp(<const char*>node.name, name) == 0


# -- the visible lines -----------------------------------------------------------------

cdef inline Py_ssize_t space_at(const unsigned char* p, Py_ssize_t n) noexcept:
    """Length of the whitespace character (``str.isspace``) that ``p`` starts with, or 0.

    ``n`` bytes remain. libxml2's text is valid UTF-8. The Unicode spaces: U+0085, U+00A0,
    U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    """
    cdef unsigned char c = p[0]
    if c < 0x80:
        return 1 if (0x09 <= c <= 0x0D or 0x1C <= c <= 0x20) else 0
    if c == 0xC2 and n >= 2:
        return 2 if p[1] == 0x85 or p[1] == 0xA0 else 0
    if n < 3:
        return 0
    if c == 0xE1:
        return 3 if p[1] == 0x9A and p[2] == 0x80 else 0
    if c == 0xE2:
        if p[1] == 0x80:
            return 3 if (0x80 <= p[2] <= 0x8A or p[2] == 0xA8 or p[2] == 0xA9 or p[2] == 0xAF) else 0
        return 3 if p[1] == 0x81 and p[2] == 0x9F else 0
    if c == 0xE3:
        return 3 if p[1] == 0x80 and p[2] == 0x80 else 0
    return 0


cdef int add_replacing_specials(Buffer* out, const unsigned char* data, Py_ssize_t n) except -1:
    """Copy ``n`` bytes of UTF-8, with ``checks.text``'s special characters replaced.

    What ``checks.text._replace_special`` does to a ``str``: no-break, figure and thin
    spaces become a space, non-breaking hyphens a hyphen, the ellipsis three dots,
    zero-width spaces and soft hyphens go. Their UTF-8 forms start with 0xC2 or 0xE2; runs of anything else are copied
    whole.
    """
    cdef Py_ssize_t i = 0, done = 0
    cdef unsigned char c, c1, c2
    cdef const char* replacement
    cdef Py_ssize_t width
    while i < n:
        c = data[i]
        width = 0
        if c == 0xC2 and i + 1 < n:
            c1 = data[i + 1]
            if c1 == 0xA0:
                width, replacement = 2, " "
            elif c1 == 0xAD:
                width, replacement = 2, ""
        elif c == 0xE2 and i + 2 < n and data[i + 1] == 0x80:
            c2 = data[i + 2]
            if c2 == 0xAF or c2 == 0x87 or c2 == 0x89:
                width, replacement = 3, " "
            elif c2 == 0x8B:
                width, replacement = 3, ""
            elif c2 == 0x91 or c2 == 0x90:
                width, replacement = 3, "-"
            elif c2 == 0xA6:  # the ellipsis, as NFKC writes it
                width, replacement = 3, "..."
        if width:
            buffer_add(out, <const char*>data + done, i - done)
            buffer_add(out, replacement, strlen(replacement))
            i += width
            done = i
        else:
            i += 1
    buffer_add(out, <const char*>data + done, n - done)
    return 0


cdef str visible_lines(Buffer* b):
    """The text's lines (split at ``\\n``) stripped, blank ones dropped, joined by ``\\n``.

    Exactly ``"\\n".join(filter(None, map(str.strip, text.split("\\n"))))``, done on the
    UTF-8 bytes before they become a ``str`` (:func:`checks.page._visible_lines`), and
    ``checks.text._replace_special`` applied (:func:`add_replacing_specials`).
    """
    cdef const unsigned char* data = <const unsigned char*>b.data
    cdef Py_ssize_t size = b.size, start = 0, end, stop, last, width
    cdef Buffer out
    buffer_init(&out, size + 1)
    try:
        while start < size:
            stop = start
            while stop < size and data[stop] != 0x0A:
                stop += 1
            end = stop
            while start < end:  # leading spaces
                width = space_at(data + start, end - start)
                if width == 0:
                    break
                start += width
            while end > start:  # trailing spaces: find where the last character starts
                last = end - 1
                while last > start and (data[last] & 0xC0) == 0x80:
                    last -= 1
                if space_at(data + last, end - last) != end - last:
                    break
                end = last
            if end > start:
                if out.size:
                    buffer_add(&out, "\n", 1)
                add_replacing_specials(&out, data + start, end - start)
            start = stop + 1
        return buffer_str(&out)
    finally:
        free(out.data)


# -- a link's label ---------------------------------------------------------------------

cdef int add_label(Buffer* b, xmlNode* link) except -1:
    """What ``checks.page._LINK_LABELS`` writes for one link, separator excluded.

    Its XPath string value (every text node inside it), then `` alt`` of each image inside
    it, then for an ``<area>`` its own `` alt``, then `` aria-label`` and `` title``.
    """
    cdef xmlNode* node
    cdef int pass_
    cdef xmlAttr* alt
    for pass_ in range(2):  # text first, then the images' alternatives
        node = link.children
        while node != NULL:
            if pass_ == 0 and is_text(node):
                buffer_add_text(b, node.content)
            elif pass_ == 1 and is_named(node, "img"):
                alt = find_attribute(node, "alt")
                if alt != NULL:
                    buffer_add(b, " ", 1)
                    add_attribute_value(b, alt)
            if (
                node.type == tree.XML_ELEMENT_NODE
                and node.children != NULL
                and not tagset_has(&INVISIBLE, node.name)  # stripped before labels are read
            ):
                node = node.children
                continue
            while node.next == NULL:
                node = node.parent
                if node == link:
                    break
            if node == link:
                break
            node = node.next
    if strcmp(<const char*>link.name, "area") == 0:
        buffer_add(b, " ", 1)
        add_attribute_value(b, find_attribute(link, "alt"))
    buffer_add(b, " ", 1)
    add_attribute_value(b, find_attribute(link, "aria-label"))
    buffer_add(b, " ", 1)
    add_attribute_value(b, find_attribute(link, "title"))
    return 0


# -- the walk ---------------------------------------------------------------------------

cdef const char* LABEL_END = b"\xef\xb7\x90"  # U+FDD0, as checks.page._LABEL_END


def walk(cetree._Element root):
    """Read one page's tree in a single pass, before its invisible elements are stripped.

    Returns ``(base, scripts, structured, text, nodes, links, hrefs, labels)``:

    * ``base``: the ``href`` of the first ``<base href>`` below ``root``, or None;
    * ``scripts``: every ``<script>`` with a ``src`` or a ``type`` attribute, anywhere;
    * ``structured``: the :data:`RELEVANT_MICRODATA`, :data:`SCHEMA_RDFA` and
      :data:`RELEVANT_RDFA` flags of all elements, what three XPath searches of the whole
      tree answered;
    * ``text``: the visible text as ``checks.page._VISIBLE_TEXT`` writes it once the
      invisible elements and comments are stripped (every text node outside them, a line
      break before and after each block element), its lines stripped and the blank ones
      dropped, the special spaces and hyphens replaced (:func:`visible_lines`);
    * ``nodes``: every text node outside the invisible elements, joined by NUL (what
      ``//text()`` selects once they are stripped);
    * ``links``: every ``<a href>`` and ``<area href>`` outside them, in document order;
      ``hrefs`` their ``href`` as written;
    * ``labels``: their labels as ``checks.page._LINK_LABELS`` writes them, each ended by
      U+FDD0.
    """
    if not configured:
        raise RuntimeError("checks._speedups.configure() was not called")
    cdef cetree._Document document = root._doc
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top
    cdef xmlAttr* attribute
    cdef Buffer text, nodes, labels
    cdef xmlNode* hidden = NULL  # the outermost invisible element the walk is inside
    cdef bint first_node = True
    cdef bint descend
    cdef object base = None
    cdef int structured = 0
    cdef list scripts = []
    cdef list links = []
    cdef list hrefs = []
    buffer_init(&text, 1 << 16)
    buffer_init(&nodes, 1 << 16)
    buffer_init(&labels, 1 << 13)
    try:
        while True:
            descend = False
            if node.type == tree.XML_ELEMENT_NODE:
                descend = node.children != NULL
                if node.properties != NULL:
                    structured |= structured_attributes(node)
                if strcmp(<const char*>node.name, "script") == 0:
                    if find_attribute(node, "src") != NULL or find_attribute(node, "type") != NULL:
                        scripts.append(cetree.elementFactory(document, node))
                elif base is None and node != top and strcmp(<const char*>node.name, "base") == 0:
                    attribute = find_attribute(node, "href")
                    if attribute != NULL:
                        base = attribute_value(attribute)
                if hidden == NULL and tagset_has(&INVISIBLE, node.name):
                    hidden = node
                elif hidden == NULL:
                    if tagset_has(&BLOCKS, node.name):
                        buffer_add(&text, "\n", 1)
                    if is_named(node, "a") or is_named(node, "area"):
                        attribute = find_attribute(node, "href")
                        if attribute != NULL:
                            links.append(cetree.elementFactory(document, node))
                            hrefs.append(attribute_value(attribute))
                            add_label(&labels, node)
                            buffer_add(&labels, LABEL_END, 3)
            elif is_text(node) and hidden == NULL:
                if not first_node:
                    buffer_add(&nodes, "\x00", 1)
                first_node = False
                buffer_add_text(&text, node.content)
                buffer_add_text(&nodes, node.content)
            if descend:
                node = node.children
                continue
            # Leave ``node`` (all of it is read), then each ancestor it was the last child of.
            while True:
                if node == hidden:
                    hidden = NULL
                elif hidden == NULL and node.type == tree.XML_ELEMENT_NODE:
                    if tagset_has(&BLOCKS, node.name):
                        buffer_add(&text, "\n", 1)
                if node == top:
                    return (
                        base,
                        scripts,
                        structured,
                        visible_lines(&text),
                        buffer_str(&nodes),
                        links,
                        hrefs,
                        buffer_str(&labels),
                    )
                if node.next != NULL:
                    node = node.next
                    break
                node = node.parent
    finally:
        free(text.data)
        free(nodes.data)
        free(labels.data)


# -- folding and digit runs -------------------------------------------------------------
# Two passes over a page's whole text that Python does with several C calls each (a
# ``str.replace`` per accented letter, a regex scan making a match object per number).

from cpython.unicode cimport PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND

cdef enum:
    FOLD_TABLE_SIZE = 0x3001  # Latin, Greek, Cyrillic, punctuation, symbols, CJK spaces
cdef Py_UCS4 fold_table[FOLD_TABLE_SIZE]  # folded character, or 0: not one character
cdef object python_fold = None


def configure_fold(fold):
    """Fill the table from the reference ``fold`` (``checks.text``), one character at a time.

    A character is in the table when its folding is one character and does not depend on
    its neighbours (the final sigma does): then folding a text is folding each character.
    Anything else — a combining mark, a character beyond the table — sends the whole text
    to the reference.
    """
    global python_fold
    cdef Py_ssize_t code
    for code in range(FOLD_TABLE_SIZE):
        folded = fold(chr(code))
        fold_table[code] = ord(folded) if len(folded) == 1 and code != 0x3A3 else 0
    python_fold = fold


def fold(str text not None):
    """``checks.text.fold`` in one pass (``tests/test_speedups.py`` compares them)."""
    return fold_c(text)


cdef str fold_c(str text):
    if text.isascii():
        return text.lower()
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 c, folded
    # Output in the input's width: Latin-1 and BMP letters fold within their width.
    cdef void* out = malloc(n * kind + 1)
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c < FOLD_TABLE_SIZE:
                folded = fold_table[c]
                if folded and (kind != 1 or folded < 256):
                    PyUnicode_WRITE(kind, out, i, folded)
                    continue
            return python_fold(text)
        return PyUnicode_FromKindAndData(kind, out, n)
    finally:
        free(out)


def digit_runs(str text not None):
    """``[m.span() for m in re.finditer(r"\\d+", text)]``: every run of decimal digits."""
    cdef list runs = []
    cdef Py_ssize_t n = len(text), i = 0, start
    while i < n:
        if Py_UNICODE_ISDECIMAL(text[i]):
            start = i
            i += 1
            while i < n and Py_UNICODE_ISDECIMAL(text[i]):
                i += 1
            runs.append((start, i))
        else:
            i += 1
    return runs


cdef extern from "Python.h":
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch)


# -- links and their descriptions -------------------------------------------------------
# ``checks.page.Page.links`` and ``checks._links._describe_links`` for a hundred links a
# page: the same steps, with the per-link string work in C. Anything unusual (a target
# ``urljoin`` must resolve, a non-ASCII scheme) goes to the Python reference.

cdef inline bint ascii_alpha(Py_UCS4 c) noexcept:
    return (c >= 97 and c <= 122) or (c >= 65 and c <= 90)


cdef Py_ssize_t scheme_length(str url):
    """Length of ``url``'s scheme (``[A-Za-z][A-Za-z0-9+.-]*`` then ``:``), or 0."""
    cdef Py_ssize_t n = len(url), i = 1
    cdef Py_UCS4 c
    if n == 0 or not ascii_alpha(url[0]):
        return 0
    while i < n:
        c = url[i]
        if c == 58:  # ":"
            return i
        if not (ascii_alpha(c) or (c >= 48 and c <= 57) or c == 43 or c == 46 or c == 45):
            return 0
        i += 1
    return 0


cdef tuple url_parts(str url):
    """``(scheme, netloc, path, query, fragment)`` as written: ``checks._links._URL``."""
    cdef Py_ssize_t n = len(url), i = 0, j
    cdef Py_UCS4 c
    cdef str scheme = "", netloc = "", path, query = "", fragment = ""
    j = scheme_length(url)
    if j:
        scheme = url[:j]
        i = j + 1
    if i + 1 < n and url[i] == 47 and url[i + 1] == 47:  # "//"
        j = i + 2
        while j < n:
            c = url[j]
            if c == 47 or c == 63 or c == 35:  # / ? #
                break
            j += 1
        netloc = url[i + 2 : j]
        i = j
    j = i
    while j < n and url[j] != 63 and url[j] != 35:
        j += 1
    path = url[i:j]
    i = j
    if i < n and url[i] == 63:
        j = i + 1
        while j < n and url[j] != 35:
            j += 1
        query = url[i + 1 : j]
        i = j
    if i < n and url[i] == 35:
        fragment = url[i + 1 :]
    return scheme, netloc, path, query, fragment


cdef bint rewritten(str raw):
    """``checks.page._rewritten``: whether ``urljoin`` would change ``raw`` (not empty)."""
    cdef Py_ssize_t n = len(raw), i
    cdef int kind = PyUnicode_KIND(raw)
    cdef void* data = PyUnicode_DATA(raw)
    cdef Py_UCS4 c, last = PyUnicode_READ(kind, data, n - 1)
    if PyUnicode_READ(kind, data, 0) <= 32 or last <= 32 or last == 63 or last == 35:
        return True
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c <= 63 and (
            c == 9 or c == 10 or c == 13
            or (c == 63 and i + 1 < n and PyUnicode_READ(kind, data, i + 1) == 35)
        ):
            return True
    return False


cdef inline bint has_prefix(str text, str prefix):
    return PyUnicode_Tailmatch(text, prefix, 0, len(text), -1) == 1


cdef inline bint is_web_url(str raw):
    return has_prefix(raw, "http://") or has_prefix(raw, "https://")


cdef str resolve(str raw, str origin, str directory, object resolver, object dot_segment):
    """``checks.page.Resolver.__call__``; ``resolver.join`` for what needs ``urljoin``."""
    cdef Py_UCS4 first
    if raw and not rewritten(raw):
        if is_web_url(raw):
            return raw
        first = raw[0]
        if first == 35 and origin:  # "#…"
            return resolver.in_page(raw)
        if origin and not ((first == 46 or "/." in raw) and dot_segment.search(raw)):
            if first == 47:
                if not has_prefix(raw, "//"):
                    return origin + raw
            elif first != 63 and first != 35 and not scheme_length(raw):
                return directory + raw
    return resolver.join(raw)


_NON_HTTP_SCHEMES = frozenset({"mailto", "tel", "javascript", "data", "callto", "sms"})


def build_links(list elements, list hrefs, list labels, resolver, non_http, dot_segment, Link):
    """``Page.links``' rows: ``Link(href, raw_href, label, element)`` each.

    ``labels``: squashed already (:func:`split_labels`).

    ``non_http``: the reference's regex for targets kept as written, asked only when the
    scheme is not plain ASCII (its case-insensitive match knows "ſ" for "s").
    """
    cdef str origin = resolver.origin, directory = resolver.directory, raw, href
    cdef Py_ssize_t i, colon, n
    cdef list links = []
    new_link = tuple.__new__
    for i in range(len(elements)):
        raw = <str>hrefs[i]
        n = len(raw)
        if n and (Py_UNICODE_ISSPACE(raw[0]) or Py_UNICODE_ISSPACE(raw[n - 1])):
            raw = raw.strip()
        href = None
        if is_web_url(raw) and not rewritten(raw):
            href = raw  # what resolve() gives an absolute web URL, at once
        else:
            colon = PyUnicode_FindChar(raw, 58, 0, len(raw), 1)  # ":"
            if colon > 0:
                scheme = raw[:colon]
                if scheme.isascii():
                    if scheme.lower() in _NON_HTTP_SCHEMES:
                        href = raw
                elif non_http.match(raw):
                    href = raw
            if href is None:
                href = resolve(raw, origin, directory, resolver, dot_segment)
        links.append(new_link(Link, (href, raw, labels[i], elements[i])))
    return links


cdef list starts(list parts):
    """Offsets of ``parts`` in ``"\\n".join(parts)``: ``checks._links._starts``."""
    cdef list offsets = []
    cdef Py_ssize_t offset = 0
    for part in parts:
        offsets.append(offset)
        offset += len(<str>part) + 1
    return offsets


def describe_links(list links, list labels, str page_doc, str page_host, LinkInfo, host_of,
                   suffixes, unquote):
    """``checks._links._describe_links``' parts, from the links and their folded labels.

    Returns ``(infos, domains, targets, by_host, label_starts, target_starts)``, as the
    reference builds them: ``domains`` maps each host, in the order met, to its domains.
    """
    cdef dict hosts = {}, domains = {}, by_host = {}
    cdef list infos = [], targets = []
    cdef str href, raw_href, scheme, netloc, path, query, fragment, host, target
    cdef bint in_page
    cdef Py_ssize_t i
    cdef tuple entry
    for i in range(len(links)):
        link = links[i]
        href = (<tuple>link)[0]  # a Link is a tuple: read in C, not through __getitem__
        raw_href = (<tuple>link)[1]
        scheme, netloc, path, query, fragment = url_parts(href)
        scheme = scheme.lower()
        host = hosts.get(netloc)
        if host is None:
            host = hosts[netloc] = host_of(netloc)
        target = ""
        if scheme == "http" or scheme == "https":
            target = path + "?" + query if query else path
            if "%" in target:
                target = unquote(target)
            target = fold_c(target)
        in_page = raw_href.startswith("#") or (
            len(fragment) > 0
            and len(query) == 0
            and (
                ((len(path) == 0 or path == "/") and host == page_host)
                or href.partition("#")[0] == page_doc
            )
        )
        host_domains = domains.get(host)
        if host_domains is None:
            host_domains = domains[host] = suffixes(host)
        infos.append(
            tuple.__new__(
                LinkInfo, (link, labels[i], scheme, host, host_domains, target, in_page)
            )
        )
        targets.append(target or href.lower())
        entry = by_host.get(host)
        if entry is None:
            entry = by_host[host] = (host_domains, [])
        (<list>entry[1]).append(i)
    return infos, domains, targets, by_host, starts(labels), starts(targets)


# -- evidence ---------------------------------------------------------------------------

def text_node_parent(cetree._Element root, Py_ssize_t index):
    """The element holding the ``index``-th text node (0-based) below ``root``, or None.

    What ``checks.page.Page.element_at`` gets from the XPath ``(//text())[$n]`` and its
    ``getparent()`` (the tail's element's parent for a tail): the node's parent. A walk
    that counts, instead of an XPath building the node-set of every text node each time.
    """
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top.children
    if node == NULL:
        return None
    while True:
        if is_text(node):
            if index == 0:
                return cetree.elementFactory(root._doc, node.parent)
            index -= 1
        if node.type == tree.XML_ELEMENT_NODE and node.children != NULL:
            node = node.children
            continue
        while node.next == NULL:
            node = node.parent
            if node == top:
                return None
        node = node.next


def split_labels(str joined not None, Py_ssize_t count):
    """The links' labels from :func:`walk`'s ``labels`` once normalised: ``count`` of them.

    ``[" ".join(label.split()) for label in joined.split("\\ufdd0")[:-1]]`` in one pass
    (``checks.page.Page.links``), or None when the page's own text held U+FDD0 and the
    labels do not come out ``count``.
    """
    cdef Py_ssize_t n = len(joined), i, size = 0
    cdef Py_UCS4 c
    cdef bint space = False
    cdef list labels = []
    cdef Py_UCS4* out = <Py_UCS4*>malloc(n * sizeof(Py_UCS4) + 4)
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = joined[i]
            if c == 0xFDD0:
                labels.append(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size))
                size = 0
                space = False
            elif Py_UNICODE_ISSPACE(c):
                space = size > 0
            else:
                if space:
                    out[size] = 32
                    size += 1
                    space = False
                out[size] = c
                size += 1
        if size or space or len(labels) != count:  # text after the last separator
            return None
        return labels
    finally:
        free(out)


cdef extern from "Python.h":
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)


# -- the stem index of the link pre-selection -------------------------------------------

cdef class StemIndex:
    """Where each of many short ASCII stems occurs in a text of parts: one pass for all.

    ``checks._links._stem_hits``' scan. Stems are bucketed by their first two characters
    (ASCII, a 128 × 128 table): at each position of the text one table look-up, and a
    comparison for the rare stems starting with the two characters there. Folded labels
    and targets are nearly all ASCII, every stem the checks use is: a generic automaton
    over all of Unicode (pyahocorasick) was three times slower on the same pages. Stems
    that are not ASCII or shorter than two characters are left to the caller (``others``).
    """

    cdef int* head  # bigram -> first stem index, -1 if none
    cdef unsigned char bigrams[2048]  # bit set of 128 × 128: some stem starts with the bigram
    cdef int* chain  # stem index -> next stem with the same bigram, -1 if none
    cdef int* last_part  # stem index -> last part it was found in, during one scan
    cdef list stems
    cdef bytes blob  # the stems' ASCII bytes, end to end
    cdef const unsigned char* chars  # the blob's bytes
    cdef Py_ssize_t* offsets  # stem index -> its first byte in ``chars``; then its end
    cdef readonly tuple others
    cdef readonly int size

    def __cinit__(self, stems):
        self.head = <int*>malloc(128 * 128 * sizeof(int))
        if self.head == NULL:
            raise MemoryError()
        cdef int i
        for i in range(128 * 128):
            self.head[i] = -1
        for i in range(2048):
            self.bigrams[i] = 0
        kept = [s for s in stems if len(s) >= 2 and s.isascii()]
        self.others = tuple(s for s in stems if not (len(s) >= 2 and s.isascii()))
        self.stems = kept
        self.size = len(stems)
        self.chain = <int*>malloc((len(kept) + 1) * sizeof(int))
        self.last_part = <int*>malloc((len(kept) + 1) * sizeof(int))
        self.offsets = <Py_ssize_t*>malloc((len(kept) + 1) * sizeof(Py_ssize_t))
        if self.chain == NULL or self.last_part == NULL or self.offsets == NULL:
            raise MemoryError()
        self.blob = "".join(kept).encode("ascii")
        self.chars = <const unsigned char*>self.blob
        self.offsets[0] = 0
        for i in range(len(kept)):
            self.offsets[i + 1] = self.offsets[i] + len(kept[i])
        cdef int key
        cdef str stem
        for i in range(len(kept) - 1, -1, -1):  # chains in the stems' order
            stem = kept[i]
            key = (<int>ord(stem[0])) * 128 + <int>ord(stem[1])
            self.chain[i] = self.head[key]
            self.head[key] = i
            self.bigrams[key >> 3] |= 1 << (key & 7)

    def __dealloc__(self):
        free(self.head)
        free(self.chain)
        free(self.last_part)
        free(self.offsets)

    def hits(self, str text not None, list starts not None):
        """Stem -> set of the parts (indices into ``starts``) holding it, for found stems.

        ``starts``: the offset of each part in ``text``, increasing, the first 0.
        """
        cdef Py_ssize_t n = len(text), i, j, length, part = 0
        cdef Py_ssize_t parts = len(starts)
        cdef Py_ssize_t next_start
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_UCS4 c1, c2
        cdef int k
        cdef str stem
        cdef dict found = {}
        cdef bint same
        for k in range(len(self.stems)):
            self.last_part[k] = -1
        next_start = starts[1] if parts > 1 else n + 1
        cdef int key
        cdef const unsigned char* bytes_ = <const unsigned char*>data
        c2 = PyUnicode_READ(kind, data, 0) if n else 0
        for i in range(n - 1):
            c1 = c2
            # Folded labels are Latin-1 text nearly always: one byte a character.
            c2 = bytes_[i + 1] if kind == 1 else PyUnicode_READ(kind, data, i + 1)
            if c1 >= 128 or c2 >= 128:
                continue
            key = (<int>c1) * 128 + <int>c2
            if not (self.bigrams[key >> 3] >> (key & 7)) & 1:
                continue
            k = self.head[key]
            while i >= next_start:
                part += 1
                next_start = starts[part + 1] if part + 1 < parts else n + 1
            while k >= 0:
                if self.last_part[k] != part:
                    length = self.offsets[k + 1] - self.offsets[k]
                    if i + length <= n:
                        same = True
                        for j in range(2, length):
                            if PyUnicode_READ(kind, data, i + j) != self.chars[self.offsets[k] + j]:
                                same = False
                                break
                        if same:
                            self.last_part[k] = part
                            stem = <str>self.stems[k]
                            entry = found.get(stem)
                            if entry is None:
                                found[stem] = {part}
                            else:
                                (<set>entry).add(part)
                k = self.chain[k]
        return found


cdef extern from "Python.h":
    Py_ssize_t PyUnicode_Tailmatch(object text, object prefix, Py_ssize_t start, Py_ssize_t end,
                                   int direction) except -1
    Py_ssize_t PyUnicode_FindChar(object text, Py_UCS4 char, Py_ssize_t start, Py_ssize_t end,
                                  int direction) except -2
    void PyUnicode_WRITE(int kind, void* data, Py_ssize_t index, Py_UCS4 value) nogil
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil
