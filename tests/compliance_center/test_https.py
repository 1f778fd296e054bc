"""HTTPS in production: with an https PUBLIC_BASE_URL and DEBUG off, plain http is redirected to
https (except /healthz, which the container's health check calls over http on 127.0.0.1) and
every secure answer carries HSTS. The embedded mode (http, or DEBUG) keeps plain http."""

import pytest

from tests.support.settings_probe import settings_in_subprocess

NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
]


def test_production_with_an_https_origin_redirects_and_sends_hsts():
    found = settings_in_subprocess(NAMES, PUBLIC_BASE_URL="https://cc.example.com", DEBUG="false")
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 31536000
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_is_configurable():
    found = settings_in_subprocess(
        NAMES,
        PUBLIC_BASE_URL="https://cc.example.com",
        DEBUG="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
    )
    assert (found["SECURE_HSTS_SECONDS"], found["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (3600, False)


@pytest.mark.parametrize(
    "env",
    [
        {"PUBLIC_BASE_URL": "http://127.0.0.1:8000", "DEBUG": "false"},
        {"PUBLIC_BASE_URL": "https://cc.example.com", "DEBUG": "true"},
    ],
)
def test_the_embedded_mode_keeps_plain_http(env):
    found = settings_in_subprocess(NAMES, **env)
    assert not found["SECURE_SSL_REDIRECT"]
    assert not found["SECURE_HSTS_SECONDS"]


@pytest.fixture
def https_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_plain_http_is_redirected_to_https(client, https_production):
    response = client.get("/login/?next=/inbox/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/?next=/inbox/"


def test_healthz_answers_over_plain_http(client, https_production):
    assert client.get("/healthz").status_code in (200, 503)


def test_https_behind_the_proxy_is_served_with_hsts(client, https_production, db):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_twilio_webhooks_over_https_are_not_redirected(client, https_production, db):
    response = client.post("/webhooks/twilio/sms/", {}, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code != 301
