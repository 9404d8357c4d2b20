"""Link matching shared by the link-based checks (contact, FAQ, mediator, JDMA…).

Most checks of CHECKS.md ask the same question: "is there a link whose label or target says
X?". Answering it well needs the same care every time — labels and targets compared after
case folding and accent stripping, hosts compared with their sub-domains, in-page anchors
told apart from real destinations, social-media buttons set aside — so it lives here once.

A page's links are described once (:func:`link_infos`) and memoised on the page, since
about fourteen checks read them; every keyword pattern is a :class:`Sieve` that first looks
for plain substrings (C speed) and runs its regex only when one is there — a regex made of
many alternatives is slow to scan, and most labels contain none of its words; and a check
hands its sieves and hosts to :func:`links_where`, which tests only the few links holding
one of their words (:func:`candidates`) instead of every link.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import unquote

from checks.page import Link, Page, element_snippet, text_content
from checks.result import CheckResult, Evidence
from checks.text import fold

#: Whether :func:`candidates` pre-selects links (the tests turn it off to prove it exact).
PRESELECT = True

#: Evidence items kept per check: enough to locate the finding, short enough to read.
EVIDENCE_LIMIT = 5

#: Hosts of social networks and messengers: a "Contact" button there is not a contact form.
SOCIAL_HOSTS = frozenset(
    """facebook.com fb.com fb.me m.me messenger.com twitter.com x.com t.co linkedin.com
    instagram.com youtube.com youtu.be tiktok.com whatsapp.com wa.me snapchat.com
    pinterest.com pinterest.fr threads.net bsky.app mastodon.social telegram.me t.me
    dailymotion.com vimeo.com flickr.com""".split()
)

#: Apostrophes people and editors type, all read as "'".
_APOSTROPHES = ("’", "ʼ", "‘", "`", "´")
_SPACES = re.compile(r"\s+")
# scheme ":" ["//" netloc] path ["?" query] ["#" fragment] — RFC 3986 appendix B.
_URL = re.compile(
    r"^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S
)


class Sieve:
    r"""A regex guarded by plain substrings: ``search`` runs the regex only when one is there.

    ``stems`` must be such that any match of ``regex`` contains at least one of them.
    ``word_start`` asks for a match that starts a word; it is checked here rather than
    with a leading ``(?<!\w)`` in the regex, because a pattern that starts with a
    lookbehind loses the regex engine's first-character scan: on a page's whole text it
    is some thirty times slower.
    """

    __slots__ = ("regex", "stems", "word_start")

    def __init__(
        self, regex: re.Pattern[str], stems: Iterable[str], word_start: bool = False
    ) -> None:
        self.regex = regex
        self.stems = _minimal(stems)
        self.word_start = word_start

    def hit(self, text: str) -> bool:
        """Whether a stem occurs in ``text`` (the regex might then match)."""
        # A plain loop: any() over a generator costs about twice as much, on every label.
        for stem in self.stems:  # noqa: SIM110
            if stem in text:
                return True
        return False

    def search(self, text: str) -> re.Match[str] | None:
        if not self.hit(text):
            return None
        if not self.word_start:
            return self.regex.search(text)
        return next(self.finditer(text), None)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if not self.hit(text):
            return iter(())
        matches = self.regex.finditer(text)
        if not self.word_start:
            return matches
        return (m for m in matches if starts_word(text, m.start()))


def starts_word(text: str, start: int) -> bool:
    """True when ``text[start]`` is not preceded by a letter, digit or underscore."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_")


def _minimal(stems: Iterable[str]) -> tuple[str, ...]:
    """Drop the stems that contain another stem: "contact" already finds "contactez"."""
    unique = sorted(set(stems), key=len)
    kept: list[str] = []
    for stem in unique:
        if not any(k in stem for k in kept):
            kept.append(stem)
    return tuple(kept)


