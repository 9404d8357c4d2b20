"""Site scope, link priority and crawler-trap rules."""

from __future__ import annotations

import pytest

from crawler.scope import is_page_url, is_private_host, link_score, site_key, trap_reason


def test_site_key_is_the_registrable_domain():
    assert site_key("https://www.mairie-exemple.fr/contact") == "mairie-exemple.fr"
    assert site_key("https://demarches.mairie-exemple.fr/") == "mairie-exemple.fr"
    # gouv.fr is a public suffix: two ministries are two sites.
    assert site_key("https://www.interieur.gouv.fr/") == "interieur.gouv.fr"
    assert site_key("https://www.interieur.gouv.fr/") != site_key("https://www.ecologie.gouv.fr/")


def test_site_key_keeps_the_port_for_ip_literals_and_localhost():
    assert site_key("http://127.0.0.1:8001/a") == "127.0.0.1:8001"
    assert site_key("http://127.0.0.1:8001/") != site_key("http://127.0.0.1:8002/")
    assert site_key("http://localhost/") == "localhost:80"


def test_private_hosts():
    assert is_private_host("127.0.0.1")
    assert is_private_host("10.1.2.3")
    assert is_private_host("169.254.169.254")
    assert is_private_host("[::1]")
    assert is_private_host("localhost")
    assert not is_private_host("8.8.8.8")
    assert not is_private_host("www.service-public.fr")


def test_page_urls_skip_documents_and_other_schemes():
    assert is_page_url("https://a.fr/contact")
    assert is_page_url("https://a.fr/page.html")
    assert not is_page_url("https://a.fr/rapport.PDF")
    assert not is_page_url("mailto:a@a.fr")
    assert not is_page_url("javascript:void(0)")


def test_priority_prefers_the_pages_that_carry_findings():
    contact = link_score("Nous contacter", "https://a.fr/nous-contacter")
    a11y = link_score("Accessibilité : partiellement conforme", "https://a.fr/accessibilite")
    news = link_score("Actualités", "https://a.fr/actualites/fete-du-village")
    assert contact > news and a11y > news
    assert link_score("Actualités", "https://a.fr/x", in_chrome=True) > news


def test_trap_rules():
    assert trap_reason("https://a.fr/" + "x" * 500, 400, 3)
    assert trap_reason("https://a.fr/a/b/a/b/a/b/a/b", 400, 3)
    assert trap_reason("https://a.fr/agenda/2024/mois/2025", 400, 3) is None


def test_private_addresses_refuse_literals_and_names_resolving_inside(monkeypatch):
    """The rule the audit browser's navigation guard applies: a literal private address,
    a public-looking name that resolves to one, a name that cannot be resolved (fails
    closed). Each call resolves again: a name that changes its answer is seen."""
    import asyncio
    import socket

    from crawler.addresses import PrivateAddresses

    resolved: list[str] = []
    answers = {
        "intranet.mairie.example": ["10.0.0.7"],
        "www.mairie.example": ["93.184.216.34"],
        "rebind.example": ["93.184.216.34", "127.0.0.1"],
    }

    async def fake_getaddrinfo(self, host, port, **kwargs):
        resolved.append(host)
        if host not in answers:
            raise socket.gaierror("inconnu")
        ip = answers[host][min(resolved.count(host), len(answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 0))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)

    async def scenario():
        guard = PrivateAddresses()
        return [
            await guard.refusal(url)
            for url in (
                "http://127.0.0.1:8080/admin",
                "http://[::1]/",
                "http://LocalHost:8000/",
                "http://intranet.mairie.example/",
                "https://www.mairie.example/contact",
                "https://nulle-part.example/",
                "http://rebind.example/",
                "http://rebind.example/encore",
                "file:///tmp/page.html",
            )
        ]

    loopback, v6, localhost, intranet, public, unknown, first, second, file = asyncio.run(
        scenario()
    )
    assert loopback == "adresse privée ou locale refusée : 127.0.0.1"
    assert v6 == "adresse privée ou locale refusée : ::1"
    assert localhost == "adresse privée ou locale refusée : localhost"
    assert intranet == (
        "adresse privée ou locale refusée : intranet.mairie.example (résolu en 10.0.0.7)"
    )
    assert public is None and file is None
    assert unknown.startswith("adresse introuvable pour nulle-part.example")
    assert first is None and second.endswith("rebind.example (résolu en 127.0.0.1)")
    assert resolved.count("rebind.example") == 2  # no answer kept
    assert "127.0.0.1" not in resolved and "localhost" not in resolved  # literals: no lookup


