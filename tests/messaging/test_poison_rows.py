"""Any sender Twilio can send from is stored and processed (a STOP from a short code or a
WhatsApp address is an opt-out); a row that keeps failing becomes a dead letter with its error,
shown in the Compliance Center and the API, and never keeps the sweeper from other rows."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from messaging.models import InboundMessage
from messaging.services import inbound as inbound_service
from messaging.services.sweep import lost_inbound
from messaging.tasks import inbound_process
from optout.models import OptOut

SMS = "/webhooks/twilio/sms/"


def _post(client, world, body, sender, sid):
    params = {
        "MessageSid": sid,
        "AccountSid": world.workspace.twilio_account_sid,
        "From": sender,
        "To": world.number_a.number,
        "Body": body,
    }
    signature = RequestValidator(world.auth_token).compute_signature(
        settings.PUBLIC_BASE_URL + SMS, params
    )
    return client.post(SMS, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.mark.parametrize(
    "sender, contact",
    [
        ("72345", "72345"),  # a short code
        ("ACMEBANK", "ACMEBANK"),  # an alphanumeric sender id
        # A channel address with a phone number is that number's contact: the STOP blocks it.
        ("whatsapp:+14155550123", "+14155550123"),
        ("ACME-ALERTS-0123456789-ABCDEFGH",) * 2,  # 31 characters: longer than the old column
        ("x" * 64,) * 2,
    ],
)
def test_a_stop_from_any_sender_twilio_can_send_is_an_opt_out(
    world, client, sender, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world, "STOP", sender, "SMstop")
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.from_number, inbound.processed_at is not None) == (contact, True)
    assert OptOut.objects.get().contact.phone == contact


def test_a_sender_longer_than_any_twilio_sends_is_refused_with_400(world, client):
    response = _post(client, world, "STOP", "x" * 65, "SMlong")
    assert response.status_code == 400
    assert b"From longer than 64" in response.content
    assert not InboundMessage.objects.exists()


def test_a_row_that_keeps_failing_becomes_a_dead_letter_with_its_error(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise ValueError("cannot read this row")

    monkeypatch.setattr(inbound_service, "inbound_process", broken)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, world, "Hello", "+14155550123", "SMbad").status_code == 200
    row = InboundMessage.objects.get()
    assert (row.attempts, row.dead_at) == (1, None)
    for _ in range(settings.INBOUND_MAX_ATTEMPTS - 1):
        inbound_process.apply(args=[row.id])  # the sweeper's retries
    row.refresh_from_db()
    assert row.attempts == settings.INBOUND_MAX_ATTEMPTS
    assert row.dead_at is not None
    assert row.last_error == "ValueError: cannot read this row"
    # A dead letter is left alone by the sweeper.
    InboundMessage.objects.update(last_attempt_at=timezone.now() - timedelta(days=1))
    assert lost_inbound(older_than_seconds=60) == []


def test_dead_letters_are_listed_and_can_be_processed_again(
    world, api, client, django_capture_on_commit_callbacks
):
    dead = InboundMessage.objects.create(
        workspace=world.workspace,
        phone_number=world.number_a,
        message_sid="SMdead",
        from_number="+14155550123",
        body="STOP",
        attempts=8,
        last_error="OperationalError: the database was away",
        dead_at=timezone.now(),
    )
    listed = api.get("/api/v1/dead-letters").json()["results"]
    assert [(r["id"], r["last_error"]) for r in listed] == [
        (dead.id, "OperationalError: the database was away")
    ]
    client.force_login(world.manager_user)
    page = client.get("/compliance/dead-letters/")
    assert page.status_code == 200 and b"the database was away" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/dead-letters/{dead.id}/retry")
    assert response.status_code == 202
    dead.refresh_from_db()
    assert dead.processed_at is not None and dead.dead_at is None
    assert OptOut.objects.filter(contact__phone="+14155550123").exists()  # the STOP counts now
    assert api.get("/api/v1/dead-letters").json()["results"] == []


def test_agents_do_not_see_dead_letters(world, client):
    client.force_login(world.agent_user)
    assert client.get("/compliance/dead-letters/").status_code == 403


def test_rows_that_failed_before_never_starve_a_row_that_did_not(world):
    long_ago = timezone.now() - timedelta(days=1)
    failed = [
        InboundMessage(
            workspace=world.workspace,
            phone_number=world.number_a,
            message_sid=f"SMpoison{i}",
            from_number="+14155550123",
            body="x",
            attempts=1,
            last_attempt_at=long_ago,
        )
        for i in range(1010)
    ]
    InboundMessage.objects.bulk_create(failed)
    InboundMessage.objects.update(received_at=long_ago)
    stuck = InboundMessage.objects.create(
        workspace=world.workspace,
        phone_number=world.number_a,
        message_sid="SMreal",
        from_number="+14155550124",
        body="STOP",
    )
    InboundMessage.objects.filter(pk=stuck.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )
    due = lost_inbound(older_than_seconds=60, limit=1000)
    assert due[0] == stuck.id
    # A row that failed waits out its backoff before it is tried again.
    InboundMessage.objects.filter(attempts=1).update(last_attempt_at=timezone.now())
    assert lost_inbound(older_than_seconds=60, limit=1000) == [stuck.id]


@pytest.mark.parametrize("sender", ["SHOP6502001234", "A2125551234"])
def test_an_alphanumeric_sender_with_digits_is_never_made_a_phone_number(
    world, client, sender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, world, "STOP", sender, "SMalpha").status_code == 200
    assert OptOut.objects.get().contact.phone == sender  # not +16502001234 or +12125551234


def test_a_nul_in_a_signed_text_costs_no_opt_out(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world, "STOP\x00", "+14155550123", "SMnul")
    assert response.status_code == 200
    assert OptOut.objects.filter(contact__phone="+14155550123").exists()
    assert InboundMessage.objects.get().body == "STOP"


def test_sweeps_that_pile_up_queue_a_failing_row_once_per_backoff(world):
    from messaging.services.sweep import mark_swept

    row = InboundMessage.objects.create(
        workspace=world.workspace,
        phone_number=world.number_a,
        message_sid="SMpile",
        from_number="+14155550123",
        body="x",
        attempts=1,
        last_attempt_at=timezone.now() - timedelta(hours=1),
    )
    assert lost_inbound(older_than_seconds=60) == [row.id]
    mark_swept([row.id])
    # The worker is away and beat sweeps again, and again: the row waits for its backoff.
    assert lost_inbound(older_than_seconds=60) == []
    InboundMessage.objects.filter(pk=row.pk).update(swept_at=timezone.now() - timedelta(minutes=3))
    assert lost_inbound(older_than_seconds=60) == [row.id]
