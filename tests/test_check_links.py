"""Link-based checks of engagements 1, 2, 4, 6: contact, appointment, service-public.fr,
chat, FAQ, quality results, oups.gouv.fr, FranceConnect, legal notice and privacy.

Each check has its positive cases and every trap named in the data dictionary ("does NOT count").
"""

from __future__ import annotations

import pytest

import checks  # noqa: F401  (registers every check)
from checks._links import host_in, link_infos, phrase_pattern, split_url, suffixes
from checks.registry import REGISTRY

URL = "https://www.mairie-exemple.fr/demarches/etat-civil"


def run(make_page, check_id: str, body: str, url: str = URL):
    page = make_page(f"<html><head><title>Page</title></head><body>{body}</body></html>", url)
    return REGISTRY[check_id](page)


# -- shared helpers ---------------------------------------------------------------------


def test_split_url_lowercases_scheme_and_host_and_drops_port_and_userinfo():
    assert split_url("HTTPS://user:pw@WWW.Service-Public.FR:443/a/b?x=1#top") == (
        "https",
        "www.service-public.fr",
        "/a/b",
        "x=1",
        "top",
    )
    assert split_url("mailto:contact@mairie.fr")[0] == "mailto"


def test_host_in_matches_sub_domains_but_not_look_alikes():
    domains = frozenset({"service-public.fr"})
    assert host_in("formulaires.service-public.fr", domains)
    assert host_in("service-public.fr", domains)
    assert not host_in("service-public.fr.evil.com", domains)
    assert not host_in("notservice-public.fr", domains)
    assert suffixes("a.b.fr") == frozenset({"a.b.fr", "b.fr", "fr"})


def test_phrase_pattern_is_whole_word_and_tolerates_hyphens_and_apostrophes():
    sieve = phrase_pattern("centre d'aide", "nous contacter")
    assert sieve.search("le centre d’ aide".replace("’", "'"))
    assert sieve.search("nous-contacter")
    assert not sieve.search("xnous contacter")  # word start checked outside the regex
    assert not sieve.search("nous contactera")


def test_in_page_anchor_detection(make_page):
    page = make_page(
        '<a href="#top">Haut</a><a href="/#rdv">RDV</a><a href="/rdv#form">RDV</a>'
        '<a href="https://ailleurs.fr/#x">Ailleurs</a>',
        "https://www.mairie-exemple.fr/page",
    )
    assert [i.in_page for i in link_infos(page)] == [True, True, False, False]


# -- contact_form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "Contact",
        "Nous contacter",
        "Nous écrire",
        "Formulaire de contact",
        "Contactez-nous",
        "Aide & Contact",
        "CONTACTEZ NOUS",
    ],
)
def test_contact_form_link_labels(make_page, label):
    result = run(make_page, "contact_form", f'<footer><a href="/ecrire">{label}</a></footer>')
    assert result.found
    assert result.value == ["https://www.mairie-exemple.fr/ecrire"]
    assert result.evidence[0].xpath.endswith("/a")


def test_contact_form_target_on_the_site(make_page):
    result = run(make_page, "contact_form", '<a href="/nous-contacter">Une question ?</a>')
    assert result.found


def test_contact_form_target_on_another_site_is_not_this_sites_form(make_page):
    body = '<a href="https://www.defenseurdesdroits.fr/nous-contacter-355">Défenseur</a>'
    assert not run(make_page, "contact_form", body).found


def test_contact_form_social_media_contact_button_does_not_count(make_page):
    body = (
        '<a href="https://www.facebook.com/mairie/contact">Contactez-nous</a>'
        '<a href="https://m.me/mairie">Nous écrire</a>'
        '<a href="https://twitter.com/messages/compose?recipient_id=1">Contact</a>'
    )
    assert not run(make_page, "contact_form", body).found


def test_contact_form_mailto_and_in_page_anchor_do_not_count(make_page):
    body = '<a href="mailto:mairie@exemple.fr">Nous contacter</a><a href="#contact">Contact</a>'
    assert not run(make_page, "contact_form", body).found


