"""Inbound SMS through the real webhook URL with real X-Twilio-Signature values."""

import pytest

from compliance_center.errors import DomainError
from messaging.models import Conversation, InboundMessage, Message
from messaging.services.outbound import message_send
from optout.models import ConsentEvent, OptOut
from optout.services import compliance_settings_update, keyword_add
from tests.support.consent import replies
from tests.support.twilio_webhooks import SMS, inbound_params, post_signed, sign
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.django_db


def send(world, number=NUMBER_A, to=CONTACT, body="Hello"):
    return message_send(workspace=world.workspace, from_number=number, to=to, body=body)


def test_stop_is_stored_processed_and_confirmed(world, text_in):
    response = text_in("Stop.")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    inbound = InboundMessage.objects.get()
    assert inbound.processed_at is not None
    assert inbound.message.body == "Stop."
    event = ConsentEvent.objects.get()
    assert (event.kind, event.source, event.scope) == ("opt_out", "keyword", "inbox")
    # The ledger keeps its own copy of the evidence, not a link to the inbound row.
    assert (event.message_body, event.message_sid) == ("Stop.", inbound.message_sid)
    assert event.received_at == inbound.received_at
    assert sorted(event.numbers) == [NUMBER_A, NUMBER_B]
    [reply] = replies()
    assert reply.body.startswith("You have been unsubscribed")
    assert "START" in reply.body  # says how to opt back in
    assert reply.reply_to == inbound
    assert reply.conversation.phone_number.number == NUMBER_A  # from the number texted
    assert reply.status == "delivered"  # simulator backend


def test_stop_under_inbox_scope_blocks_every_number(world, text_in):
    text_in("STOP", to=NUMBER_A)
    for number in (NUMBER_A, NUMBER_B):
        with pytest.raises(DomainError) as refused:
            send(world, number)
        assert refused.value.code == "recipient_opted_out"


def test_stop_under_phone_number_scope_blocks_only_that_number(world, text_in):
    compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    text_in("stop", to=NUMBER_A)
    with pytest.raises(DomainError):
        send(world, NUMBER_A)
    assert send(world, NUMBER_B).status in ("queued", "delivered")
    assert ConsentEvent.objects.get().numbers == [NUMBER_A]


def test_switching_scope_to_inbox_widens_earlier_per_number_opt_outs(world, text_in):
    compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    text_in("stop", to=NUMBER_A)
    compliance_settings_update(workspace=world.workspace, opt_out_scope="inbox")
    with pytest.raises(DomainError):
        send(world, NUMBER_B)


def test_switching_scope_to_per_number_keeps_inbox_promises(world, text_in):
    text_in("stop", to=NUMBER_A)
    compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    with pytest.raises(DomainError):
        send(world, NUMBER_B)


