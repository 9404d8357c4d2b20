"""What a careful reader finds on each demo site: the answer key for end-to-end tests.

Every demo site was written to plant some findings of the data dictionary and to omit others on
purpose, with the traps each check must not count. This module states those facts, site
by site, so that a crawl of the demo web can be compared with them. Only what is certain
is listed: a check left out of a site's ``found`` is not asserted either way.

Reading a :class:`SiteExpectation`:

* ``found`` — check id → site-level ``found`` after a plain-HTTP crawl (static HTML, no
  JavaScript), the default budget (30 pages, depth 3) being enough to reach every page
  listed in ``where``;
* ``rendered`` — the checks whose ``found`` changes when the JS-shell pages are rendered
  in a browser (only the ``demarche`` site); missing ids keep their ``found`` value;
* ``values`` — facts about a finding's value, in plain shapes rather than the checks'
  exact ``value`` structure (``test_values_and_evidence_pages_match_the_answer_key`` in
  ``tests/test_crawl_demo.py`` maps them): phone numbers as E.164 or short
  numbers, all of which a reader sees (the site may show more); e-mails lower-cased;
  hours as OpenStreetMap strings keyed by the page path that shows them; links absolute
  when external, site-relative paths (``/…``) otherwise; ``a11y_mention`` is
  ``"totalement" | "partiellement" | "non" | "placeholder" | None``; ``a11y_statement``
  gives the declaration's path, conformity rate, audit date and whether a schéma
  pluriannuel is linked; keys ending in ``_rendered`` hold values after rendering;
* ``where`` — check id → paths of the pages where a reader sees the finding (evidence);
* ``traps`` — check id → what is planted to fool that check, and where (must not count);
* ``error`` — for failure sites: the error kind the crawl of the site must end with
  (then no check is ``found: false``: all are ``error``, data dictionary);
* ``page_errors`` — path → error kind, for single broken pages of a working site;
* ``audit_violations`` — path → axe rule ids a rendered audit must report as violations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from checks import CHECK_IDS

#: Error kinds of the failure sites, as the findings table names them (crawler.error_kinds).
CONNECTION_REFUSED = "connection_refused"
TIMEOUT = "timeout"
HTTP_500 = "http_500"
HTTP_404 = "http_404"
ROBOTS = "robots_forbidden"
REDIRECT_LOOP = "redirect_loop"

#: The check ids stated for every working site: every static check of the data dictionary.
STATED_CHECKS: tuple[str, ...] = CHECK_IDS


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class SiteExpectation:
    """The answer key of one demo site (see the module docstring for each field)."""

    site_id: str
    found: Mapping[str, bool] = field(default_factory=_frozen)
    rendered: Mapping[str, bool] = field(default_factory=_frozen)
    values: Mapping[str, Any] = field(default_factory=_frozen)
    where: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen)
    traps: Mapping[str, str] = field(default_factory=_frozen)
    error: str | None = None
    page_errors: Mapping[str, str] = field(default_factory=_frozen)
    audit_violations: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen)

    def found_after(self, rendered: bool = False) -> dict[str, bool]:
        """``found`` per check, with the rendered overrides applied when asked."""
        result = dict(self.found)
        if rendered:
            result.update(self.rendered)
        return result


def _site(
    site_id: str,
    *,
    true: str = "",
    values: Mapping[str, Any] | None = None,
    where: Mapping[str, tuple[str, ...]] | None = None,
    traps: Mapping[str, str] | None = None,
    rendered: Mapping[str, bool] | None = None,
    page_errors: Mapping[str, str] | None = None,
    audit_violations: Mapping[str, tuple[str, ...]] | None = None,
) -> SiteExpectation:
    """A working site: the ids in ``true`` are found, every other stated id is not."""
    found_ids = set(true.split())
    unknown = found_ids - set(STATED_CHECKS)
    if unknown:
        raise ValueError(f"{site_id}: unknown check ids {sorted(unknown)}")
    return SiteExpectation(
        site_id=site_id,
        found=_frozen({check: check in found_ids for check in STATED_CHECKS}),
        rendered=_frozen(rendered),
        values=_frozen(values),
        where=_frozen(where),
        traps=_frozen(traps),
        page_errors=_frozen(page_errors),
        audit_violations=_frozen(audit_violations),
    )


def _failure(site_id: str, error: str) -> SiteExpectation:
    return SiteExpectation(site_id=site_id, error=error)


EXPECTED: Mapping[str, SiteExpectation] = MappingProxyType(
    {
        "mairie": _site(
            "mairie",
            true="""phone email contact_form opening_hours appointment address
            service_public_link a11y_mention a11y_statement faq jdma_button legal_notice
            privacy""",
            values={
                "phone": {"+33261910010", "+33261910012"},
                "email": {
                    "accueil@ville-saint-exemple.fr",
                    "etat-civil@ville-saint-exemple.fr",  # written "[at] … [dot] fr"
                    "accessibilite@ville-saint-exemple.fr",
                    "dpo@ville-saint-exemple.fr",
                },
                "opening_hours": {"/contact": "Mo-Fr 08:30-12:00,13:30-17:00"},
                "appointment": {"https://rdv.anct.gouv.fr/org/1234/saint-exemple-sur-loire"},
                "a11y_mention": "partiellement",
                "a11y_statement": {
                    "path": "/accessibilite",
                    "rate": 62,
                    "audit_date": "2024-03-14",
                    "schema_pluriannuel": True,
                },
                "jdma_button": {"form_id": "1234", "variant": "image"},
            },
            where={
                "phone": ("/", "/contact"),
                "email": ("/contact",),
                "contact_form": ("/contact", "/contact/formulaire"),
                "opening_hours": ("/contact", "/"),
                "appointment": ("/demarches/rendez-vous",),
                "address": ("/", "/contact"),
                "service_public_link": ("/", "/demarches/"),
                "a11y_mention": ("/",),
                "a11y_statement": ("/", "/accessibilite"),
                "faq": ("/", "/faq"),
                "jdma_button": ("/",),
                "legal_notice": ("/",),
                "privacy": ("/",),
            },
            traps={
                "mediator": "« Médiathèque » (/mediatheque, menu) and the Défenseur des "
                "droits in the declaration (/accessibilite): neither is a mediator",
                "address": "« Libre réponse 71120, 75342 Paris CEDEX 07 » (CEDEX line, "
                "no street) on /accessibilite",
                "phone": "SIRET 214 599 990 00014 on /mentions-legales; dates",
                "appointment": "the text « sur rendez-vous » on /contact links to an "
                "internal page, the booking link itself is on /demarches/rendez-vous",
            },
        ),
        "prefecture": _site(
            "prefecture",
            true="""phone contact_form opening_hours peak_hours appointment address
            service_public_link a11y_mention a11y_statement oups_link franceconnect
            legal_notice privacy""",
            values={
                "phone": {"+33199002000"},
                "opening_hours": {
                    "/contact": "Mo,Tu,Th 08:45-12:00,13:30-16:00; We,Fr 08:45-12:00",
                },
                "appointment": {
                    "https://rendezvouspasseport.ants.gouv.fr/",
                    "/booking/create/4521",  # on the site itself (robots.txt disallows it)
                },
                "a11y_mention": "non",
                "a11y_statement": {
                    "path": "/accessibilite",
                    "rate": None,
                    "audit_date": None,
                    "schema_pluriannuel": False,
                },
                "structured_data": {
                    "/contact": "GovernmentOffice JSON-LD: telephone, PostalAddress, "
                    "openingHoursSpecification"
                },
            },
            where={
                "phone": ("/contact",),
                "opening_hours": ("/contact",),
                "peak_hours": ("/contact",),
                "appointment": ("/demarches/prendre-rendez-vous",),
                "address": ("/contact",),
                "contact_form": ("/contact", "/contact/formulaire"),
                "oups_link": ("/demarches/",),
                "franceconnect": ("/demarches/",),
                "a11y_mention": ("/",),
            },
            traps={
                "crawl": "/agenda/ is an endless calendar (?month=N+1 forever) and its "
                "relative link « evenements/ » makes ever-growing paths; robots.txt "
                "disallows /recherche and /booking/",
                "mediator": "« médiateurs numériques » in prose on /demarches/ (digital "
                "helpers, not a mediator)",
                "email": "no address anywhere: only a contact form",
                "faq": "none on purpose",
            },
        ),
        "caf": _site(
            "caf",
            true="""phone premium_phone contact_form opening_hours address chat
            a11y_mention a11y_statement faq mediator accessible_phone jdma_button
            quality_results franceconnect legal_notice privacy""",
            values={
                "phone": {"3230", "+33821990012"},
                "premium_phone": {"+33821990012"},
                # The phone line's hours (from 9h), then the desk's (from 8h30): united.
                "opening_hours": {"/nous-contacter": "Mo-Fr 08:30-16:30"},
                "a11y_mention": "partiellement",  # written "Accessibilité&nbsp;: …"
                "a11y_statement": {
                    "path": "/accessibilite",
                    "rate": 71,
                    "audit_date": "2024-09",  # "septembre 2024": a month, no day
                    "schema_pluriannuel": False,
                },
                "appointment": {"booking_link": False},
                "jdma_button": {"form_id": "2345", "variant": "image"},
            },
            where={
                "phone": ("/", "/nous-contacter"),
                "premium_phone": ("/nous-contacter",),
                "chat": ("/", "/nous-contacter"),
                "accessible_phone": ("/nous-contacter",),
                "mediator": ("/", "/mediateur"),
                "faq": ("/", "/aide/faq"),
                "quality_results": ("/",),
                "jdma_button": ("/",),
                "franceconnect": ("/",),
                "opening_hours": ("/nous-contacter",),
                "address": ("/nous-contacter", "/mediateur"),
            },
            traps={
                "appointment": "menu item « Prise de rendez-vous » → /#prise-de-rendez-vous"
                " (in-page anchor only) and « sur rendez-vous » as plain text",
                "service_public_link": "« service-public.fr » written in the footer without a link",
                "premium_phone": "3230 is a short number: surcharged unknown (null), never premium",
                "email": "no address anywhere: contact form and Mon Compte only",
            },
        ),
        "ministere": _site(
            "ministere",
            true="""contact_form address service_public_link a11y_statement faq
            legal_notice privacy""",
            values={"a11y_mention": "placeholder"},
            where={
                "contact_form": ("/", "/nous-contacter"),
                "address": ("/nous-contacter", "/mentions-legales"),
                "service_public_link": ("/",),
                "a11y_statement": ("/", "/accessibilite"),
                "faq": ("/", "/faq"),
            },
            traps={
                "a11y_mention": "DSFR footer text « Accessibilité : non/partiellement/"
                "totalement conforme » shipped as is, on every page",
                "jdma_button": "« donnez votre avis » links to a local consultation "
                "(/consultations/projet-decret-2024)",
                "email": "share link mailto:?subject=… (/actualites/plan-exemple-2030), "
                "srcset logo@2x.png, an address inside <script id=__NEXT_DATA__>",
                "phone": "a number inside __NEXT_DATA__ only; SIRET/SIREN, market number "
                "(/mentions-legales), dates, postcodes alone (69003, 59000)",
                "opening_hours": "labour-law « horaires de travail » example with days "
                "and times (/travail/duree-du-travail); event dates « le lundi 29 avril "
                "2024 »; a webinar « le jeudi 16 mai 2024 de 10h à 11h30 » (/)",
                "mediator": "« une procédure de médiation » and « immédiatement » in "
                "labour-law prose (/travail/duree-du-travail)",
            },
        ),
        "hopital": _site(
            "hopital",
            true="""phone email contact_form opening_hours appointment address
            a11y_statement faq mediator legal_notice privacy""",
            values={
                "phone": {"+33465710020", "+33465710025", "+33465710040"},
                "fax": {"+33465710029"},
                "email": {"relations.usagers@ch-exemple-val.fr"},
                "a11y_mention": None,
                "appointment": {
                    "https://www.doctolib.fr/centre-hospitalier/exemple-val/"
                    "centre-hospitalier-d-exemple-val"
                },
            },
            where={
                "email": ("/widgets/formulaire-contact",),
                "contact_form": ("/contact", "/widgets/formulaire-contact"),
                "opening_hours": ("/consultations",),
                "appointment": ("/", "/consultations"),
                "mediator": ("/patients/", "/patients/commission-des-usagers"),
                "faq": ("/", "/questions-frequentes"),
            },
            traps={
                "email": "the only address is inside the page framed by /contact "
                "(<iframe src=/widgets/formulaire-contact>): found only if the crawler "
                "follows iframes",
                "a11y_mention": "footer link « Accessibilité » alone; the status « non "
                "conforme » only in the declaration's body",
                "phone": "« Urgences : 15 » (2-digit emergency number); « Fax : 04 65 71 "
                "00 29 » is purpose fax; FINESS and SIRET on /mentions-legales",
                "appointment": "« Mer sur RDV » as plain text",
            },
        ),
        "universite": _site(
            "universite",
            true="""email contact_form opening_hours address a11y_mention a11y_statement
            faq mediator legal_notice privacy""",
            values={
                "email": {"scolarite@univ-exemple.fr", "mediateur@univ-exemple.fr"},
                "opening_hours": {
                    "/scolarite/accueil.html": "Mo-Fr 09:00-12:00,13:30-16:30",
                },
                "a11y_mention": "totalement",
                "a11y_statement": {
                    "path": "/accessibilite",
                    "rate": 100,
                    "audit_date": "2024-11-20",
                    "schema_pluriannuel": False,
                },
                "redirect": {"/ancien-contact": "/contact"},
                "charset": {"/scolarite/accueil.html": "iso-8859-1"},
            },
            where={
                "opening_hours": ("/scolarite/accueil.html",),
                "mediator": ("/scolarite/accueil.html", "/mediateur"),
                "contact_form": ("/", "/contact"),
                "email": ("/scolarite/accueil.html", "/mediateur"),
            },
            traps={
                "encoding": "/scolarite/accueil.html is ISO-8859-1 (header and meta): "
                "« Horaires d'accueil », « Médiateur de l'université » must decode",
                "contact_form": "the menu's « Contact » goes to /ancien-contact, a 301 to /contact",
                "phone": "none on purpose (« 32 000 étudiants », « 100 % » are not)",
            },
        ),
        "demarche": _site(
            "demarche",
            true="",
            rendered={
                "phone": True,
                "contact_form": True,  # the menu's « Nous contacter » link to /contact
                "address": True,  # only on /contact, a route linked from the rendered menu
                "opening_hours": True,
                "faq": True,
                "a11y_mention": True,
                "a11y_statement": True,
                "jdma_button": True,
                "franceconnect": True,
                "legal_notice": True,
                "privacy": True,
            },
            values={
                "a11y_mention": None,
                "a11y_mention_rendered": "partiellement",
                "phone_rendered": {"+33199004000"},
                "jdma_button_rendered": {"form_id": "3456", "variant": "image"},
                # A page linked only from the rendered DOM: rendered too (lien-rendu).
                "a11y_statement_rendered": {
                    "path": "/accessibilite",
                    "rate": 78,
                    "audit_date": "2024-06-05",
                    "schema_pluriannuel": False,
                },
                "js_shell": ("/",),
            },
            # Pages the HTTP crawl cannot find (the static home links nowhere): reached
            # through the rendered DOM's links; /contact serves the shell again, by HTTP.
            where={
                "address": ("/contact",),
                "a11y_statement": ("/accessibilite",),
            },
            traps={
                "all": "the static home is <div id=root></div> + <script src=/static/"
                "app.js>: the content exists only after JavaScript runs; <noscript> text "
                "does not count; the menu (« Nous contacter » → /contact, an app route "
                "served with the same shell) exists only in the rendered DOM",
            },
        ),
        "ancien": _site(
            "ancien",
            true="phone email opening_hours address service_public_link",
            values={
                "phone": {"+33353010030"},
                "fax": {"+33353010031"},
                "email": {"mairie.vieux-bourg@exemplenet.fr"},
                "opening_hours": {"/": "Tu,Th 14:00-18:00"},
                "service_public_link": {"http://www.service-public.fr/"},
                "a11y_mention": None,
            },
            where={
                "phone": ("/", "/mairie.htm"),
                "opening_hours": ("/", "/mairie.htm"),
                "address": ("/", "/mairie.htm"),
                "service_public_link": ("/liens.htm",),
            },
            traps={
                "chat": "« Messagerie » (/messagerie/login.htm) needs a login: record it, "
                "found false",
                "appointment": "« Permanence du maire le samedi matin, sur rendez-vous » "
                "as plain text",
                "phone": "dates « 12/03/2011 », visitor counter, « 412 habitants »",
            },
            # For the accessibility audit (axe rules, not checks): images without text
            # alternative, a linked image without a name, unlabelled search field, pale
            # grey text on white on the home page; no lang on /liens.htm.
            audit_violations={
                "/": ("image-alt", "link-name", "label", "color-contrast"),
                "/liens.htm": ("html-has-lang",),
            },
            page_errors={
                "/annuaire.htm": HTTP_500,
                "/bulletin-2009.htm": HTTP_404,
                "/photos/fete-2011.htm": HTTP_404,
            },
        ),
        "panne": _failure("panne", CONNECTION_REFUSED),
        "lent": _failure("lent", TIMEOUT),
        "erreur500": _failure("erreur500", HTTP_500),
        "interdit": _failure("interdit", ROBOTS),
        "boucle": _failure("boucle", REDIRECT_LOOP),
    }
)


def _fields(phone: str, email: str, address: str, opening_hours: str) -> Mapping[str, str]:
    return _frozen(
        {"phone": phone, "email": email, "address": address, "opening_hours": opening_hours}
    )


#: The Annuaire cross-check of a plain crawl of the demo web against its Annuaire export
#: (``annuaire.json``, which ``vigie demo`` imports before crawling): site → field →
#: status (``checks.annuaire``). Every site left out has no record (``no_record`` in
#: every field): the ministry, the démarche and the failure sites other than erreur500,
#: and ``ancien``, whose record names another website (the commune's new one), so that it
#: is listed among the sites without a record. The mairie's record shares its website with
#: the CCAS's: the mairie's is chosen by type. What each record plants:
#:
#: * mairie — agrees in everything, though written otherwise ("1 pl. de l'Hôtel-de-Ville");
#: * prefecture — another phone number (01 99 00 20 99: the site shows 01 99 00 20 00), an
#:   e-mail the site never shows; the hours agree although split over four entries;
#: * caf — the record closes at noon (08:30-12:00, 13:30-16:30), the site says 08:30-16:30;
#: * hopital, universite — agree ("3 av. des Tilleuls", an upper-case e-mail);
#: * erreur500 — a record for a site that could not be crawled: ``error``, never missing.
ANNUAIRE: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "mairie": _fields("consistent", "consistent", "consistent", "consistent"),
        "prefecture": _fields("differs", "missing_on_site", "consistent", "consistent"),
        "caf": _fields("consistent", "no_record", "consistent", "differs"),
        "hopital": _fields("consistent", "consistent", "consistent", "no_record"),
        "universite": _fields("no_record", "consistent", "consistent", "no_record"),
        "erreur500": _fields("error", "error", "error", "no_record"),
    }
)
