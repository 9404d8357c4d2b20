"""``appointment``: an online appointment-booking link (CHECKS.md, engagement 2).

Two ways to be found: a link to a known booking platform (whatever its label), or a link
labelled "Prendre rendez-vous", "Prise de rendez-vous en ligne", "RDV en ligne"… that leads
to another page (the booking page).

Not found: "sur rendez-vous" or "Mer sur RDV" as plain text (nothing to click); a
``tel:``/``mailto:`` "prendre rendez-vous" (booking by phone or e-mail is not online); a
menu item that is only an in-page anchor (``/#prise-de-rendez-vous``): it is kept in the
value with ``booking_link: false`` so a reader sees it was looked at, but ``found`` stays
false. "Annuler un rendez-vous" is not booking.

A booking label must lead to a booking target: a link whose label *talks about*
appointments is a publication, not a way to book one. So a labelled link (not a platform)
does not count when its label is a headline on the subject — it names a study, a report,
news ("Étude sur la prise de rendez-vous en ligne", "Prise de rendez-vous : les nouveautés
2024", "Baromètre…", a year) or is "about" it ("sur la prise de rendez-vous", "à propos
de…") — or when its target is a publication: a news, press, study or blog section
(``/actualites/…``, ``/presse/…``, ``/etudes/…``) or a document (``.pdf``, ``.docx``…).

Value: list of ``{"url", "booking_link", "platform"}``, one per distinct target
(``platform`` is the booking platform's domain when the host is one, ``"ants.gouv.fr"`` for
an ANTS booking page, else null), also when only in-page anchors were seen (``found``
false); else ``None`` (and on error).
"""

from __future__ import annotations

import re

from checks._links import LinkInfo, candidates, link_evidence, phrase_pattern
from checks.page import Page
from checks.registry import check
from checks.result import CheckResult

#: Booking platforms used by French public services (host or any sub-domain).
PLATFORMS = frozenset(
    (
        "rdv.anct.gouv.fr",
        "rdv-solidarites.fr",
        "rdv-insertion.fr",
        "rdv-aide-numerique.fr",
        "rdv.aide-numerique.gouv.fr",
        "rdv-mairie.fr",
        "rendezvousonline.fr",
        "rendezvouspasseport.ants.gouv.fr",
        "synbird.com",
        "clicrdv.com",
        "doctolib.fr",
        "doctolib.com",
        "rdv360.com",
        "maiia.com",
        "keldoc.com",
        "mondocteur.fr",
        "smartagenda.fr",
        "agendize.com",
        "calendly.com",
        "solocal-rdv.fr",
        "prendreunrendezvous.fr",
        "rdvmedicaux.com",
    )
)
# ANTS pages that book a slot (passport / ID card) without being on a dedicated host.
_ANTS = frozenset(("ants.gouv.fr",))
_ANTS_BOOKING = re.compile(r"rendez[-_]?vous|rdv")

_LABEL = phrase_pattern(
    "prendre rendez-vous",
    "prendre un rendez-vous",
    "prendre rdv",
    "prendre un rdv",
    "prise de rendez-vous",
    "prise de rdv",
    "rendez-vous en ligne",
    "rdv en ligne",
    "reserver un rendez-vous",
    "reserver un creneau",
    "reservez un creneau",
    "reservez votre creneau",
    "prenez rendez-vous",
    "demander un rendez-vous",
    "demande de rendez-vous",
)
_CANCEL = phrase_pattern("annuler", "annulation", "modifier", "deplacer")
#: Words of a headline about appointments (a study, a report, news), not a call to book…
_TOPIC = phrase_pattern(
    "enquete",
    "rapport",
    "barometre",
    "actualite",
    "actualites",
    "communique",
    "webinaire",
    "colloque",
    "experimentation",
    "lancement",
    "nouveaute",
    "nouveautes",
    "se generalise",
    "generalisation",
    "deploiement",
    "statistiques",
    "synthese",
    "retour d'experience",
    "temoignage",
    "temoignages",
    "etat des lieux",
)
#: …and those that start a headline but may also be what one books ("Prendre rendez-vous
#: pour l'étude de votre dossier", "… pour un bilan de santé").
_TOPIC_START = re.compile(r"^\W*(?:etudes?|bilan|evaluation|analyse)(?!\w)")
#: The booking words said to be the subject: "sur la prise de rendez-vous", "à propos de…".
_ABOUT = re.compile(
    r"(?:^|\s)(?:sur|a propos d[eu']|concernant|autour d[eu']|consacree? a)"
    r"\s*(?:la |le |les |l')?$"
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
#: Targets that are publications: a news, press, study or blog section, or a document.
_PUBLICATION_TARGET = re.compile(
    r"(?:^|/)(?:actualites?|actus?|news|articles?|publications?|etudes?|enquetes?|rapports?"
    r"|presse|communiques?(?:-de-presse)?|blog|agenda|evenements?|webinaires?|medias?"
    r"|dossiers?-de-presse)(?:[/-]|$)"
    r"|\.(?:pdf|docx?|odt|pptx?|odp|xlsx?|ods)(?:$|\?)"
)


def _platform(info: LinkInfo) -> str | None:
    matched = info.domains & PLATFORMS
    if matched:
        return max(matched, key=len)
    if info.on(_ANTS) and _ANTS_BOOKING.search(info.target):
        return "ants.gouv.fr"
    return None


def _booking_label(info: LinkInfo) -> bool:
    """A "prendre rendez-vous" label that calls to book, on a link to a booking target."""
    match = _LABEL.search(info.label)
    if match is None or _CANCEL.search(info.label):
        return False
    if _TOPIC.search(info.label) or _TOPIC_START.match(info.label) or _YEAR.search(info.label):
        return False  # a headline: a study, a report, news about appointments
    if _ABOUT.search(info.label[: match.start()]):
        return False  # "sur la prise de rendez-vous": the subject, not the action
    return not _PUBLICATION_TARGET.search(info.target)


@check("appointment")
def appointment(page: Page) -> CheckResult:
    """Booking-platform links and "prendre rendez-vous" links; in-page anchors recorded only."""
    entries: list[dict[str, object]] = []
    booking: list[LinkInfo] = []
    anchors: list[LinkInfo] = []
    seen: set[str] = set()
    for info in candidates(page, labels=(_LABEL,), hosts=PLATFORMS | _ANTS):
        if not info.is_web:
            continue
        platform = _platform(info)
        if platform is None and not _booking_label(info):
            continue
        is_booking = platform is not None or not info.in_page
        (booking if is_booking else anchors).append(info)
        if info.href not in seen:
            seen.add(info.href)
            entries.append({"url": info.href, "booking_link": is_booking, "platform": platform})
    if not entries:
        return CheckResult(found=False)
    return CheckResult(
        found=bool(booking),
        value=entries,
        evidence=link_evidence(page, booking or anchors),
    )
