"""Agent inbox pages: the opt-out banner, server-side refusal of blocked sends,
manual opt-outs, new conversations, live fragments and the composer's count."""

import re

import pytest

from messaging.models import Conversation, Message, MessageSource, MessageStatus
from messaging.services.outbound import message_send
from optout.models import ConsentEvent, ConsentSource, OptOut
from optout.services import compliance_settings_update
from tests.support.pages import text
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.django_db


def conversation_of(number: str = NUMBER_A, contact: str = CONTACT) -> Conversation:
    return Conversation.objects.get(phone_number__number=number, contact__phone=contact)


def send_from_thread(client, conversation, body, **headers):
    return client.post(f"/inbox/c/{conversation.pk}/send/", {"body": body}, **headers)


# ---------------------------------------------------------------- login


def test_inbox_requires_login(client, world):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- sending and refusal


def test_agent_sends_from_the_thread(agent, world, text_in, django_capture_on_commit_callbacks):
    text_in("Is my order ready?")
    conversation = conversation_of()
    with django_capture_on_commit_callbacks(execute=True):
        response = send_from_thread(agent, conversation, "Yes, come by at 5.")
    assert response.status_code == 302
    sent = conversation.messages.get(direction="outbound")
    assert sent.body == "Yes, come by at 5."
    assert sent.source == MessageSource.INBOX
    assert sent.sent_by == world.agent_user
    assert sent.status == MessageStatus.DELIVERED  # simulator backend, eager worker


def test_blocked_send_is_refused_by_the_server_with_the_reason(agent, text_in):
    text_in("Hello")
    text_in("STOP")
    conversation = conversation_of()
    before = Message.objects.count()

    # A stale page still shows an enabled composer: the server refuses anyway.
    response = send_from_thread(agent, conversation, "One more thing!")

    assert response.status_code == 422
    page = text(response)
    assert "Not sent:" in page
    assert "(415) 555-0123 opted out (keyword)" in page
    assert "texting them from any number of this workspace is blocked" in page
    assert Message.objects.count() == before


