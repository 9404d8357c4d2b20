"""``chat``: an instant-messaging / live-chat entry point (docs/data-dictionary.md, engagement 2).

Found on a chat widget's script (the widget draws its bubble from that script, so the
script *is* the entry point even though its button is not in the static HTML), or on a
link or button labelled "Chat", "Tchat", "Chat en ligne", "Discuter avec un conseiller",
"Messagerie instantanée".

"Chat" alone is also the French word for cat: only a short label that is nothing but
"chat"/"tchat" (possibly "en ligne", "en direct") counts, not "Adopter un chat".
Any other "messagerie" link or button — on public sites the account's secure messaging,
"Ma messagerie", "Messagerie sécurisée", reached after login — is not instant messaging: it
is recorded in the value as ``login_messaging`` and ``found`` stays false.

Value: ``{"widgets", "links", "login_messaging"}``: provider names of the widget scripts
(``"crisp"``…), then chat entry points and login-only messaging entries, each an href or,
for a ``<button>``, its folded label; set with ``found`` false when only login messaging
is seen; else ``None`` (and on error).
"""

from __future__ import annotations

from typing import Any

from checks._links import (
    EVIDENCE_LIMIT,
    candidates,
    fold_label,
    phrase_pattern,
    split_url,
    suffixes,
)
from checks.page import Page, text_content
from checks.registry import check
from checks.result import CheckResult, Evidence

#: Script hosts of live-chat providers (host or sub-domain) → provider name.
PROVIDERS = {
    "crisp.chat": "crisp",
    "tawk.to": "tawk",
    "zdassets.com": "zendesk",
    "zopim.com": "zendesk",
    "zendesk.com": "zendesk",
    "intercom.io": "intercom",
    "intercomcdn.com": "intercom",
    "livechatinc.com": "livechat",
    "iadvize.com": "iadvize",
    "userlike.com": "userlike",
    "userlike-cdn-widgets.s3-eu-west-1.amazonaws.com": "userlike",
    "smartsupp.com": "smartsupp",
    "smartsuppchat.com": "smartsupp",
    "tidio.co": "tidio",
    "tidiochat.com": "tidio",
    "driftt.com": "drift",
    "drift.com": "drift",
    "freshchat.com": "freshchat",
    "olark.com": "olark",
    "chatra.io": "chatra",
    "usemessages.com": "hubspot",
    "purechat.com": "purechat",
    "liveagent.com": "liveagent",
    "botmind.io": "botmind",
}

_CHAT_LABEL = phrase_pattern(
    "chat",
    "tchat",
    "t'chat",
    "chat en ligne",
    "tchat en ligne",
    "chat en direct",
    "live chat",
    "chattez avec nous",
    whole_label=True,
)
_CHAT_PHRASE = phrase_pattern(
    "discuter avec un conseiller",
    "discutez avec un conseiller",
    "discuter avec un agent",
    "discuter en ligne",
    "messagerie instantanee",
    "chat en ligne",
    "tchat en ligne",
    "tchatter avec",
    "chatter avec un conseiller",
    stems=("chat", "discut", "instantan"),
)
_MESSAGING = phrase_pattern("messagerie")


def _provider(src: str) -> str | None:
    for domain in suffixes(split_url(src)[1]):
        if domain in PROVIDERS:
            return PROVIDERS[domain]
    return None


def _labelled(page: Page) -> list[tuple[Any, str, str | None]]:
    """``(element, folded label, href)`` for links and buttons (a chat is often a button)."""
    links = candidates(page, labels=(_CHAT_LABEL, _CHAT_PHRASE, _MESSAGING))
    items: list[tuple[Any, str, str | None]] = [(i.link.element, i.label, i.href) for i in links]
    for el in page.root.iter("button"):
        bits = (text_content(el), el.get("aria-label", ""), el.get("title", ""))
        items.append((el, fold_label(" ".join(bits)), None))
    return items


@check("chat")
def chat(page: Page) -> CheckResult:
    """Widget scripts, then chat links/buttons; login-only messaging recorded, not found."""
    widgets: list[str] = []
    evidence: list[Evidence] = []
    for src, _attrs in page.script_srcs:
        name = _provider(src)
        if name and name not in widgets:
            widgets.append(name)
            evidence.append(Evidence(page.url, None, f'<script src="{src}">'))
    entries: list[str] = []
    login_only: list[str] = []
    login_evidence: list[Evidence] = []
    for el, label, href in _labelled(page):
        if _CHAT_LABEL.search(label) or _CHAT_PHRASE.search(label):
            entries.append(href or label)
            evidence.append(page.element_evidence(el))
        elif _MESSAGING.search(label):
            login_only.append(href or label)
            login_evidence.append(page.element_evidence(el))
    found = bool(widgets or entries)
    if not found:
        evidence = login_evidence
    if not found and not login_only:
        return CheckResult(found=False)
    value = {
        "widgets": widgets,
        "links": list(dict.fromkeys(entries)),
        "login_messaging": list(dict.fromkeys(login_only)),
    }
    return CheckResult(found=found, value=value, evidence=tuple(evidence[:EVIDENCE_LIMIT]))
