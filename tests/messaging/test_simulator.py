"""Phone simulator: a contact's text goes through the signed Twilio webhook (a real HTTP request in
the app; here routed to Django's test client), and the phone shows what reached it."""

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.test import Client

from messaging import simulator
from messaging.models import InboundMessage, Message, MessageStatus
from optout.models import OptOut
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook_calls(monkeypatch, django_capture_on_commit_callbacks):
    """Routes the simulator's `requests.post` to the webhook through a fresh Django client
    (no session: the webhook trusts only the signature) and runs what it queued."""
    calls = []
    carrier = Client()

    def fake_post(url, data, headers, timeout):
        calls.append(SimpleNamespace(url=url, data=data, headers=headers))
        with django_capture_on_commit_callbacks(execute=True):
            response = carrier.post(
                urlsplit(url).path, data, HTTP_X_TWILIO_SIGNATURE=headers["X-Twilio-Signature"]
            )
        return SimpleNamespace(status_code=response.status_code, text=response.content.decode())

    monkeypatch.setattr(simulator.requests, "post", fake_post)
    return calls


@pytest.fixture
def member(client, world):
    assert client.login(username="agent@acme.test", password="pw-agent-1")
    return client


def phone_text(client, contact=CONTACT, number=NUMBER_A) -> str:
    html = client.get("/simulator/screen/", {"contact": contact, "number": number}).content
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_simulator_page_offers_the_workspace_numbers(member):
    page = member.get("/simulator/").content.decode()
    assert "Phone simulator" in page
    assert "(415) 555-0100" in page and "(415) 555-0101" in page


def test_a_text_goes_through_the_signed_webhook(member, world, webhook_calls):
    response = member.post(
        "/simulator/send/", {"contact": "(415) 555-0123", "number": NUMBER_A, "body": "Hi there"}
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "sim-sent"
    [call] = webhook_calls
    assert call.url == "http://testserver/webhooks/twilio/sms/"
    assert call.data["From"] == CONTACT and call.data["To"] == NUMBER_A
    assert re.fullmatch(r"SM[0-9a-f]{32}", call.data["MessageSid"])
    inbound = InboundMessage.objects.get()
    assert inbound.message_sid == call.data["MessageSid"]
    assert inbound.processed_at is not None
    assert "Hi there" in phone_text(member)


def test_stop_from_the_simulator_opts_out_and_the_phone_shows_the_confirmation(
    member, world, webhook_calls
):
    member.post("/simulator/send/", {"contact": CONTACT, "number": NUMBER_A, "body": "STOP"})
    assert OptOut.objects.filter(contact__phone=CONTACT).exists()
    screen = phone_text(member)
    assert "STOP" in screen
    assert "You have been unsubscribed" in screen


def test_the_phone_shows_what_the_workspace_sent_but_not_failed_sends(
    member, world, django_capture_on_commit_callbacks
):
    from messaging.services.outbound import message_send

    with django_capture_on_commit_callbacks(execute=True):
        message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hello!")
        failed = message_send(
            workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Never arrived"
        )
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED)
    screen = phone_text(member)
    assert "Hello!" in screen
    assert "Never arrived" not in screen
    assert "Hello!" not in phone_text(member, number=NUMBER_B)  # another thread on the phone


def test_invalid_contact_number_is_refused_without_a_webhook(member, world, webhook_calls):
    response = member.post("/simulator/send/", {"contact": "12", "number": NUMBER_A, "body": "Hi"})
    assert "“12” is not a valid phone number" in response.content.decode()
    assert webhook_calls == []
    assert "is not a valid phone number" in phone_text(member, contact="12")


def test_another_workspace_number_cannot_be_texted(member, other_world, webhook_calls):
    response = member.post(
        "/simulator/send/", {"contact": CONTACT, "number": "+14155550199", "body": "Hi"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert webhook_calls == []
    assert "Pick a workspace number" in phone_text(member, number="+14155550199")


def test_webhook_refusal_is_shown(member, world, monkeypatch):
    monkeypatch.setattr(
        simulator.requests,
        "post",
        lambda *a, **k: SimpleNamespace(status_code=403, text="invalid X-Twilio-Signature"),
    )
    response = member.post(
        "/simulator/send/", {"contact": CONTACT, "number": NUMBER_A, "body": "x"}
    )
    assert "The webhook answered 403: invalid X-Twilio-Signature" in response.content.decode()
    assert "HX-Trigger" not in response


def test_simulator_is_absent_when_disabled(member, settings):
    settings.SIMULATOR_ENABLED = False
    assert member.get("/simulator/").status_code == 404
    assert member.post("/simulator/send/", {"body": "x"}).status_code == 404
    assert member.get("/simulator/screen/").status_code == 404


def test_simulator_needs_a_login(client, world):
    assert client.get("/simulator/").status_code == 302
