"""The composer knows before Send: the recipient's consent and blocks (also while a number is
typed in New conversation), their quiet hours, the send policy's warnings, live; an empty
composer shows no count; one message per error; what a text caused reads under it."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from messaging import selectors
from messaging.models import Conversation
from optout import services
from optout.models import OptIn
from tests.support.world import CONTACT, NUMBER_A
from workspaces.models import Contact

pytestmark = pytest.mark.django_db

NEW_YORK = "+12125550123"
# 03:30 tomorrow in New York (near enough for the test client's session to last).
NIGHT = (datetime.now(ZoneInfo("America/New_York")) + timedelta(days=1)).replace(
    hour=3, minute=30, second=0, microsecond=0
)


def conversation_of(contact: str = CONTACT) -> Conversation:
    return Conversation.objects.get(phone_number__number=NUMBER_A, contact__phone=contact)


def preview(client, conversation, body):
    return client.post(f"/inbox/c/{conversation.pk}/preview/", {"body": body}).content.decode()


def new_preview(client, world, to, body=""):
    data = {"from_number": world.number_a.pk, "to": to, "body": body}
    return client.post("/inbox/new/preview/", data).content.decode()


def test_an_empty_composer_shows_no_count_for_the_signature_alone(agent, world, text_in):
    services.compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    text_in("Hello")
    page = agent.get(f"/inbox/c/{conversation_of().pk}/").content.decode()
    composer = page[page.index('id="composer"') :]
    assert "data-segments" not in composer and "characters" not in composer
    assert "Signature to be appended" in composer
    typed = preview(agent, conversation_of(), "Hi")
    assert "25 characters" in typed and "Signature appended" in typed


def test_warnings_show_while_typing(agent, world, text_in):
    text_in("Hello")
    answer = preview(agent, conversation_of(), "HUGE SALE TODAY ONLY!!! bit.ly/deal")
    for code in ("url_shortener", "all_caps", "excessive_punctuation", "number_unregistered"):
        assert f'data-warning="{code}"' in answer
    refused = preview(agent, conversation_of(), "Free beer tonight")
    assert 'data-state="content_blocked"' in refused and "Will be refused:" in refused


def test_the_recipients_quiet_hours_are_a_composer_state(agent, world):
    services.compliance_settings_update(
        workspace=world.workspace,
        quiet_hours_enabled=True,
        quiet_hours_start=time(21),
        quiet_hours_end=time(8),
    )
    with time_machine.travel(NIGHT, tick=False):
        answer = new_preview(agent, world, "(212) 555-0123")
    assert 'data-state="quiet_hours"' in answer
    assert (
        "Quiet hours in America/New_York until 08:00 — sends are refused; API sends can be held."
        in answer
    )


def test_an_opted_out_number_is_flagged_while_it_is_typed(agent, world, text_in):
    text_in("STOP")
    assert 'data-recipient="incomplete"' in new_preview(agent, world, "415 555 01")
    answer = new_preview(agent, world, "415 555 0123")
    state = answer[answer.index('id="recipient-state"') :]
    assert 'hx-swap-oob="true"' in state and 'data-recipient="opted_out"' in state
    assert "(415) 555-0123 opted out (keyword)" in text_of(state)
    assert "open it" in state  # the existing conversation
    assert "Will be refused" not in answer  # the flag says it once, next to To
    fresh = new_preview(agent, world, "+1 415 555 0177")
    assert 'data-recipient="unknown"' in fresh and "opted out" not in fresh


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "setup, status, label",
    [
        ("nothing", "unknown", "No consent on record · texted you first"),
        ("consent", "opted_in", "Opted in"),
        ("pending", "pending", "Double opt-in pending"),
        ("stop", "opted_out", "Opted out"),
    ],
)
def test_the_thread_header_shows_the_consent_state(as_admin, world, text_in, setup, status, label):
    text_in("Hello")
    if setup in ("consent", "pending"):
        services.compliance_settings_update(
            workspace=world.workspace, double_opt_in_enabled=setup == "pending"
        )
        services.consent_record(
            workspace=world.workspace,
            contact_phone=CONTACT,
            source="paper_form",
            evidence="Signed the form at the store",
            number=world.number_a,
        )
    if setup == "stop":
        text_in("STOP")
    page = as_admin.get(f"/inbox/c/{conversation_of().pk}/").content.decode()
    header = page[page.index('class="thread-head"') : page.index('id="thread-live"')]
    assert f'data-consent="{status}"' in header and label in text_of(header)
    contact = Contact.objects.get(phone=CONTACT)
    assert f'href="/compliance/contacts/{contact.pk}/"' in header  # its consent history


def test_agents_see_the_consent_state_without_a_link_they_cannot_open(agent, text_in):
    text_in("Hello")
    page = agent.get(f"/inbox/c/{conversation_of().pk}/").content.decode()
    assert 'id="consent-state"' in page and "/compliance/contacts/" not in page


def test_the_live_poll_updates_the_consent_state(agent, text_in):
    text_in("Hello")
    conversation = conversation_of()
    first = agent.get(f"/inbox/c/{conversation.pk}/live/", {"blocked": "0"}).content.decode()
    version = re.search(r'name="v" value="(\w+)"', first).group(1)
    text_in("STOP")
    body = agent.get(
        f"/inbox/c/{conversation.pk}/live/", {"v": version, "blocked": "0"}
    ).content.decode()
    assert re.search(
        r'id="consent-state"[^>]*hx-swap-oob="true"[^>]*data-consent="opted_out"', body
    )


def test_one_message_per_error(agent, text_in):
    text_in("Hello")
    text_in("STOP")
    conversation = conversation_of()
    refused = agent.post(
        f"/inbox/c/{conversation.pk}/send/", {"body": "One more thing"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    composer = text_of(refused[: refused.index('id="thread-live"')])
    assert composer.count("opted out (keyword)") == 1 and "Not sent:" in composer
    assert "Sending is disabled" not in composer
    assert "One more thing" in refused  # the draft is kept (disabled)
    empty = agent.post(f"/inbox/c/{conversation.pk}/send/", {"body": ""}).content.decode()
    assert "Write a message first." in empty and "This field is required" not in empty


def test_what_a_text_caused_reads_under_it(world, text_in):
    text_in("Hello")
    text_in("STOP")
    items = selectors.thread_items(conversation_of())
    kinds = [
        i.kind if i.kind != "message" else f"{i.message.direction}:{i.message.body[:4]}"
        for i in items
    ]
    assert kinds == ["inbound:Hell", "inbound:STOP", "event", "outbound:You "]


def test_a_review_sits_under_the_text_that_opened_it(world, text_in):
    text_in("Leave me alone")
    text_in("Hello?")
    items = selectors.thread_items(conversation_of())
    assert [i.kind for i in items] == ["message", "review", "message"]
    assert OptIn.objects.count() == 0


def test_a_thread_with_a_review_answers_204_when_nothing_changed(agent, text_in):
    """Its decision forms carry CSRF tokens, masked anew on every render: they do not count as
    a change (or the thread would be redrawn, and a reason being typed lost, every 2 s)."""
    text_in("leave me alone")
    conversation = conversation_of()
    first = agent.get(f"/inbox/c/{conversation.pk}/live/").content.decode()
    assert "review-marker" in first and "csrfmiddlewaretoken" in first
    version = re.search(r'name="v" value="(\w+)"', first).group(1)
    again = agent.get(f"/inbox/c/{conversation.pk}/live/", {"v": version, "blocked": "0"})
    assert again.status_code == 204
