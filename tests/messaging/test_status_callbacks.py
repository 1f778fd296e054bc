"""Twilio's status callbacks: signed, forward-only, error codes kept, 21610 becomes a carrier
opt-out, and a callback that beats the send task is kept."""

import pytest

from messaging.services.outbound import message_send
from optout.models import OptOut
from tests.support.twilio_webhooks import STATUS, post_signed
from tests.support.world import ACCOUNT_SID, CONTACT, NUMBER_A

pytestmark = pytest.mark.django_db


def status(client, message, value, **extra):
    params = {
        "MessageSid": message.provider_sid,
        "MessageStatus": value,
        "From": NUMBER_A,
        "To": CONTACT,
        "AccountSid": ACCOUNT_SID,
        **extra,
    }
    return post_signed(client, STATUS, params)


def test_status_moves_forward_only(world, fake_twilio, send, client):
    message = send()
    for value, expected in [
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("sent", "delivered"),
        ("queued", "delivered"),
        ("failed", "delivered"),
    ]:
        assert status(client, message, value).status_code == 204
        message.refresh_from_db()
        assert message.status == expected


def test_undelivered_keeps_the_error_code(world, fake_twilio, send, client):
    message = send()
    status(client, message, "undelivered", ErrorCode="30003")
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("undelivered", "30003")


def test_status_21610_records_a_carrier_opt_out(world, fake_twilio, send, client):
    message = send()
    status(client, message, "failed", ErrorCode="21610")
    assert OptOut.objects.get().source == "carrier"


def test_status_callback_needs_a_valid_signature(world, fake_twilio, send, client):
    message = send()
    params = {"MessageSid": message.provider_sid, "MessageStatus": "delivered", "From": NUMBER_A}
    assert client.post(STATUS, params, HTTP_X_TWILIO_SIGNATURE="bad").status_code == 403
    message.refresh_from_db()
    assert message.status == "sending"


def test_status_callback_for_unknown_sid_or_number(world, client):
    params = {"MessageSid": "SMnope", "MessageStatus": "delivered", "From": NUMBER_A}
    assert post_signed(client, STATUS, params).status_code == 404
    assert post_signed(client, STATUS, {**params, "From": "+14155550177"}).status_code == 404
    assert post_signed(client, STATUS, {"MessageSid": "SMx"}).status_code == 400


def test_a_status_callback_that_beats_the_send_task_is_kept(
    world, fake_twilio, client, monkeypatch, django_capture_on_commit_callbacks
):
    """Twilio answers the send, then calls back before the task has stored the SID: the
    callback finds the message by the id in its signed URL, and the task keeps its status."""
    from messaging import backends

    real_send = backends.TwilioBackend.send

    def send_then_call_back(self, **kwargs):
        result = real_send(self, **kwargs)
        path = f"{STATUS}?m={kwargs['message_id']}"
        params = {"MessageSid": result.provider_sid, "MessageStatus": "delivered", "From": NUMBER_A}
        assert post_signed(client, path, params).status_code == 204
        return result

    monkeypatch.setattr(backends.TwilioBackend, "send", send_then_call_back)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(
            workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi"
        )
    message.refresh_from_db()
    assert len(fake_twilio.requests) == 1
    assert message.status == "delivered"  # not set back to "sending" by the task
    assert message.provider_sid and message.provider_sid.startswith("SM")
