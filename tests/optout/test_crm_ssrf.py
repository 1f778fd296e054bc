"""CRM webhook endpoints cannot aim the server at its own network (server-side request forgery):
in production `POST /api/v1/webhook-endpoints` refuses http and every loopback, private or
link-local URL, literal or by name (400 url_not_allowed, the field named), and each delivery
checks the address it connects to again, so a name that resolves elsewhere by then (DNS
rebinding) fails at once, without retry, with the reason as its error."""

import pytest

from optout import crm, crm_http, url_rules
from optout.models import WebhookDelivery, WebhookEndpoint
from tests.support.crm_receiver import CrmReceiver
from tests.support.fake_dns import FakeDns
from tests.support.tls_crm import TlsCrm

ENDPOINTS = "/api/v1/webhook-endpoints"


@pytest.fixture
def production(settings):
    settings.CRM_ALLOW_PRIVATE_URLS = False


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(crm_http, "resolve", fake)
    return fake


@pytest.fixture
def receiver():
    started = CrmReceiver().start()
    yield started
    started.stop()


@pytest.fixture
def tls_crm(tmp_path, monkeypatch):
    crm_server = TlsCrm(tmp_path).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", crm_server.ca_file)
    yield crm_server
    crm_server.stop()


def _create(api, url):
    return api.post(ENDPOINTS, {"url": url}, format="json")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://[::1]/",
        "https://127.0.0.1:8443/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://192.168.1.20/crm",
        "https://[fd00::5]/",
        "https://[::ffff:10.0.0.5]/",
        "https://localhost/hook",
    ],
)
def test_private_loopback_and_link_local_urls_are_refused(api, production, dns, url):
    response = _create(api, url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "url_not_allowed"
    assert "public internet" in body["detail"]
    assert list(body["fields"]) == ["url"]
    assert WebhookEndpoint.objects.count() == 0
    assert dns.asked == []  # judged from the URL alone


def test_a_name_that_resolves_to_a_private_address_is_refused(api, production, dns):
    dns.set("crm.attacker.example", "93.184.215.14", "10.0.0.5")
    response = _create(api, "https://crm.attacker.example/hook")
    assert response.status_code == 400
    assert response.json() == {
        "code": "url_not_allowed",
        "detail": "crm.attacker.example resolves to 10.0.0.5, a private address: "
        "CRM notifications go only to public internet addresses.",
        "fields": {"url": [response.json()["detail"]]},
    }


def test_http_is_refused_in_production(api, production, dns):
    dns.set("crm.example.com", "93.184.215.14")
    response = _create(api, "http://crm.example.com/hook")
    assert response.status_code == 400
    assert response.json()["code"] == "url_not_allowed"
    assert response.json()["detail"] == "The URL must use https."


def test_https_to_a_public_name_is_accepted_without_connecting(api, production, dns):
    dns.set("crm.example.com", "93.184.215.14")
    response = _create(api, "https://crm.example.com/hook")
    assert response.status_code == 201, response.content
    assert response.json()["url"] == "https://crm.example.com/hook"
    assert dns.asked == ["crm.example.com"]


def test_a_name_that_does_not_resolve_yet_is_accepted(api, production, dns):
    """Every delivery checks again; a DNS hiccup does not block the setup."""
    assert _create(api, "https://crm.not-yet.example/hook").status_code == 201


def test_loopback_http_is_accepted_when_private_urls_are_allowed(api, settings, dns):
    settings.CRM_ALLOW_PRIVATE_URLS = True
    assert _create(api, "http://127.0.0.1:8000/hook").status_code == 201


def test_a_loopback_endpoint_is_not_posted_to_in_production(world, production, receiver, text_in):
    """An endpoint stored while private URLs were allowed (or before this check existed)."""
    WebhookEndpoint.objects.create(workspace=world.workspace, url=receiver.url, secret="s")
    text_in("STOP")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)  # no retry
    assert delivery.last_error == (
        "Refused: 127.0.0.1 is a loopback address: "
        "CRM notifications go only to public internet addresses."
    )
    assert receiver.received == []


def test_a_name_rebound_to_loopback_after_creation_is_refused_at_delivery(
    api, world, production, dns, tls_crm, text_in
):
    dns.set("crm.test", "93.184.215.14")  # public when the endpoint is created
    assert _create(api, tls_crm.url).status_code == 201
    dns.set("crm.test", "127.0.0.1")  # then the attacker's DNS answers with loopback
    text_in("STOP")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error.startswith("Refused: crm.test resolves to 127.0.0.1, a loopback")
    assert tls_crm.received == []


def test_a_name_that_stops_resolving_is_retried_not_refused(
    api, world, production, dns, tls_crm, text_in
):
    dns.set("crm.test", "93.184.215.14")
    assert _create(api, tls_crm.url).status_code == 201
    del dns.answers["crm.test"]
    text_in("STOP")  # eager tasks: the retries run at once
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", crm.MAX_RETRIES + 1)
    assert "does not resolve" in delivery.last_error


def test_a_delivery_goes_to_the_checked_address_over_tls(
    world, production, dns, tls_crm, text_in, monkeypatch
):
    """The production path end to end. The only server here is on loopback, so the test says
    loopback counts as public; the name resolves to it and the certificate is checked for it."""
    monkeypatch.setattr(url_rules, "_kind", lambda address: None)
    dns.set("crm.test", "127.0.0.1")
    WebhookEndpoint.objects.create(workspace=world.workspace, url=tls_crm.url, secret="crm-secret")
    text_in("STOP")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, "")
    [received] = tls_crm.received
    assert received.host_header == f"crm.test:{tls_crm.port}"
    assert b'"type": "contact.opt_out"' in received.body
    assert dns.asked == ["crm.test"]
