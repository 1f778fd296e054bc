"""Outbound sends through the real twilio SDK against a loopback fake of Twilio's API."""

import pytest

from compliance_center.api_errors import http_status
from compliance_center.errors import DomainError
from messaging.models import Message
from messaging.services.outbound import message_send
from optout.models import ConsentEvent, OptOut
from optout.services import compliance_settings_update
from tests.support.twilio_webhooks import STATUS
from tests.support.world import ACCOUNT_SID, AUTH_TOKEN, CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db

SIG = "Reply STOP to opt out."


def test_send_reaches_twilio_with_credentials_and_status_callback(
    world, fake_twilio, send, settings
):
    message = send("Your order shipped")
    [request] = fake_twilio.requests
    assert request.account_sid == ACCOUNT_SID
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)  # decrypted from the database
    assert (request.to, request.from_, request.body) == (CONTACT, NUMBER_A, "Your order shipped")
    assert request.params["StatusCallback"] == f"{settings.PUBLIC_BASE_URL}{STATUS}?m={message.id}"
    assert message.status == "sending"
    assert message.provider_sid.startswith("SM")


def test_signature_every_message(world, fake_twilio, send):
    compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    first, second = send("One"), send("Two")
    assert first.body == f"One\n{SIG}" and second.body == f"Two\n{SIG}"
    assert [r.body for r in fake_twilio.requests] == [first.body, second.body]


def test_signature_first_in_conversation_only(world, fake_twilio, send):
    compliance_settings_update(workspace=world.workspace, signature_mode="first_in_conversation")
    assert send("One").body == f"One\n{SIG}"
    assert send("Two").body == "Two"
    # A conversation is a phone number × contact: the other number starts its own.
    assert send("Three", number=NUMBER_B).body == f"Three\n{SIG}"


def test_signature_never_appended_twice(world, fake_twilio, send):
    compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    assert send(f"Hi\n{SIG}").body == f"Hi\n{SIG}"


def test_signature_off(world, fake_twilio, send):
    assert send("Plain").body == "Plain"


def test_segments_count_the_final_text(world, fake_twilio, send):
    compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    message = send("x" * 150)  # 150 + newline + 22 > 160
    assert (message.segments, message.encoding) == (2, "GSM-7")
    assert send("😀").encoding == "UCS-2"


def test_send_time_recheck_wins_over_a_queued_message(world, fake_twilio, text_in):
    from messaging.tasks import message_deliver

    message = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    text_in("STOP")  # arrives while the message waits in the queue
    message_deliver.delay(message.id)
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.error_code == "recipient_opted_out"
    assert fake_twilio.sent_to(CONTACT)[0].body.startswith("You have been unsubscribed")
    assert len(fake_twilio.sent_to(CONTACT)) == 1  # only the confirmation went out


def test_error_21610_fails_and_records_a_carrier_opt_out(world, fake_twilio, send):
    fake_twilio.fail_next(
        status=400, code=21610, message="Attempt to send to unsubscribed recipient"
    )
    message = send()
    assert (message.status, message.error_code) == ("failed", "21610")
    event = ConsentEvent.objects.get()
    assert (event.kind, event.source) == ("opt_out", "carrier")
    assert OptOut.objects.get().source == "carrier"
    with pytest.raises(DomainError):
        send()
    assert len(fake_twilio.requests) == 1


def test_server_errors_are_retried_then_succeed(world, fake_twilio, send):
    fake_twilio.fail_next(status=500, code=20500, times=2)
    message = send()
    assert message.status == "sending" and message.provider_sid
    assert message.attempts == 3
    assert len(fake_twilio.requests) == 3


def test_persistent_server_errors_fail_with_the_code_kept(world, fake_twilio, send, settings):
    settings.SEND_MAX_RETRIES = 2
    fake_twilio.fail_next(status=503, code=20503, times=10)
    message = send()
    assert (message.status, message.error_code) == ("failed", "20503")
    assert len(fake_twilio.requests) == 3


def test_client_errors_fail_at_once_with_the_code(world, fake_twilio, send):
    fake_twilio.fail_next(status=400, code=21211, message="Invalid 'To' Phone Number")
    message = send()
    assert (message.status, message.error_code) == ("failed", "21211")
    assert "Invalid" in message.error_message
    assert len(fake_twilio.requests) == 1


@pytest.mark.parametrize(
    "to, code", [("not a number", "invalid_number"), ("+1415555", "invalid_number")]
)
def test_invalid_numbers_are_refused(world, to, code):
    with pytest.raises(DomainError) as refused:
        message_send(workspace=world.workspace, from_number=NUMBER_A, to=to, body="x")
    assert (refused.value.code, http_status(refused.value.code)) == (code, 400)


def test_any_common_format_is_normalised(world, send):
    message = send(to="(415) 555-0123")
    assert message.conversation.contact.phone == CONTACT


def test_system_replies_bypass_the_block_list_once(world, fake_twilio, text_in):
    text_in("STOP")
    text_in("HELP")  # the contact is blocked; the answer to their own text still goes out
    bodies = [r.body for r in fake_twilio.sent_to(CONTACT)]
    assert len(bodies) == 2 and bodies[0].startswith("You have been unsubscribed")
    assert bodies[1].startswith("Reply STOP to opt out")
    assert Message.objects.filter(source="system").count() == 2


def test_a_send_moves_its_conversation_to_the_top_of_the_inbox(world, send):
    from messaging.models import Conversation

    message = send()
    assert Conversation.objects.get().last_message_at == message.created_at