def test_contact_form_page_with_a_message_field(make_page):
    body = (
        '<form action="/envoyer" method="post"><label for="m">Votre message</label>'
        '<textarea id="m" name="message"></textarea><button>Envoyer</button></form>'
    )
    result = run(make_page, "contact_form", body)
    assert result.found
    assert result.value == ["https://www.mairie-exemple.fr/envoyer"]
    assert "form" in result.evidence[0].xpath


def test_contact_form_comment_box_captcha_and_search_are_not_message_fields(make_page):
    body = (
        '<form><textarea name="comment" placeholder="Laisser un commentaire"></textarea></form>'
        '<form><textarea name="g-recaptcha-response" style="display: none"></textarea>'
        '<input name="q"></form>'
    )
    assert not run(make_page, "contact_form", body).found


def test_contact_form_script_driven_message_box_outside_a_form(make_page):
    body = '<div><label>Votre message</label><textarea id="msg"></textarea></div>'
    assert run(make_page, "contact_form", body).found
    assert not run(make_page, "contact_form", "<div><textarea id='notes'></textarea></div>").found


def test_contact_form_absent_when_only_the_word_in_text(make_page):
    assert not run(make_page, "contact_form", "<p>Pour tout contact, passez en mairie.</p>").found


# -- appointment ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "Prendre rendez-vous",
        "Prise de rendez-vous en ligne",
        "RDV en ligne",
        "Prendre un RDV",
        "Réserver un créneau",
    ],
)
def test_appointment_booking_labels(make_page, label):
    result = run(make_page, "appointment", f'<a href="/rendez-vous/passeport">{label}</a>')
    assert result.found
    assert result.value == [
        {
            "url": "https://www.mairie-exemple.fr/rendez-vous/passeport",
            "booking_link": True,
            "platform": None,
        }
    ]


@pytest.mark.parametrize(
    "href, platform",
    [
        ("https://rdv.anct.gouv.fr/prendre_rdv?departement=45", "rdv.anct.gouv.fr"),
        ("https://www.rdv-solidarites.fr/", "rdv-solidarites.fr"),
        ("https://rdv.aide-numerique.gouv.fr/", "rdv.aide-numerique.gouv.fr"),
        ("https://www.rendezvousonline.fr/mairie-x", "rendezvousonline.fr"),
        ("https://www.synbird.com/fr/mairie", "synbird.com"),
        ("https://www.clicrdv.com/mairie", "clicrdv.com"),
        ("https://www.doctolib.fr/centre-de-sante/orleans/x", "doctolib.fr"),
        ("https://www.maiia.com/centre", "maiia.com"),
        ("https://rendezvouspasseport.ants.gouv.fr/", "rendezvouspasseport.ants.gouv.fr"),
        ("https://ants.gouv.fr/nos-missions/rendez-vous", "ants.gouv.fr"),
    ],
)
def test_appointment_known_platform_whatever_the_label(make_page, href, platform):
    result = run(make_page, "appointment", f'<a href="{href}">Passeport et CNI</a>')
    assert result.found
    assert result.value[0]["platform"] == platform


def test_appointment_plain_text_does_not_count(make_page):
    body = "<p>Accueil sur rendez-vous.</p><p>Lun 14h–17h30 · Mer sur RDV · Ven 8h30–11h30</p>"
    assert not run(make_page, "appointment", body).found


def test_appointment_in_page_anchor_recorded_but_not_found(make_page):
    body = '<nav><a href="/#prise-de-rendez-vous">PRISE DE RENDEZ-VOUS</a></nav>'
    result = run(make_page, "appointment", body, url="https://mon.hopital.fr/mentions")
    assert not result.found
    assert result.value == [
        {
            "url": "https://mon.hopital.fr/#prise-de-rendez-vous",
            "booking_link": False,
            "platform": None,
        }
    ]
    assert result.evidence  # the reader can see what was looked at


