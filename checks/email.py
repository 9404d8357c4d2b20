"""``email``: a contact e-mail address shown to users (CHECKS.md, engagement 2).

Four sources: ``mailto:`` links that carry an address (a share link ``mailto:?subject=…``
carries none), addresses written in the visible text, including the usual anti-spam
spellings (``contact [at] x.fr``, ``contact(at)x(dot)fr``, ``contact @ x.fr``,
``[arobase]``), schema.org ``email``, and message forms whose ``action`` is ``mailto:``
(the browser sends the message by e-mail to that address: ``contact_form`` does not count
them). Scripts and JSON blobs are already out of
``page.text``, so addresses that only live there never count. ``logo@2x.png`` has the
shape of an address but names an image: file extensions are not top-level domains here.

Value: list of ``{"address", "purpose"}``, one per distinct address (lower-cased);
``purpose`` is a label (``"contact"``, ``"accessibilité"``, ``"données personnelles"``,
``"presse"``…) or null; else ``None`` (and on error).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from checks._contact import line_bounds, schema_nodes
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult, Evidence

_H = r"[ \t]*"  # horizontal space only: an address never spans lines
_DOT = rf"(?:\.|{_H}[\[\(\{{]{_H}(?:dot|point){_H}[\]\)\}}]{_H})"
_LABEL_PART = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# An address is found from its "@" (or "[at]", "(arobase)"…): cheap to find with
# ``str.find``, whereas a pattern that starts with the local part would be tried at every
# letter of the page. The local part is then read backwards, the domain forwards.
_AT_OBFUSCATED = re.compile(r"[\[\(\{][ \t]*(?:at|arobase|@)[ \t]*[\]\)\}]")
# A literal-led pattern is fast to search (a single pass of the regex engine's prefix
# search); the full obfuscation pattern only runs on pages where this one matched.
_OBFUSCATION_HINT = re.compile(r"a(?:t[ \t]*[\]\)\}]|robase)")
_LOCAL_BEFORE = re.compile(r"(?<![\w.+-])(?P<local>[a-z0-9][a-z0-9._%+-]{0,63})[ \t]*$", re.I)
_DOMAIN_AFTER = re.compile(
    rf"{_H}(?P<domain>{_LABEL_PART}(?:{_DOT}{_LABEL_PART})*{_DOT}[a-z]{{2,24}})(?![\w-])",
    re.I,
)
_LOCAL_WINDOW = 72
_DOT_WORD = re.compile(rf"{_DOT}", re.I)
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\.[a-z]{2,24}$"
)
# Extensions of files that look like addresses (logo@2x.png, icon@3x.webp).
_FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp avif ico bmp tif tiff css js mjs json map pdf woff woff2 ttf"
    " eot mp4 webm mp3 html htm php xml txt zip".split()
)
# Placeholder domains of forms and examples ("prenom.nom@domaine.fr").
_PLACEHOLDER_DOMAINS = re.compile(r"^(?:example|exemple|domaine|domain|votre-?domaine)\.")

_PURPOSES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<![a-z])(?:{pattern})(?![a-z])"), purpose)
    for pattern, purpose in (
        (r"accessibilite|handicap", "accessibilité"),
        (r"dpo|donnees personnelles|rgpd|protection des donnees|cnil", "données personnelles"),
        (r"presse|media", "presse"),
        (r"recrutement|candidature|emploi|rh|ressources humaines", "recrutement"),
        (r"support|assistance|aide|bug", "support"),
        (r"secretariat", "secrétariat"),
        (r"accueil", "accueil"),
        (r"mairie", "mairie"),
        (r"webmaster|webmestre|site", "webmestre"),
        (r"contact|contacter|ecrire|ecrivez|courriel|e-mail|email|mail|mel", "contact"),
    )
)
_CONTEXT = 80


def _clean(local: str, domain: str) -> str | None:
    """The address in lower case, or None if it is a file name or a placeholder."""
    domain = _DOT_WORD.sub(".", domain).lower()
    address = f"{local.lower()}@{domain}"
    if not _PLAIN_EMAIL.match(address):
        return None
    if domain.rsplit(".", 1)[-1] in _FILE_EXTENSIONS or _PLACEHOLDER_DOMAINS.match(domain):
        return None
    return address


def _purpose(address: str, folded: str) -> str | None:
    """Purpose of ``address``: what its local part says (``dpo@``, ``accessibilite@``), else
    the specific keyword closest to it in ``folded`` (its label), else a generic "contact".
    """
    local = address.split("@", 1)[0].replace(".", " ").replace("-", " ").replace("_", " ")
    for pattern, purpose in _PURPOSES[:-1]:
        if pattern.search(local):
            return purpose
    best: tuple[int, str] | None = None
    for pattern, purpose in _PURPOSES[:-1]:
        for m in pattern.finditer(folded):
            if best is None or m.end() > best[0]:
                best = (m.end(), purpose)
    if best is not None:
        return best[1]
    return "contact" if _PURPOSES[-1][0].search(folded) else None


def _at_signs(text: str, folded: str) -> list[tuple[int, int]]:
    """Spans of every "@" and obfuscated "at" ("[at]", "(arobase)") of the text, in order."""
    spans: list[tuple[int, int]] = []
    if _OBFUSCATION_HINT.search(folded):
        spans = [m.span() for m in _AT_OBFUSCATED.finditer(folded) if "@" not in m.group()]
    pos = text.find("@")
    while pos >= 0:
        # "[@]" / "( @ )" is one anchor; a bare "@" is its own.
        bracketed = _AT_OBFUSCATED.search(folded, max(0, pos - 3), pos + 4)
        spans.append(bracketed.span() if bracketed else (pos, pos + 1))
        pos = text.find("@", pos + 1)
    spans.sort()
    return spans


def extract_emails(page: Page) -> list[tuple[dict[str, Any], Evidence]]:
    """Every distinct address of ``page`` with its purpose and first evidence."""
    found: dict[str, tuple[dict[str, Any], Evidence]] = {}

    def add(address: str, purpose: str | None, evidence: Evidence) -> None:
        known = found.get(address)
        if known is None:
            found[address] = ({"address": address, "purpose": purpose}, evidence)
        elif known[0]["purpose"] is None:
            known[0]["purpose"] = purpose

    text, folded = page.text, page.folded
    last_end = 0  # labels before the previous address belong to it
    for at_start, at_end in _at_signs(text, folded):
        local_m = _LOCAL_BEFORE.search(text, max(0, at_start - _LOCAL_WINDOW), at_start)
        domain_m = _DOMAIN_AFTER.match(text, at_end)
        if local_m is None or domain_m is None:
            continue
        address = _clean(local_m.group("local"), domain_m.group("domain"))
        if address is None:
            continue
        start, end = local_m.start("local"), domain_m.end()
        line_start, _ = line_bounds(text, start, end)
        lo = max(line_start - 1, start - _CONTEXT, last_end, 0)
        add(
            address,
            _purpose(address, folded[lo:start]),
            page.text_evidence(start, end),
        )
        last_end = end

    for link in page.links:
        if not link.raw_href.lower().startswith("mailto:"):
            continue
        targets = unquote(link.raw_href[7:]).split("?", 1)[0]
        for target in targets.split(","):
            local, at, domain = target.strip().rpartition("@")
            if not at:
                continue  # a share link ("mailto:?subject=…") names no address
            address = _clean(local, domain)
            if address is not None:
                add(address, _purpose(address, link.folded), page.element_evidence(link.element))

    for form in page.root.iter("form"):
        action = form.get("action", "").strip()
        if action[:7].lower() != "mailto:" or form.find(".//textarea") is None:
            continue
        for target in unquote(action[7:]).split("?", 1)[0].split(","):
            local, at, domain = target.strip().rpartition("@")
            address = _clean(local, domain) if at else None
            if address is not None:
                add(address, _purpose(address, "contact"), page.element_evidence(form))

    for node in schema_nodes(page):
        for value in node.texts("email"):
            target = value.strip()
            if target.lower().startswith("mailto:"):
                target = target[7:]
            local, at, domain = target.rpartition("@")
            address = _clean(local, domain) if at else None
            if address is not None:
                evidence = page.structured_evidence(f"{node.label} email: {value}")
                add(address, _purpose(address, ""), evidence)
    return list(found.values())


@check("email")
def email(page: Page) -> CheckResult:
    """A contact e-mail address shown to users (``mailto:``, text, schema.org)."""
    emails = extract_emails(page)
    return CheckResult(
        found=bool(emails),
        value=[entry for entry, _ in emails] or None,
        evidence=tuple(ev for _, ev in emails),
    )