def phrase_pattern(*phrases: str, whole_label: bool = False, stems: Iterable[str] = ()) -> Sieve:
    """A :class:`Sieve` matching any of ``phrases`` in folded text, as whole words.

    Phrases are written in plain folded French ("nous ecrire", "centre d'aide"); a space
    matches any run of whitespace or hyphens, a hyphen an optional one, an apostrophe any
    apostrophe followed or not by a space. ``whole_label`` anchors the match to the whole
    (trimmed) label. The stems are each phrase's longest word unless ``stems`` are given
    (worth it when that word is common: "en ligne", "page").
    """
    alternatives = []
    auto_stems = []
    for phrase in phrases:
        bits = []
        for char in phrase:
            if char == " ":
                bits.append(r"[\s\-]+")
            elif char == "'":
                bits.append(r"'\s*")
            elif char == "-":
                bits.append(r"[\s\-]*")
            else:
                bits.append(re.escape(char))
        alternatives.append("".join(bits))
        auto_stems.append(max(re.split(r"[\s'\-]+", phrase), key=len))
    stems = tuple(stems) or tuple(auto_stems)
    body = "|".join(alternatives)
    if whole_label:
        return Sieve(re.compile(rf"^\W*(?:{body})\W*$"), stems)
    return Sieve(re.compile(rf"(?:{body})(?!\w)"), stems, word_start=True)


class LinkInfo(NamedTuple):
    """One link as the checks compare it: folded label, host, folded target path.

    A named tuple, as :class:`~checks.page.Link`: cheap to build a hundred times a page.
    """

    link: Link
    label: str  # folded label, apostrophes unified to "'"
    scheme: str  # "http", "https", "mailto", "tel", "javascript", "" …
    host: str  # lower-case host
    domains: frozenset[str]  # the host and its parent domains, for sub-domain matching
    target: str  # folded, percent-decoded path + "?" + query ("" for non-web links)
    in_page: bool  # only an anchor inside the page, no other destination

    @property
    def href(self) -> str:
        return self.link.href

    @property
    def is_web(self) -> bool:
        return self.scheme in ("http", "https")

    def on(self, domains: frozenset[str]) -> bool:
        """True when the link's host is one of ``domains`` or a sub-domain of one."""
        return not self.domains.isdisjoint(domains)


@dataclass(frozen=True)
class _PageLinks:
    infos: list[LinkInfo]
    labels: str  # every folded label, one per line: one substring test answers for all
    targets: str  # every folded target path (and raw mailto/tel target), one per line
    label_starts: list[int]  # offset of each link's label in ``labels``
    target_starts: list[int]  # offset of each link's target in ``targets``
    by_host: dict[str, tuple[frozenset[str], list[int]]]  # host -> its suffixes, its links


def fold_label(text: str) -> str:
    """Fold ``text`` (lower case, no accents), unify apostrophes, collapse whitespace."""
    folded = fold(text)
    if "  " in folded or "\n" in folded or "\t" in folded:
        folded = _SPACES.sub(" ", folded)
    if not folded.isascii() or "`" in folded:
        folded = _unify_apostrophes(folded)
    return folded.strip()


def _unify_apostrophes(text: str) -> str:
    """Every apostrophe as "'": a C-speed test and replace for each, where a regex
    character class looked at every character (five times the cost on a page's labels)."""
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text


def fold_target(path_and_query: str) -> str:
    """Fold a URL path: percent-decoded, lower case, no accents."""
    if "%" in path_and_query:
        path_and_query = unquote(path_and_query)
    return fold(path_and_query)


def split_url(url: str) -> tuple[str, str, str, str, str]:
    """``(scheme, host, path, query, fragment)``, lower-case scheme and host.

    A regex split (RFC 3986, appendix B) rather than ``urlsplit``: several times faster,
    and it never raises on odd targets, which are then simply not matched.
    """
    match = _URL.match(url)
    if match is None:  # only possible with characters the regex excludes: none
        return "", "", "", "", ""
    scheme, netloc, path, query, fragment = match.groups(default="")
    return scheme.lower(), host_of(netloc), path, query, fragment


def host_of(netloc: str) -> str:
    """The lower-case host of a URL's authority: no user info, no port, no final dot."""
    host = netloc.rpartition("@")[2]
    # Drop the port; an IPv6 literal keeps its brackets (and its colons).
    host = host.partition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
    return host.lower().rstrip(".")


