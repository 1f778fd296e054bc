"""The CRM's connection goes to the address that was checked (optout/crm_http.py): a name is
resolved once, every address checked, and the socket opened to a checked address while TLS still
verifies the certificate against the name. Tests resolve names through a fake resolver; the only
server they reach is a loopback one."""

import ipaddress

import pytest
import requests

from optout import crm_http
from tests.support.fake_dns import FakeDns
from tests.support.tls_crm import TlsCrm

LOOPBACK = ipaddress.ip_address("127.0.0.1")
PUBLIC = ipaddress.ip_address("93.184.215.14")


@pytest.fixture
def tls_crm(tmp_path):
    crm = TlsCrm(tmp_path).start()
    yield crm
    crm.stop()


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(crm_http, "resolve", fake)
    return fake


def _pinned_session(address):
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", crm_http.PinnedAddressAdapter(address))
    return session


def test_the_connection_goes_to_the_pinned_address_and_tls_checks_the_name(tls_crm):
    # crm.test resolves nowhere: only the pinned address can have been connected to.
    with _pinned_session(LOOPBACK) as session:
        response = session.post(tls_crm.url, data=b"{}", verify=tls_crm.ca_file, timeout=5)
    assert response.status_code == 200
    [received] = tls_crm.received
    assert received.host_header == f"crm.test:{tls_crm.port}"
    assert received.path == "/hook"


def test_a_certificate_for_another_name_is_refused(tmp_path):
    impostor = TlsCrm(tmp_path, name="other.test").start()
    try:
        url = f"https://crm.test:{impostor.port}/hook"
        with _pinned_session(LOOPBACK) as session, pytest.raises(requests.exceptions.SSLError):
            session.post(url, data=b"{}", verify=impostor.ca_file, timeout=5)
    finally:
        impostor.stop()
    assert impostor.received == []


def test_a_public_name_gives_its_first_address(dns):
    dns.set("crm.example.com", "93.184.215.14", "2606:4700::1")
    assert crm_http.checked_address("https://crm.example.com/hook") == PUBLIC


@pytest.mark.parametrize(
    "answer", [["127.0.0.1"], ["10.0.0.5"], ["93.184.215.14", "10.0.0.5"], ["::1"]]
)
def test_a_name_with_any_private_address_is_refused(dns, answer):
    dns.set("crm.example.com", *answer)
    with pytest.raises(crm_http.UrlRefused, match="crm.example.com resolves to"):
        crm_http.checked_address("https://crm.example.com/hook")


def test_a_name_that_does_not_resolve_is_a_connection_error_worth_a_retry(dns):
    with pytest.raises(requests.ConnectionError, match="does not resolve"):
        crm_http.checked_address("https://nowhere.example/hook")


def test_a_literal_address_is_judged_without_a_lookup(dns):
    assert crm_http.checked_address("https://93.184.215.14/hook") == PUBLIC
    with pytest.raises(crm_http.UrlRefused, match="169.254.169.254 is a link-local address"):
        crm_http.checked_address("https://169.254.169.254/latest/meta-data/")
    assert dns.asked == []


def test_post_connects_to_the_checked_address(settings, monkeypatch, tls_crm):
    settings.CRM_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(crm_http, "checked_address", lambda url: LOOPBACK)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_crm.ca_file)
    response = crm_http.post(tls_crm.url, body=b"{}", headers={}, timeout=5)
    assert response.status_code == 200
    assert [r.host_header for r in tls_crm.received] == [f"crm.test:{tls_crm.port}"]


def test_post_does_not_follow_a_redirect(settings, monkeypatch, tls_crm):
    settings.CRM_ALLOW_PRIVATE_URLS = False
    tls_crm.redirect_to = "http://169.254.169.254/latest/meta-data/"
    monkeypatch.setattr(crm_http, "checked_address", lambda url: LOOPBACK)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_crm.ca_file)
    response = crm_http.post(tls_crm.url, body=b"{}", headers={}, timeout=5)
    assert response.status_code == 302
    assert len(tls_crm.received) == 1


def test_post_ignores_proxies_from_the_environment(settings, monkeypatch, tls_crm):
    """A proxy would resolve the name again, past the check."""
    settings.CRM_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(crm_http, "checked_address", lambda url: LOOPBACK)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_crm.ca_file)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "")
    assert crm_http.post(tls_crm.url, body=b"{}", headers={}, timeout=5).status_code == 200