def test_start_lifts_the_opt_out_and_confirms(world, text_in):
    text_in("STOP")
    text_in("start")
    assert not OptOut.objects.exists()
    assert send(world).status == "queued"  # accepted, not refused
    kinds = list(ConsentEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["opt_out", "opt_in"]
    assert replies()[-1].body.startswith("You have been re-subscribed")


def test_start_under_phone_number_scope_lifts_only_the_number_texted(world, text_in):
    compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    text_in("STOP", to=NUMBER_A)
    text_in("STOP", to=NUMBER_B)
    text_in("START", to=NUMBER_B)
    with pytest.raises(DomainError):
        send(world, NUMBER_A)
    assert send(world, NUMBER_B)


def test_help_replies_without_consent_change(world, text_in):
    text_in("HELP")
    [reply] = replies()
    assert reply.body.startswith("Reply STOP to opt out")
    assert not ConsentEvent.objects.exists()


def test_help_reply_reaches_an_opted_out_contact_once(world, text_in):
    text_in("STOP")
    text_in("info")
    assert [r.status for r in replies()] == ["delivered", "delivered"]
    with pytest.raises(DomainError):
        send(world)


def test_confirmation_off_sends_nothing_but_still_blocks(world, text_in):
    compliance_settings_update(workspace=world.workspace, opt_out_confirmation_enabled=False)
    text_in("STOP")
    assert replies() == []
    assert OptOut.objects.count() == 1


def test_edited_confirmation_text_is_used(world, text_in):
    compliance_settings_update(
        workspace=world.workspace, opt_out_confirmation_text="Bye from Acme. Text START to return."
    )
    text_in("unsubscribe")
    assert replies()[0].body == "Bye from Acme. Text START to return."


def test_confirmations_never_carry_the_signature(world, text_in):
    compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    text_in("STOP")
    text_in("HELP")
    settings = world.workspace.compliance_settings
    settings.refresh_from_db()
    assert [r.body for r in replies()] == [settings.opt_out_confirmation_text, settings.help_text]
    assert not any(r.signature_applied for r in replies())


def test_custom_keyword_with_language_reply(world, text_in):
    keyword_add(
        workspace=world.workspace,
        kind="opt_out",
        keyword="Abbestellen",
        language="de",
        reply_text="Sie sind abgemeldet. Antworten Sie START, um sich wieder anzumelden.",
    )
    text_in("ABBESTELLEN")
    assert OptOut.objects.count() == 1
    assert replies()[0].body.startswith("Sie sind abgemeldet.")


def test_ordinary_conversation_changes_no_consent(world, text_in):
    text_in("Can you stop by at 5?")
    text_in("STOPPED")
    assert not ConsentEvent.objects.exists()
    assert replies() == []
    conversation = Conversation.objects.get()
    assert conversation.unread_count == 2
    assert conversation.messages.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        "🎉 Thanks! 👍🏽",
        "ｆｕｌｌｗｉｄｔｈ text",
        "مرحبا، كيف حالك؟",
        "שלום",
        "x" * 1600,
        "naïve café ñ",
    ],
)
def test_any_unicode_body_up_to_1600_chars_is_stored_intact(world, text_in, body):
    text_in(body)
    assert InboundMessage.objects.get().body == body
    assert Message.objects.get(direction="inbound").body == body


def test_unicode_stop_variants_opt_out(world, text_in):
    text_in("ＳＴＯＰ")
    assert OptOut.objects.count() == 1


def test_duplicate_delivery_is_a_no_op(world, client, django_capture_on_commit_callbacks):
    params = inbound_params("STOP", sid="SM" + "d" * 32)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert post_signed(client, SMS, params).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert ConsentEvent.objects.count() == 1
    assert len(replies()) == 1


def test_processing_twice_changes_nothing(world, text_in):
    from messaging.services.inbound import inbound_process

    text_in("STOP")
    assert inbound_process(inbound_id=InboundMessage.objects.get().id) is None
    assert ConsentEvent.objects.count() == 1 and len(replies()) == 1


def test_bad_signature_is_refused_and_nothing_stored(world, client):
    params = inbound_params("STOP")
    response = client.post(SMS, params, HTTP_X_TWILIO_SIGNATURE=sign(SMS, params, "wrong-token"))
    assert response.status_code == 403
    assert client.post(SMS, params).status_code == 403  # missing signature
    tampered = {**params, "Body": "hello"}
    response = client.post(SMS, tampered, HTTP_X_TWILIO_SIGNATURE=sign(SMS, params))
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_unknown_to_number_is_404(world, client):
    params = inbound_params("STOP", to="+14155550177")
    assert post_signed(client, SMS, params).status_code == 404
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("missing", ["MessageSid", "From", "To", "Body"])
def test_missing_parameter_is_400_and_nothing_stored(world, client, missing):
    params = inbound_params("STOP")
    del params[missing]
    response = post_signed(client, SMS, params)
    assert response.status_code == 400
    assert missing.encode() in response.content
    assert not InboundMessage.objects.exists()


def test_body_over_1600_chars_is_400(world, client):
    response = post_signed(client, SMS, inbound_params("x" * 1601))
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_get_is_not_allowed(world, client):
    assert client.get(SMS).status_code == 405


def test_unparsable_sender_is_kept_as_sent(world, text_in):
    text_in("STOP", from_="22395")  # a short code
    assert Contact.objects.get().phone == "22395"
    assert OptOut.objects.count() == 1


def test_broker_outage_keeps_the_row_for_the_sweeper(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    from messaging import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.inbound_process, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, SMS, inbound_params("See you at 5"))
    assert response.status_code == 200  # Twilio gets its answer; the row is kept
    inbound = InboundMessage.objects.get()
    assert inbound.processed_at is None
    monkeypatch.undo()
    InboundMessage.objects.update(received_at=inbound.received_at.replace(year=2020))
    assert tasks.messaging_sweep.apply().get() == {
        "inbound": 1,
        "messages": 0,
        "sending": 0,
        "released": 0,
    }
    assert Message.objects.get(direction="inbound").body == "See you at 5"


