"""SMS backends: `twilio` (the official SDK) and `simulator` (messages stay in the database)."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)

TWILIO_ORIGIN = "https://api.twilio.com"


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # our MessageStatus value


class ProviderError(Exception):
    def __init__(self, code: str, message: str, retryable: bool):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.retryable = code, message, retryable


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends the SDK's requests to TWILIO_API_BASE_URL instead of api.twilio.com."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_ORIGIN):
            url = self.base_url + url[len(TWILIO_ORIGIN) :]
        return super().request(method, url, *args, **kwargs)


# Connections kept per host: as many as the threads of an `outbound` worker (docker-compose.yml)
# that send at once, or each send past the pool's size would open a new connection.
HTTP_POOL_SIZE = 64


@cache
def _http_client(base_url: str) -> TwilioHttpClient:
    # One pooled HTTP session per process, reused by every send (and shared by the threads of a
    # threads-pool worker: requests' pool is thread-safe).
    client = BaseUrlHttpClient(base_url, timeout=10, pool_connections=True)
    for scheme in ("https://", "http://"):
        client.session.mount(scheme, requests.adapters.HTTPAdapter(pool_maxsize=HTTP_POOL_SIZE))
    return client


# Twilio's message statuses, as ours (MessageStatus); the others ("accepted", "scheduled"…) are
# still on their way: "sending".
TWILIO_STATUS = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
}


class TwilioBackend:
    name = "twilio"

    def _client(self, workspace) -> Client:
        return Client(
            workspace.twilio_account_sid,
            workspace.twilio_auth_token,
            http_client=_http_client(settings.TWILIO_API_BASE_URL),
        )

    def find_sent(
        self, *, workspace, from_number: str, to: str, body: str, since: datetime
    ) -> SendResult | None:
        """The message Twilio accepted from `from_number` to `to` with this `body` since `since`,
        if any: a send whose answer was lost (the worker died during the call) is found here
        instead of being sent twice. Raises ProviderError when Twilio cannot be asked."""
        try:
            recent = self._client(workspace).messages.list(to=to, from_=from_number, limit=50)
        except TwilioRestException as exc:
            raise ProviderError(str(exc.code or exc.status), exc.msg or "", True) from exc
        except requests.RequestException as exc:
            raise ProviderError("network", str(exc), retryable=True) from exc
        for found in recent:
            created = found.date_created
            if found.body == body and (created is None or created >= since):
                return SendResult(
                    provider_sid=found.sid,
                    status=TWILIO_STATUS.get(str(found.status), "sending"),
                )
        return None

    def send(
        self, *, workspace, from_number: str, to: str, body: str, message_id=None
    ) -> SendResult:
        # Our id rides in the (signed) callback URL: Twilio may call back before we have stored
        # the SID it answers with.
        callback = settings.PUBLIC_BASE_URL + reverse("twilio-status")
        if message_id is not None:
            callback += f"?m={message_id}"
        try:
            sent = self._client(workspace).messages.create(
                to=to,
                from_=from_number,
                body=body,
                status_callback=callback,
            )
        except TwilioRestException as exc:
            retryable = exc.status is None or exc.status >= 500 or exc.status == 429
            raise ProviderError(str(exc.code or exc.status), exc.msg or "", retryable) from exc
        except requests.RequestException as exc:
            raise ProviderError("network", str(exc), retryable=True) from exc
        return SendResult(provider_sid=sent.sid, status="sending")


class SimulatorBackend:
    """Delivers at once: the phone simulator page reads the messages from the database."""

    name = "simulator"

    def send(
        self, *, workspace, from_number: str, to: str, body: str, message_id=None
    ) -> SendResult:
        logger.info("simulator SMS %s -> %s: %s", from_number, to, body)
        return SendResult(provider_sid="SM" + uuid.uuid4().hex, status="delivered")

    def find_sent(
        self, *, workspace, from_number: str, to: str, body: str, since: datetime
    ) -> SendResult | None:
        """The simulator delivers within the send call: nothing is ever half sent."""
        return None


def get_backend():
    backends = {"twilio": TwilioBackend, "simulator": SimulatorBackend}
    try:
        return backends[settings.SMS_BACKEND]()
    except KeyError as exc:
        raise ValueError(f"SMS_BACKEND must be one of {sorted(backends)}") from exc
