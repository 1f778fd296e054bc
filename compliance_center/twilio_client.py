"""The one way the project builds a Twilio SDK client: its HTTP requests go to
TWILIO_API_BASE_URL (default https://api.twilio.com; a local fake in tests and benchmarks), over
one pooled session per process. Used by the SMS backend (messaging) and the connection check of
the Twilio settings page (workspaces)."""

from functools import cache
from typing import Any

import requests
from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_ORIGIN = "https://api.twilio.com"
TIMEOUT_SECONDS = 10
# Connections kept per host: as many as the threads of an `outbound` worker (docker-compose.yml)
# that send at once, or each send past the pool's size would open a new connection.
HTTP_POOL_SIZE = 64


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to `base_url` instead of api.twilio.com."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_ORIGIN):
            url = self.base_url + url[len(TWILIO_ORIGIN) :]
        return super().request(method, url, *args, **kwargs)


@cache
def http_client(base_url: str) -> TwilioHttpClient:
    """One pooled HTTP session per process and base URL, reused by every call (and shared by
    the threads of a threads-pool worker: requests' pool is thread-safe)."""
    client = BaseUrlHttpClient(base_url, timeout=TIMEOUT_SECONDS, pool_connections=True)
    for scheme in ("https://", "http://"):
        client.session.mount(scheme, requests.adapters.HTTPAdapter(pool_maxsize=HTTP_POOL_SIZE))
    return client


def twilio_client(account_sid: str, auth_token: str) -> Client:
    """An SDK client for one account, talking to TWILIO_API_BASE_URL."""
    return Client(account_sid, auth_token, http_client=http_client(settings.TWILIO_API_BASE_URL))