def suffixes(host: str) -> frozenset[str]:
    """``a.b.gouv.fr`` → {``a.b.gouv.fr``, ``b.gouv.fr``, ``gouv.fr``, ``fr``}."""
    parts = host.split(".")
    return frozenset(".".join(parts[i:]) for i in range(len(parts))) if host else frozenset()


def host_in(host: str, domains: frozenset[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a sub-domain of one (``www.`` included)."""
    return not suffixes(host).isdisjoint(domains)


def _page_links(page: Page) -> _PageLinks:
    return page.memo("links_described", _describe_links)


def _describe_links(page: Page) -> _PageLinks:
    page_doc = page.url.split("#", 1)[0]
    domains: dict[str, frozenset[str]] = {}  # most links share a handful of hosts
    infos = [_describe(link, page_doc, page.host, domains) for link in page.links]
    labels = [info.label for info in infos]
    targets = [info.target or info.href.lower() for info in infos]
    by_host: dict[str, tuple[frozenset[str], list[int]]] = {}
    for index, info in enumerate(infos):
        entry = by_host.get(info.host)
        if entry is None:
            entry = by_host[info.host] = (info.domains, [])
        entry[1].append(index)
    return _PageLinks(
        infos, "\n".join(labels), "\n".join(targets), _starts(labels), _starts(targets), by_host
    )


def _starts(parts: list[str]) -> list[int]:
    """Offsets of ``parts`` in ``"\\n".join(parts)``."""
    starts = []
    offset = 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + 1
    return starts


def _holding(text: str, starts: list[int], stems: Iterable[str], into: set[int]) -> None:
    """Add to ``into`` the index of every part of ``text`` (split at ``starts``) holding a stem.

    ``str.find`` runs at C speed over all the parts at once; after a hit the search jumps
    to the next part, so each part costs at most one hit per stem.
    """
    count = len(starts)
    for stem in stems:
        pos = text.find(stem)
        while pos != -1:
            index = bisect_right(starts, pos) - 1
            into.add(index)
            if index + 1 >= count:
                break
            pos = text.find(stem, starts[index + 1])


def candidates(
    page: Page,
    *,
    labels: Iterable[Sieve] = (),
    targets: Iterable[Sieve] = (),
    hosts: Iterable[str] = (),
    host_words: Iterable[str] = (),
) -> list[LinkInfo]:
    """The links that *may* match, in document order: a cheap, exact pre-selection.

    A link is kept when a stem of one of the ``labels`` sieves occurs in its label, a stem
    of one of the ``targets`` sieves in its target (the folded path, or the lower-cased
    ``mailto:``/``tel:`` target), when its host is one of ``hosts`` or a sub-domain of one,
    or when its host contains one of ``host_words``. Every sieve's ``search`` needs its
    stem, so a check whose test is made of these sieves and hosts loses nothing by looking
    at the candidates only; on a page of a hundred links it looks at a handful instead of
    calling its test a hundred times (``tests/test_link_preselection.py`` checks that the
    results are the same).
    """
    described = _page_links(page)
    if not PRESELECT:
        return described.infos
    found: set[int] = set()
    for sieve in labels:
        _holding(described.labels, described.label_starts, sieve.stems, found)
    for sieve in targets:
        _holding(described.targets, described.target_starts, sieve.stems, found)
    domains = frozenset(hosts)
    words = tuple(host_words)
    if domains or words:
        for host, (suffix_set, indices) in described.by_host.items():
            if not suffix_set.isdisjoint(domains) or any(word in host for word in words):
                found.update(indices)
    infos = described.infos
    return [infos[index] for index in sorted(found)]


def link_infos(page: Page) -> list[LinkInfo]:
    """The page's links, described once per page (see the module docstring)."""
    return _page_links(page).infos


def _describe(
    link: Link, page_doc: str, page_host: str, domains: dict[str, frozenset[str]]
) -> LinkInfo:
    """Fold the label and target; tell whether the link is only an in-page anchor.

    An anchor is "in page" when its raw target starts with ``#``, when it is the page's own
    address with a fragment, or a fragment on the site's home (``/#prise-de-rendez-vous``,
    single-page sites): the visitor stays where they are, no booking page is reached.
    ``domains``: each host's :func:`suffixes`, shared by the page's links.
    """
    scheme, host, path, query, fragment = split_url(link.href)
    target = ""
    if scheme in ("http", "https"):
        target = fold_target(path + ("?" + query if query else ""))
    home_anchor = path in ("", "/") and host == page_host
    in_page = link.raw_href.startswith("#") or (
        bool(fragment) and not query and (home_anchor or link.href.split("#", 1)[0] == page_doc)
    )
    host_domains = domains.get(host)
    if host_domains is None:
        host_domains = domains[host] = suffixes(host)
    label = fold_label(link.text)
    return LinkInfo(link, label, scheme, host, host_domains, target, in_page)


def same_site(info: LinkInfo, page: Page) -> bool:
    """True when the link stays on the page's site (same host, ``www.`` or sub-domains).

    Used where only the target path speaks: ``/nous-contacter`` on the site is the site's
    contact page, on defenseurdesdroits.fr it is someone else's.
    """
    a = info.host.removeprefix("www.")
    b = page.host.removeprefix("www.")
    return bool(a) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def links_where(
    page: Page,
    keep: Callable[[LinkInfo], Any],
    *,
    labels: Iterable[Sieve] = (),
    targets: Iterable[Sieve] = (),
    hosts: Iterable[str] = (),
    host_words: Iterable[str] = (),
) -> list[LinkInfo]:
    """The page's links for which ``keep`` is true, in document order.

    With ``labels``, ``targets``, ``hosts`` or ``host_words``, only the
    :func:`candidates` they select are tested: ``keep`` must then be false for any link
    they do not select (it is when ``keep`` is made of those sieves and hosts).
    """
    labels, targets, hosts, host_words = (
        tuple(labels),
        tuple(targets),
        tuple(hosts),
        tuple(host_words),
    )
    if labels or targets or hosts or host_words:
        pool = candidates(page, labels=labels, targets=targets, hosts=hosts, host_words=host_words)
    else:
        pool = link_infos(page)
    return [info for info in pool if keep(info)]


def unique_hrefs(infos: Iterable[LinkInfo]) -> list[str]:
    """Targets in document order, each once."""
    return list(dict.fromkeys(info.href for info in infos))


def link_evidence(page: Page, infos: Iterable[LinkInfo]) -> tuple[Evidence, ...]:
    """Evidence for the first links (one per distinct target), element XPath + markup."""
    evidence: list[Evidence] = []
    seen: set[str] = set()
    for info in infos:
        if info.href in seen:
            continue
        seen.add(info.href)
        evidence.append(page.element_evidence(info.link.element))
        if len(evidence) >= EVIDENCE_LIMIT:
            break
    return tuple(evidence)


def links_result(page: Page, infos: list[LinkInfo], value: Any = None) -> CheckResult:
    """``found`` when ``infos`` is not empty; ``value`` defaults to the distinct targets."""
    if not infos:
        return CheckResult(found=False, value=value)
    return CheckResult(
        found=True,
        value=unique_hrefs(infos) if value is None else value,
        evidence=link_evidence(page, infos),
    )


def headings(page: Page, tags: tuple[str, ...] = ("title", "h1")) -> list[tuple[Any, str]]:
    """The page's ``<title>`` and ``<h1>`` (or ``tags``) elements with their folded text.

    Used to tell whether the page *is* a FAQ, a declaration, a results page: its title
    and main heading say what it is, a passing mention in the body does not.
    """
    found = []
    for el in page.root.iter(*tags):
        text = fold_label(text_content(el))
        if text:
            found.append((el, text))
    return found


def heading_evidence(page: Page, element: Any) -> Evidence:
    """Evidence for a ``<title>``/``<h1>``: XPath and markup."""
    return page.element_evidence(element, element_snippet(element))
