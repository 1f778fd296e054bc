"""A dead broker never costs an answer: a webhook answers at once and keeps its row for the
sweeper, a recorded opt-out answers success (API, block list page, a 21610 status callback),
and health says the broker is down within a second. Celery publishes for real here, to a port
where nothing listens."""

import time

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

from messaging.models import InboundMessage, Message
from messaging.services.outbound import message_send
from messaging.tasks import messaging_sweep
from optout.models import ConsentEvent, OptOut, WebhookDelivery, WebhookEndpoint
from tests.support.broker import broker_down

CONTACT = "+14155550123"
# A publish used to retry for about 0.6 s on a refused connection (and wait out redis-py's
# backoff on an unreachable host); one request now spends a few milliseconds on it.
FAST = 0.4


def _signed(client, world, path, params):
    signature = RequestValidator(world.auth_token).compute_signature(
        settings.PUBLIC_BASE_URL + path, params
    )
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def _inbound(world, body, sid):
    return {
        "MessageSid": sid,
        "AccountSid": world.workspace.twilio_account_sid,
        "From": CONTACT,
        "To": world.number_a.number,
        "Body": body,
    }


@pytest.fixture
def crm(world):
    return WebhookEndpoint.objects.create(
        workspace=world.workspace, url="https://crm.example.com/hook", secret="s"
    )


def test_a_webhook_answers_at_once_and_its_row_waits_for_the_sweeper(
    world, client, django_capture_on_commit_callbacks
):
    _signed(client, world, "/webhooks/twilio/sms/", _inbound(world, "warm-up", "SM0"))
    with broker_down():
        started = time.monotonic()  # the answer and what the commit publishes, as in a request
        with django_capture_on_commit_callbacks(execute=True):
            response = _signed(client, world, "/webhooks/twilio/sms/", _inbound(world, "Hi", "SM1"))
        elapsed = time.monotonic() - started
    assert response.status_code == 200 and b"<Response/>" in response.content
    assert elapsed < FAST, f"the webhook waited {elapsed:.2f} s on a dead broker"
    inbound = InboundMessage.objects.get(message_sid="SM1")
    assert inbound.processed_at is None
    # The broker is back: the sweeper finds the row and it is processed.
    InboundMessage.objects.filter(pk=inbound.pk).update(
        received_at=inbound.received_at.replace(year=2020)
    )
    messaging_sweep.apply()
    assert Message.objects.filter(direction="inbound", body="Hi").exists()


def test_a_stop_is_on_record_when_the_webhook_answers_even_without_a_broker(
    world, client, crm, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = _signed(client, world, "/webhooks/twilio/sms/", _inbound(world, "STOP", "SM2"))
    assert response.status_code == 200
    assert OptOut.objects.filter(contact__phone=CONTACT).exists()
    # Its confirmation and its CRM notification are rows the sweepers will queue.
    assert Message.objects.filter(source="system", status="queued").count() == 1
    assert WebhookDelivery.objects.get().status == "pending"


def test_an_api_opt_out_recorded_without_a_broker_answers_201(
    api, world, crm, django_capture_on_commit_callbacks
):
    api.get("/api/v1/opt-outs")  # warm-up: the first request of a process loads much
    with broker_down():
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                "/api/v1/opt-outs",
                {"contact": CONTACT, "phone_number": world.number_a.number, "reason": "by phone"},
                format="json",
            )
        elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < FAST
    assert ConsentEvent.objects.get().source == "api"
    assert WebhookDelivery.objects.get().status == "pending"  # swept once the broker is back


def test_a_block_list_opt_out_recorded_without_a_broker_lands_on_the_contact(
    client, world, crm, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_user)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/compliance/block-list/opt-out/",
            {"contact": CONTACT, "phone_number": world.number_a.pk, "reason": "asked in store"},
        )
    assert response.status_code == 302
    assert OptOut.objects.filter(contact__phone=CONTACT).exists()


def test_a_21610_status_callback_without_a_broker_records_the_opt_out(
    world, client, crm, fake_twilio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(
            workspace=world.workspace, from_number=world.number_a.number, to=CONTACT, body="Hi"
        )
    message.refresh_from_db()
    params = {
        "MessageSid": message.provider_sid,
        "MessageStatus": "failed",
        "ErrorCode": "21610",
        "From": world.number_a.number,
        "To": CONTACT,
    }
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = _signed(client, world, "/webhooks/twilio/status/", params)
    assert response.status_code == 204
    assert OptOut.objects.get().source == "carrier"


def test_health_says_the_broker_is_down_within_a_second(client, db):
    with broker_down():
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"].startswith("down")
    assert elapsed < 1.0, f"/healthz took {elapsed:.2f} s"
