"""End to end with PostgreSQL, Redis and a real Celery worker process (plus its beat).

Webhooks go through the real URL with real signatures; sends go through the real twilio SDK to a
loopback fake of Twilio's API. Run by CI with DATABASE_URL and REDIS_URL set; skipped (and, with
REQUIRE_ALL_TESTS=1, failed) elsewhere.
"""

import threading

import pytest
from django.test import Client
from django.utils import timezone

from compliance_center.errors import DomainError
from messaging.models import InboundMessage, Message
from messaging.services.outbound import message_send
from optout.models import ConsentEvent, OptOut
from optout.services import compliance_settings_update
from tests.support.twilio_webhooks import SMS, inbound_params, post_signed
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def text_in(body, **kwargs):
    response = post_signed(Client(), SMS, inbound_params(body, **kwargs))
    assert response.status_code == 200
    return response


def processed(count=1):
    return lambda: InboundMessage.objects.filter(processed_at__isnull=False).count() >= count


def send(world, number=NUMBER_A):
    return message_send(workspace=world.workspace, from_number=number, to=CONTACT, body="Hi")


@pytest.mark.parametrize("scope", ["inbox", "phone_number"])
def test_stop_blocks_confirms_once_and_refuses_sends(world, celery_worker, fake_twilio, scope):
    compliance_settings_update(workspace=world.workspace, opt_out_scope=scope)
    text_in("Stop!", to=NUMBER_A)
    wait_for(lambda: fake_twilio.sent_to(CONTACT), message="the confirmation reaches Twilio")
    with pytest.raises(DomainError):
        send(world, NUMBER_A)
    if scope == "inbox":
        with pytest.raises(DomainError):
            send(world, NUMBER_B)
    else:
        assert send(world, NUMBER_B).status == "queued"
    [confirmation] = [r for r in fake_twilio.sent_to(CONTACT) if "unsubscribed" in r.body]
    assert confirmation.from_ == NUMBER_A
    assert ConsentEvent.objects.count() == 1


def test_start_lifts_the_block(world, celery_worker, fake_twilio):
    text_in("STOP")
    wait_for(lambda: OptOut.objects.exists(), message="opt-out recorded")
    text_in("START")
    wait_for(lambda: not OptOut.objects.exists(), message="opt-out lifted")
    message = send(world, NUMBER_B)
    wait_for(
        lambda: Message.objects.get(pk=message.pk).provider_sid, message="the send reaches Twilio"
    )
    assert any(r.body == "Hi" for r in fake_twilio.sent_to(CONTACT))


def test_four_concurrent_deliveries_make_one_event_and_one_confirmation(
    world, celery_worker, fake_twilio
):
    params = inbound_params("STOP", sid="SM" + "c" * 32)
    answers = []
    start = threading.Barrier(4)

    def deliver():
        from django.db import connection

        start.wait()
        try:
            answers.append(post_signed(Client(), SMS, params).status_code)
        finally:
            connection.close()  # this thread's own; it would outlive the test database

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 4
    wait_for(lambda: fake_twilio.sent_to(CONTACT), message="the confirmation reaches Twilio")
    wait_for(processed(), message="processed")
    # give any duplicate a chance to show up before counting
    wait_for(lambda: Message.objects.filter(source="system", status="sending").exists())
    assert InboundMessage.objects.count() == 1
    assert ConsentEvent.objects.count() == 1
    assert len(fake_twilio.sent_to(CONTACT)) == 1


def test_send_time_recheck_wins_over_a_queued_message(
    world, celery_worker, fake_twilio, monkeypatch
):
    from messaging import tasks
    from messaging.services import outbound

    # The message waits in a backed-up queue: stored as queued, not yet handed to the worker.
    monkeypatch.setattr(outbound, "enqueue", lambda job, *args: None)
    waiting = send(world)
    monkeypatch.undo()
    text_in("STOP")
    wait_for(lambda: OptOut.objects.exists(), message="opt-out recorded")
    tasks.message_deliver.delay(waiting.id)
    wait_for(
        lambda: Message.objects.get(pk=waiting.pk).status == "failed",
        message="the queued message is refused at send time",
    )
    waiting.refresh_from_db()
    assert waiting.error_code == "recipient_opted_out"
    assert not [r for r in fake_twilio.sent_to(CONTACT) if r.body == "Hi"]


def test_sweeper_recovers_an_inbound_row_whose_task_never_ran(world, celery_worker, fake_twilio):
    # As if the webhook stored the row and then the broker lost the task.
    InboundMessage.objects.create(
        workspace=world.workspace,
        phone_number=world.number_a,
        message_sid="SM" + "e" * 32,
        from_number=CONTACT,
        body="STOP",
        params={},
    )
    InboundMessage.objects.update(received_at=timezone.now() - timezone.timedelta(minutes=5))
    wait_for(processed(), timeout=20, message="the sweeper re-queues the row")
    assert OptOut.objects.get().source == "keyword"
    wait_for(lambda: fake_twilio.sent_to(CONTACT), message="the confirmation reaches Twilio")


def test_carrier_21610_becomes_an_opt_out(world, celery_worker, fake_twilio):
    fake_twilio.fail_next(status=400, code=21610, message="unsubscribed recipient")
    message = send(world)
    wait_for(lambda: Message.objects.get(pk=message.pk).status == "failed")
    assert OptOut.objects.get().source == "carrier"


def test_a_stop_the_webhook_cannot_process_in_time_goes_to_the_worker(
    world, celery_worker, fake_twilio, settings
):
    """The webhook processes a keyword text itself but never waits long on a lock: with the
    contact's row locked elsewhere it answers, and the worker records the opt-out later."""
    from django.db import connection, transaction

    from workspaces.models import Contact

    settings.KEYWORD_INLINE_LOCK_WAIT_MS = 100
    contact = Contact.objects.create(workspace=world.workspace, phone=CONTACT)
    locked, release = threading.Event(), threading.Event()

    def hold_the_contact_row():
        with transaction.atomic():
            Contact.objects.select_for_update().get(pk=contact.pk)
            locked.set()
            release.wait(20)
        connection.close()

    holder = threading.Thread(target=hold_the_contact_row)
    holder.start()
    try:
        assert locked.wait(10)
        text_in("STOP")
        assert InboundMessage.objects.get().processed_at is None  # not done in the request
        assert not OptOut.objects.exists()
    finally:
        release.set()
        holder.join()
    wait_for(lambda: OptOut.objects.filter(contact=contact).exists(), message="opt-out recorded")
    wait_for(lambda: fake_twilio.sent_to(CONTACT), message="the confirmation reaches Twilio")
    assert ConsentEvent.objects.count() == 1