def test_the_address_rule_allows_public_and_opened_networks_only():
    from crawler.addresses import AddressRule

    rule = AddressRule(["127.0.0.2/32", "10.20.0.0/16", "fd00:1::/64"])
    assert rule.allows("93.184.216.34") and rule.allows("2001:4860:4860::8888")
    assert rule.allows("127.0.0.2") and rule.allows("10.20.3.4") and rule.allows("fd00:1::5")
    for refused in ("127.0.0.1", "10.21.0.1", "192.168.1.1", "169.254.169.254", "::1"):
        assert not rule.allows(refused), refused
    assert not rule.allows("::ffff:127.0.0.1")  # IPv4-mapped loopback is loopback
    assert not rule.allows("0.0.0.0") and not rule.allows("pas-une-adresse")
    assert rule.host_refusal("www.mairie.fr") is None  # a name: only its connection tells
    assert rule.host_refusal("127.0.0.2") is None
    assert rule.host_refusal("[::1]") == "adresse privée ou locale refusée : ::1"
    assert rule.address_refusal("a.fr", "127.0.0.1", peer=True) == (
        "adresse privée ou locale refusée : a.fr (connecté à 127.0.0.1)"
    )
    assert rule.address_refusal("a.fr", None, peer=True) == (
        "adresse du serveur inconnue : réponse de a.fr refusée par prudence"
    )
    anything = AddressRule(allow_private=True)
    assert anything.allows("127.0.0.1") and anything.address_refusal("a", None, peer=True) is None
    with pytest.raises(
        ValueError, match="réseau invalide dans VIGIE_ALLOWED_NETWORKS : 'intranet'"
    ):
        AddressRule(["intranet"])


def test_the_peer_address_of_each_response_is_checked_before_it_is_used():
    """The crawler's last word on a response (``PeerAddressMiddleware``, nearest the
    download): the address it came from must be allowed, and known."""
    import ipaddress
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.exceptions import NotConfigured
    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings

    from crawler.addresses import AddressRule
    from crawler.middlewares import GuardRefused, PeerAddressMiddleware

    middleware = PeerAddressMiddleware(AddressRule(["127.0.0.2/32"]))
    request = Request("http://www.mairie.example/contact")

    def answer(ip):
        address = None if ip is None else ipaddress.ip_address(ip)
        return HtmlResponse(request.url, body=b"<p>secret</p>", ip_address=address)

    for ip in ("93.184.216.34", "127.0.0.2"):
        response = answer(ip)
        assert middleware.process_response(request, response) is response
    for ip, reason in (
        (
            "127.0.0.1",
            "adresse privée ou locale refusée : www.mairie.example (connecté à 127.0.0.1)",
        ),
        ("10.0.0.7", "adresse privée ou locale refusée : www.mairie.example (connecté à 10.0.0.7)"),
        (None, "adresse du serveur inconnue : réponse de www.mairie.example refusée par prudence"),
    ):
        with pytest.raises(GuardRefused) as refused:
            middleware.process_response(request, answer(ip))
        assert (refused.value.kind, refused.value.reason) == ("adresse privée", reason)
    for allow, configured in ((True, False), (False, True)):
        crawler = SimpleNamespace(settings=Settings({"VIGIE_ALLOW_PRIVATE": allow}), stats=None)
        if configured:
            assert PeerAddressMiddleware.from_crawler(crawler).rule.allow_private is False
        else:
            with pytest.raises(NotConfigured):
                PeerAddressMiddleware.from_crawler(crawler)
