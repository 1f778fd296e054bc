"""A message left in `sending` by a worker that died during the Twilio call is looked up at
Twilio (the real SDK against the loopback fake) before anything is sent again: found, it takes
Twilio's id; not found, it is sent once. Neither lost nor sent twice."""

from datetime import timedelta

from django.utils import timezone

from messaging.models import Message
from messaging.services.delivery import message_reconcile
from messaging.services.outbound import message_send
from messaging.services.sweep import lost_sending_messages
from messaging.tasks import messaging_sweep

CONTACT = "+14155550123"


def _send(world, django_capture_on_commit_callbacks, body="Your order is ready"):
    with django_capture_on_commit_callbacks(execute=True):
        return message_send(
            workspace=world.workspace, from_number=world.number_a.number, to=CONTACT, body=body
        )


def _crashed_during_the_call(message: Message) -> None:
    """What a worker killed between Twilio's acceptance and our update leaves behind."""
    Message.objects.filter(pk=message.pk).update(
        status="sending", provider_sid=None, updated_at=timezone.now() - timedelta(minutes=5)
    )


def test_a_half_sent_message_twilio_accepted_takes_its_id_and_is_not_sent_again(
    world, fake_twilio, django_capture_on_commit_callbacks
):
    message = _send(world, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    accepted_sid = message.provider_sid
    _crashed_during_the_call(message)
    assert lost_sending_messages(older_than_seconds=60) == [message.id]
    with django_capture_on_commit_callbacks(execute=True):
        messaging_sweep.apply()
    message.refresh_from_db()
    assert (message.provider_sid, message.status) == (accepted_sid, "sending")
    assert len(fake_twilio.sent_to(CONTACT)) == 1


def test_a_half_sent_message_twilio_never_got_is_sent_once(
    world, fake_twilio, django_capture_on_commit_callbacks
):
    fake_twilio.fail_next(status=503, code=20503, message="down", times=1)
    # The first attempt never reached Twilio's books (a 503); then the worker "died".
    message = Message.objects.create(
        workspace=world.workspace,
        conversation=_send(world, django_capture_on_commit_callbacks, "Earlier").conversation,
        direction="outbound",
        source="api",
        body="Never reached Twilio",
        status="sending",
    )
    _crashed_during_the_call(message)
    with django_capture_on_commit_callbacks(execute=True):
        assert message_reconcile(message_id=message.id).status == "queued"
    message.refresh_from_db()
    assert message.status == "sending" and message.provider_sid
    assert [r.body for r in fake_twilio.sent_to(CONTACT)].count("Never reached Twilio") == 1


def test_a_message_that_settled_meanwhile_is_left_alone(
    world, fake_twilio, django_capture_on_commit_callbacks
):
    message = _send(world, django_capture_on_commit_callbacks)
    assert message_reconcile(message_id=message.id).status == "settled"
    assert len(fake_twilio.sent_to(CONTACT)) == 1


def test_a_send_still_inside_its_twilio_call_is_not_looked_up(
    world, fake_twilio, django_capture_on_commit_callbacks
):
    message = _send(world, django_capture_on_commit_callbacks)
    Message.objects.filter(pk=message.pk).update(status="sending", provider_sid=None)
    assert lost_sending_messages(older_than_seconds=5) == []  # just now: a live worker's