def test_appointment_cancel_and_phone_links_are_not_online_booking(make_page):
    body = (
        '<a href="/annuler">Annuler un rendez-vous</a>'
        '<a href="tel:0123456789">Prendre rendez-vous par téléphone</a>'
    )
    assert not run(make_page, "appointment", body).found


# -- service_public_link ----------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "https://www.service-public.fr/particuliers/vosdroits/F1234",
        "http://service-public.fr",
        "//www.service-public.fr/",
        "https://formulaires.service-public.fr/gf/cerfa_12100.do",
    ],
)
def test_service_public_link(make_page, href):
    result = run(make_page, "service_public_link", f'<a href="{href}">Démarche</a>')
    assert result.found
    assert "service-public.fr" in result.value[0]


def test_service_public_text_without_link_does_not_count(make_page):
    body = '<p>Voir service-public.fr</p><a href="https://service-public.fr.example.com/">x</a>'
    assert not run(make_page, "service_public_link", body).found


# -- chat -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "src, provider",
    [
        ("https://client.crisp.chat/l.js", "crisp"),
        ("https://embed.tawk.to/123/default", "tawk"),
        ("https://static.zdassets.com/ekr/snippet.js?key=x", "zendesk"),
        ("https://widget.intercom.io/widget/abc", "intercom"),
        ("https://halc.iadvize.com/iadvize.js?sid=1", "iadvize"),
        ("https://code.tidio.co/abc.js", "tidio"),
    ],
)
def test_chat_widget_script(make_page, src, provider):
    result = run(make_page, "chat", f'<script src="{src}" async></script><p>Bienvenue</p>')
    assert result.found
    assert result.value["widgets"] == [provider]


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="/chat">Chat</a>',
        '<a href="/tchat">Tchat en ligne</a>',
        '<button type="button">Discuter avec un conseiller</button>',
        '<a href="/messagerie-instantanee">Messagerie instantanée</a>',
        '<button aria-label="Chat en ligne"><img src="bulle.svg" alt=""></button>',
    ],
)
def test_chat_entry_points(make_page, markup):
    assert run(make_page, "chat", markup).found


def test_chat_the_cat_is_not_a_chat(make_page):
    body = '<a href="/refuge/adopter">Adopter un chat</a><p>Le chat de la mairie</p>'
    assert not run(make_page, "chat", body).found


def test_chat_login_only_messaging_recorded_not_found(make_page):
    body = '<a href="/connexion?next=/messagerie">Ma messagerie sécurisée</a>'
    result = run(make_page, "chat", body)
    assert not result.found
    assert result.value["login_messaging"] == [
        "https://www.mairie-exemple.fr/connexion?next=/messagerie"
    ]


def test_chat_script_inside_text_does_not_count(make_page):
    body = "<script>var s='https://client.crisp.chat/l.js';</script><p>Rien</p>"
    assert not run(make_page, "chat", body).found


# -- faq --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "FAQ",
        "F.A.Q.",
        "Foire aux questions",
        "Foires aux questions",
        "Questions fréquentes",
        "Aide",
        "Centre d'aide",
        "Besoin d’aide ?",
        "Aide et contact",
        "Tutoriels vidéo",
        "Questions / réponses",
    ],
)
def test_faq_labels(make_page, label):
    result = run(make_page, "faq", f'<a href="/page-{len(label)}">{label}</a>')
    assert result.found, label


@pytest.mark.parametrize(
    "label, href",
    [
        ("Aides sociales", "/aides-sociales"),
        ("Aide à domicile", "/seniors/aide-a-domicile"),
        ("Aide à l’embauche des jeunes", "/emploi/aide-embauche"),
        ("Les aides au logement", "/logement/aides"),
        ("Aide exceptionnelle aux employeurs", "/aide-exceptionnelle"),
    ],
)
def test_faq_aide_as_a_benefit_does_not_count(make_page, label, href):
    assert not run(make_page, "faq", f'<a href="{href}">{label}</a>').found