# Arrêt: the French pack; Abbestellen: a custom keyword.
@pytest.mark.parametrize("body", ["STOP", "opt out", "Arrêt", "Abbestellen"])
def test_an_opt_out_is_on_record_when_the_webhook_answers(world, client, monkeypatch, body):
    keyword_add(workspace=world.workspace, kind="opt_out", keyword="ABBESTELLEN", language="de")
    queued = _queued_lanes(monkeypatch)
    # No on-commit callback runs and no task is queued: only the request itself did the work.
    assert post_signed(client, SMS, inbound_params(body)).status_code == 200
    assert InboundMessage.objects.get().processed_at is not None
    assert queued == []
    with pytest.raises(DomainError):
        send(world)
    assert ConsentEvent.objects.get().source == "keyword"


@pytest.mark.parametrize("body", ["HELP", "start"])
def test_help_and_start_are_answered_from_the_webhook_too(world, client, monkeypatch, body):
    queued = _queued_lanes(monkeypatch)
    assert post_signed(client, SMS, inbound_params(body)).status_code == 200
    assert InboundMessage.objects.get().processed_at is not None
    assert queued == []
    [reply] = replies()
    assert reply.reply_to == InboundMessage.objects.get()


@pytest.mark.parametrize("body", ["Can you stop by at 5?", "x" * 1600])
def test_other_texts_are_queued_not_processed_in_the_request(
    world, client, monkeypatch, body, django_capture_on_commit_callbacks
):
    queued = _queued_lanes(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_signed(client, SMS, inbound_params(body)).status_code == 200
    assert queued == ["inbound"]
    assert InboundMessage.objects.get().processed_at is None


# ---------------------------------------------------------------- per-process caches


def _queued_lanes(monkeypatch):
    from messaging import tasks

    queued = []
    monkeypatch.setattr(
        tasks.inbound_process, "apply_async", lambda args, queue, **kw: queued.append(queue)
    )
    return queued


def test_a_rotated_twilio_token_is_honoured_at_once(world, client):
    assert post_signed(client, SMS, inbound_params("hello")).status_code == 200  # cached
    world.workspace.twilio_auth_token = "rotated-token"
    world.workspace.save(update_fields=["twilio_auth_token"])
    response = post_signed(client, SMS, inbound_params("again"), "rotated-token")
    assert response.status_code == 200
    assert post_signed(client, SMS, inbound_params("forged"), "wrong-token").status_code == 403
    assert InboundMessage.objects.count() == 2


def test_a_number_added_a_moment_ago_is_served_at_once(world, client):
    from workspaces.services import phone_number_add

    params = inbound_params("hello", to="+14155550177")
    assert post_signed(client, SMS, params).status_code == 404  # a miss is not cached
    phone_number_add(workspace=world.workspace, number="+14155550177")
    assert post_signed(client, SMS, params).status_code == 200


def test_a_keyword_added_after_a_text_is_recognised_by_the_webhook_at_once(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    queued = _queued_lanes(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, SMS, inbound_params("Abbestellen"))  # the routing rules are cached
    keyword_add(workspace=world.workspace, kind="opt_out", keyword="ABBESTELLEN", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, SMS, inbound_params("Abbestellen"))
    assert queued == ["inbound"]  # the second one was processed before the webhook answered
    assert OptOut.objects.filter(contact__phone=CONTACT).exists()


def test_a_contact_inserted_concurrently_is_returned_not_duplicated(world, monkeypatch):
    from django.db.models import QuerySet

    from messaging.services.conversations import conversation_get_or_create

    existing = Contact.objects.create(workspace=world.workspace, phone="+14155550123")
    conversation = Conversation.objects.create(
        workspace=world.workspace, phone_number=world.number_a, contact=existing
    )
    monkeypatch.setattr(QuerySet, "first", lambda self: None)  # the read missed them (a race)
    # The contact goes through the insert, so the conversation is inserted without a read.
    contact, again = conversation_get_or_create(
        workspace=world.workspace, phone_number=world.number_a, phone="+14155550123"
    )
    monkeypatch.undo()
    assert contact.pk == existing.pk and again.pk == conversation.pk
    assert Contact.objects.count() == 1 and Conversation.objects.count() == 1
