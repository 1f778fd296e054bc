"""Signed Twilio webhooks: what the carrier posts to the app, with real X-Twilio-Signature values.

(Named so as not to shadow the `twilio` SDK.)"""

from django.conf import settings as django_settings
from twilio.request_validator import RequestValidator

from tests.support.world import ACCOUNT_SID, AUTH_TOKEN, CONTACT, NUMBER_A

SMS = "/webhooks/twilio/sms/"
STATUS = "/webhooks/twilio/status/"


def sign(path: str, params: dict, auth_token: str = AUTH_TOKEN) -> str:
    return RequestValidator(auth_token).compute_signature(
        django_settings.PUBLIC_BASE_URL + path, params
    )


_sid_counter = iter(range(10**9))


def inbound_params(body: str, *, to: str = NUMBER_A, from_: str = CONTACT, sid: str | None = None):
    return {
        "MessageSid": sid or f"SM{next(_sid_counter):032d}",
        "AccountSid": ACCOUNT_SID,
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }


def post_signed(client, path: str, params: dict, auth_token: str = AUTH_TOKEN):
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(path, params, auth_token))