@pytest.mark.parametrize("href", ["/faq", "/Accueil/FAQ.aspx", "/aide/", "/questions-frequentes"])
def test_faq_targets(make_page, href):
    assert run(make_page, "faq", f'<a href="{href}"><img src="i.svg" alt=""></a>').found


def test_faq_page_itself(make_page):
    page = make_page(
        "<html><head><title>Foire aux questions - Mairie</title></head><body><h1>FAQ</h1>"
        "</body></html>",
        URL,
    )
    result = REGISTRY["faq"](page)
    assert result.found and result.value == [URL]


def test_faq_in_page_anchor_does_not_count(make_page):
    assert not run(make_page, "faq", '<a href="#faq">FAQ</a>').found


# -- quality_results, oups_link, franceconnect --------------------------------------------


def test_quality_results_portal_link(make_page):
    body = '<a href="https://www.resultats-services-publics.gouv.fr/">Résultats</a>'
    assert run(make_page, "quality_results", body).found


@pytest.mark.parametrize(
    "label",
    ["Nos résultats", "Services Publics +", "Qualité de service", "Indicateurs de satisfaction"],
)
def test_quality_results_labels(make_page, label):
    assert run(make_page, "quality_results", f'<a href="/qualite">{label}</a>').found


def test_quality_results_page_heading(make_page):
    body = "<h2>Nos indicateurs de qualité de service 2024</h2><p>92 % de satisfaits</p>"
    assert run(make_page, "quality_results", body).found


def test_quality_results_absent(make_page):
    body = '<a href="/resultats-elections">Résultats des élections</a><p>Nos services</p>'
    assert not run(make_page, "quality_results", body).found


def test_oups_link(make_page):
    body = '<a href="https://www.oups.gouv.fr/">Droit à l’erreur</a>'
    assert run(make_page, "oups_link", body).found
    assert not run(make_page, "oups_link", "<p>Oups ! oups.gouv.fr</p>").found


def test_franceconnect_link_and_dsfr_button(make_page):
    link = '<a href="https://franceconnect.gouv.fr/">Qu’est-ce que FranceConnect ?</a>'
    result = run(make_page, "franceconnect", link)
    assert result.found and result.value["links"] == ["https://franceconnect.gouv.fr/"]
    button = (
        '<div class="fr-connect-group"><button class="fr-connect">'
        '<span class="fr-connect__login">S’identifier avec</span>'
        '<span class="fr-connect__brand">FranceConnect</span></button></div>'
    )
    result = run(make_page, "franceconnect", button)
    assert result.found and result.value["button"] is True
    assert "button" in result.evidence[0].xpath


def test_franceconnect_absent(make_page):
    body = '<div class="fr-connect-group-x">Se connecter</div><a href="/connexion">Connexion</a>'
    assert not run(make_page, "franceconnect", body).found


# -- legal_notice, privacy --------------------------------------------------------------


def test_legal_notice_and_privacy(make_page):
    body = (
        '<footer><a href="/mentions-legales">Mentions légales</a>'
        '<a href="/donnees-personnelles">Données personnelles et cookies</a></footer>'
    )
    assert run(make_page, "legal_notice", body).value == [
        "https://www.mairie-exemple.fr/mentions-legales"
    ]
    assert run(make_page, "privacy", body).value == [
        "https://www.mairie-exemple.fr/donnees-personnelles"
    ]


def test_privacy_policy_label(make_page):
    body = '<a href="/pc">Politique de confidentialité</a>'
    assert run(make_page, "privacy", body).found
    assert not run(make_page, "legal_notice", body).found


def test_legal_notice_text_without_link_does_not_count(make_page):
    body = "<p>Mentions légales : la mairie est éditrice du site.</p>"
    assert not run(make_page, "legal_notice", body).found
    assert not run(make_page, "privacy", "<p>Vos données personnelles sont protégées.</p>").found