def test_blocked_send_through_htmx_shows_the_refusal_in_the_composer(agent, text_in):
    text_in("STOP")
    conversation = conversation_of()
    before = Message.objects.count()
    response = send_from_thread(agent, conversation, "Still there?", HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps 2xx only; the fragment carries the refusal
    assert response["X-Send-Refused"] == "1"
    body = response.content.decode()
    assert 'id="composer"' in body and "Not sent:" in body and "opted out (keyword)" in body
    assert re.search(r"<textarea[^>]*disabled", body)
    assert Message.objects.count() == before


def test_empty_body_is_refused(agent, text_in):
    text_in("Hello")
    response = send_from_thread(agent, conversation_of(), "   ")
    assert response.status_code == 400
    assert "The message body is empty." in text(response)
    assert not Message.objects.filter(direction="outbound").exists()


# ---------------------------------------------------------------- banner and inline events


def test_banner_under_inbox_scope_says_when_how_and_scope(agent, text_in):
    text_in("STOP")
    conversation = conversation_of()
    response = agent.get(f"/inbox/c/{conversation.pk}/")
    page = text(response)
    assert "Opted out." in page
    assert "The contact replied STOP to (415) 555-0100" in page
    assert "Keyword" in page
    assert "Inbox opt-out: blocked from every number of this workspace." in page
    opt_out = OptOut.objects.get()
    assert (
        f"{opt_out.created_at:%b} {opt_out.created_at.day}, {opt_out.created_at:%H:%M} UTC" in page
    )
    assert "Sending is disabled while this contact is opted out" in page
    assert re.search(r"<textarea[^>]*disabled", response.content.decode())
    assert "Contact replied STOP — opted out of all numbers of this workspace" in page


def test_banner_under_phone_number_scope_blocks_only_that_number(agent, world, text_in):
    compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    text_in("STOP", to=NUMBER_A)
    page = text(agent.get(f"/inbox/c/{conversation_of(NUMBER_A).pk}/"))
    assert "Phone number opt-out: blocked from (415) 555-0100 only" in page
    assert "Contact replied STOP — opted out of (415) 555-0100 only" in page

    # The same contact can still be texted from the other number.
    response = agent.post(
        "/inbox/new/", {"from_number": world.number_b.pk, "to": CONTACT, "body": "From Support"}
    )
    assert response.status_code == 302
    thread_b = agent.get(response["Location"])
    assert "Opted out." not in text(thread_b)
    assert "From Support" in text(thread_b)
    assert not re.search(r"<textarea[^>]*disabled", thread_b.content.decode())


def test_start_lifts_the_banner_and_shows_the_opt_in(agent, text_in):
    text_in("STOP")
    text_in("START")
    page = text(agent.get(f"/inbox/c/{conversation_of().pk}/"))
    assert "Opted out." not in page
    assert "Contact replied START — opted back in to all numbers of this workspace" in page


def test_thread_marks_automatic_replies_and_failures(agent, world, text_in):
    text_in("HELP")
    conversation = conversation_of()
    sent = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Promo")
    Message.objects.filter(pk=sent.pk).update(
        status=MessageStatus.FAILED, error_code="30003", error_message="Unreachable handset"
    )
    page = text(agent.get(f"/inbox/c/{conversation.pk}/"))
    assert "Automatic reply" in page
    assert "Failed" in page and "Unreachable handset" in page


# ---------------------------------------------------------------- unread, list, filters


def test_opening_a_thread_resets_unread(agent, text_in):
    text_in("one")
    text_in("two")
    conversation = conversation_of()
    assert conversation.unread_count == 2
    assert "2 unread" in text(agent.get("/inbox/"))
    agent.get(f"/inbox/c/{conversation.pk}/")
    conversation.refresh_from_db()
    assert conversation.unread_count == 0


def test_list_search_and_filters(agent, world, text_in):
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    text_in("Hi from Ada", to=NUMBER_A)
    text_in("Hi from Grace", to=NUMBER_B, from_="+14155550124")
    text_in("STOP", to=NUMBER_B, from_="+14155550124")

    def names(**params):
        return text(agent.get("/inbox/list/", params))

    everyone = names()
    assert "Ada Lovelace" in everyone and "(415) 555-0124" in everyone
    assert "Opted out" in everyone
    assert "(415) 555-0124" not in names(q="ada")
    assert "Ada Lovelace" not in names(q="(415) 555-0124")
    assert "Ada Lovelace" not in names(number=world.number_b.pk)
    assert "Ada Lovelace" not in names(state="opted_out")
    assert "(415) 555-0124" in names(state="opted_out")
    assert "(415) 555-0124" not in names(state="active")
    assert "No conversation matches" in names(q="nobody")


# ---------------------------------------------------------------- live fragments


def test_live_thread_answers_204_when_nothing_changed(agent, text_in):
    text_in("Hello")
    conversation = conversation_of()
    first = agent.get(f"/inbox/c/{conversation.pk}/live/")
    version = re.search(r'name="v" value="(\w+)"', first.content.decode()).group(1)
    again = agent.get(f"/inbox/c/{conversation.pk}/live/", {"v": version, "blocked": "0"})
    assert again.status_code == 204


def test_live_thread_swaps_in_the_banner_and_disables_the_composer(agent, text_in):
    text_in("Hello")
    conversation = conversation_of()
    first = agent.get(f"/inbox/c/{conversation.pk}/live/", {"blocked": "0"})
    version = re.search(r'name="v" value="(\w+)"', first.content.decode()).group(1)
    text_in("STOP")
    response = agent.get(f"/inbox/c/{conversation.pk}/live/", {"v": version, "blocked": "0"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "opt-out-banner" in body
    assert 'id="composer"' in body and 'hx-swap-oob="true"' in body
    assert re.search(r"<textarea[^>]*disabled", body)


# ---------------------------------------------------------------- manual opt-out


def test_agent_opt_out_records_a_consent_event_with_source_agent(agent, world, text_in):
    text_in("Thanks, got it")  # a neutral text: the agent opts them out by hand
    conversation = conversation_of()
    response = agent.post(
        f"/inbox/c/{conversation.pk}/opt-out/", {"reason": "Contact asked by phone to stop"}
    )
    assert response.status_code == 302
    event = ConsentEvent.objects.get()
    assert event.source == ConsentSource.AGENT
    assert event.kind == "opt_out"
    assert event.actor == world.agent_user
    assert event.reason == "Contact asked by phone to stop"
    # The same audited opt-out as the Compliance Center's manual one.
    from optout.models import AuditLogEntry

    audit = AuditLogEntry.objects.get(action="opt_out_recorded")
    assert audit.actor == world.agent_user and "Contact asked by phone" in audit.new_value
    page = text(agent.get(f"/inbox/c/{conversation.pk}/"))
    assert "Marked by hand by agent@acme.test: “Contact asked by phone to stop”" in page
    assert "Agent" in page
    assert send_from_thread(agent, conversation, "hi").status_code == 422


def test_agent_opt_out_needs_a_reason(agent, text_in):
    text_in("Hello")
    response = agent.post(f"/inbox/c/{conversation_of().pk}/opt-out/", {"reason": ""})
    assert response.status_code == 400
    assert not ConsentEvent.objects.exists()


# ---------------------------------------------------------------- new conversation


def test_new_conversation_accepts_any_common_format(agent, world):
    response = agent.post(
        "/inbox/new/",
        {"from_number": world.number_a.pk, "to": "(415) 555-0123", "body": "Welcome!"},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.conversation.contact.phone == "+14155550123"
    assert message.conversation.phone_number == world.number_a
    assert response["Location"] == f"/inbox/c/{message.conversation_id}/"


def test_new_conversation_refuses_an_invalid_number_clearly(agent, world):
    response = agent.post(
        "/inbox/new/", {"from_number": world.number_a.pk, "to": "555-01", "body": "Hi"}
    )
    assert response.status_code == 400
    assert "“555-01” is not a valid phone number." in text(response)
    assert not Contact.objects.exists() and not Message.objects.exists()


def test_new_conversation_refuses_a_blocked_contact(agent, world, text_in):
    text_in("STOP")
    before = Message.objects.count()
    response = agent.post(
        "/inbox/new/", {"from_number": world.number_b.pk, "to": "415 555 0123", "body": "Hi"}
    )
    assert response.status_code == 422
    assert "opted out (keyword)" in text(response)
    assert Message.objects.count() == before


# ---------------------------------------------------------------- composer count and signature


def test_composer_counts_the_final_text_with_the_signature(agent, world, text_in):
    compliance_settings_update(
        workspace=world.workspace,
        signature_mode="every_message",
        signature_text="Reply STOP to opt out.",
    )
    text_in("Hello")
    conversation = conversation_of()
    url = f"/inbox/c/{conversation.pk}/preview/"

    short = agent.post(url, {"body": "Hi"}).content.decode()
    assert 'data-segments="1"' in short and "Reply STOP to opt out." in short
    assert "25 characters" in short  # "Hi" + newline + 22-character signature

    # 150 characters fit one segment alone; with the signature they need two.
    long = agent.post(url, {"body": "a" * 150}).content.decode()
    assert 'data-segments="2"' in long and 'data-encoding="GSM-7"' in long

    emoji = agent.post(url, {"body": "Thanks 🙂"}).content.decode()
    assert 'data-encoding="UCS-2"' in emoji and "because of “🙂”" in emoji


def test_first_in_conversation_signature_is_shown_only_before_the_first_send(agent, world, text_in):
    compliance_settings_update(workspace=world.workspace, signature_mode="first_in_conversation")
    text_in("Hello")
    conversation = conversation_of()
    url = f"/inbox/c/{conversation.pk}/preview/"
    assert "Signature appended" in agent.post(url, {"body": "Hi"}).content.decode()
    send_from_thread(agent, conversation, "Hi")
    after = agent.post(url, {"body": "Hi again"}).content.decode()
    assert "Signature appended" not in after
    assert "already sent once in this conversation" in after
