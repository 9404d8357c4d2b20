"""``contact_form``: a way to write to the administration through the site (engagement 2).

Found on a link whose label says "Contact", "Nous contacter", "Nous écrire", "Formulaire de
contact", "Contactez-nous" (or whose target is a ``/contact`` page), or on a page that
itself carries a form with a message field (a ``<textarea>``).

Not a contact form: a social-media "Contact" button (the conversation happens on a private
platform, not with the service); a ``mailto:`` "Nous contacter" (an e-mail address, counted
by ``email``), also when the ``mailto:`` is written wrong and the browser takes it for a
page of the site ("mailto :x@…", "mailto%3Ax…", "http://mailto:x@…", a bare
"contact@mairie.fr" as target): the site meant an e-mail; a message form whose ``action``
is ``mailto:`` (the browser hands the message to the visitor's mail program: an e-mail
too, counted by ``email``); an in-page ``#contact`` anchor (the page's own form, if any, is
read directly); a comment box or a CAPTCHA's hidden ``<textarea>``.

Value: list of distinct URLs: the contact links' targets, then for each message form its
``action`` (absolute) or, without one, the page's own URL; else ``None`` (and on error).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urljoin

from checks._links import (
    EVIDENCE_LIMIT,
    SOCIAL_HOSTS,
    LinkInfo,
    Sieve,
    fold_label,
    link_evidence,
    links_where,
    phrase_pattern,
    same_site,
    unique_hrefs,
)
from checks.page import Page, text_content
from checks.registry import check
from checks.result import CheckResult

_LABEL = phrase_pattern(
    "contact",
    "contacts",
    "contactez-nous",
    "contactez nous",
    "nous contacter",
    "me contacter",
    "nous ecrire",
    "ecrivez-nous",
    "formulaire de contact",
    "poser une question",
    "posez votre question",
    "poser votre question",
)
_TARGET = Sieve(
    re.compile(
        r"(?:^|/)(?:nous-)?(?:contact(?:ez-nous|s|er)?|nous-ecrire|ecrivez-nous"
        r"|formulaire-contact)(?:[./?_-]|$)"
    ),
    ("contact", "ecri"),
)

#: A target that is an e-mail address however it is written: any "mailto" (the wrong ways
#: included), or an address alone ("contact@mairie.fr", "http://contact@mairie.fr").
_EMAIL_TARGET = re.compile(r"mailto|^(?:https?:)?/*[\w.+-]+@[\w-]+(?:\.[\w-]+)+/?$")

# What a textarea is for, read from its name/id/class/placeholder/label.
_NOT_A_MESSAGE = re.compile(r"comment|recaptcha|hcaptcha|captcha|search|recherche|code")
_MESSAGE_HINT = re.compile(r"contact|message|demande|question|requete|ecrire|votre texte")


def is_email_target(href: str) -> bool:
    """Whether a link target or form action is an e-mail address (see :data:`_EMAIL_TARGET`)."""
    return bool(_EMAIL_TARGET.search(unquote(href).strip().lower()))


def _is_contact_link(info: LinkInfo, page: Page) -> bool:
    """A contact label, or (on the site itself) a ``/contact``-like target."""
    if not info.is_web or info.in_page or info.on(SOCIAL_HOSTS):
        return False
    if is_email_target(info.link.raw_href):
        return False  # an e-mail written as a web link: ``email``'s, not a form
    if _LABEL.search(info.label):
        return True
    return bool(_TARGET.search(info.target)) and same_site(info, page)


def _hints(page: Page, el: Any) -> str:
    """Folded name, id, class, placeholder, aria-label and ``<label for>`` of a field."""
    bits = [el.get(a, "") for a in ("name", "id", "class", "placeholder", "aria-label")]
    field_id = el.get("id")
    if field_id:
        labels = page.root.iter("label")
        bits.extend(text_content(lab) for lab in labels if lab.get("for") == field_id)
    parent = el.getparent()
    if parent is not None:  # "<div><label>Votre message</label><textarea>" without for=
        bits.extend(text_content(lab) for lab in parent.iter("label"))
    return fold_label(" ".join(bits))


def _is_hidden(el: Any) -> bool:
    style = el.get("style", "").replace(" ", "").lower()
    return (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or "display:none" in style
        or el.get("readonly") is not None
        or el.get("disabled") is not None
    )


def _message_fields(page: Page) -> list[tuple[Any, Any]]:
    """``(textarea, form or None)`` for each field meant for a message to the service.

    Inside a ``<form>`` any visible textarea that is not a comment or CAPTCHA field counts;
    outside one (script-driven pages post it themselves) the field must say it is a message.
    """
    fields = []
    for area in page.root.iter("textarea"):
        if _is_hidden(area):
            continue
        hints = _hints(page, area)
        if _NOT_A_MESSAGE.search(hints):
            continue
        form = next(area.iterancestors("form"), None)
        if form is not None and is_email_target(form.get("action", "")):
            continue  # the message goes to the visitor's mail program: an e-mail
        if form is not None or _MESSAGE_HINT.search(hints):
            fields.append((area, form))
    return fields


@check("contact_form")
def contact_form(page: Page) -> CheckResult:
    """Contact links first (their targets are the value), then the page's own form."""
    links = links_where(
        page, lambda i: _is_contact_link(i, page), labels=(_LABEL,), targets=(_TARGET,)
    )
    fields = _message_fields(page)
    if not links and not fields:
        return CheckResult(found=False)
    targets = unique_hrefs(links)
    evidence = list(link_evidence(page, links))
    for area, form in fields:
        action = form.get("action", "").strip() if form is not None else ""
        targets.append(urljoin(page.base_url, action) if action else page.url)
        if len(evidence) < EVIDENCE_LIMIT:
            evidence.append(page.element_evidence(form if form is not None else area))
    return CheckResult(found=True, value=list(dict.fromkeys(targets)), evidence=tuple(evidence))
