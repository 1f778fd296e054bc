"""Tenant scoping: a workspace never reaches another's objects. By id they answer 404, another
workspace's number is refused, lists show only the member's own workspace. Gathered from the API,
the Compliance Center, the inbox, the send path and the webhooks."""

import pytest
from rest_framework.test import APIClient

from compliance_center.errors import DomainError
from messaging.models import Conversation, InboundMessage, Message
from messaging.services.outbound import message_send
from optout import services
from optout.models import ConsentEvent, Keyword, OptOut
from tests.support.api import client_for
from tests.support.pages import csv_rows, text
from tests.support.twilio_webhooks import SMS, STATUS, inbound_params, post_signed
from tests.support.world import CONTACT, NUMBER_A
from workspaces.models import Contact

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- the API


def test_keyword_delete_is_scoped(api, world, other_world):
    from optout.services import keyword_add

    mine = keyword_add(workspace=world.workspace, kind="help", keyword="AIDE", language="fr")
    theirs = keyword_add(workspace=other_world.workspace, kind="help", keyword="AYUDA")
    assert api.delete(f"/api/v1/keywords/{theirs.id}").status_code == 404
    assert api.delete(f"/api/v1/keywords/{mine.id}").status_code == 204
    assert not Keyword.objects.filter(id=mine.id).exists()
    assert Keyword.objects.filter(id=theirs.id).exists()


def test_another_workspaces_objects_answer_404(
    api, world, other_world, django_capture_on_commit_callbacks
):
    from messaging.services.outbound import message_send

    other = client_for(other_world.api_token)
    with django_capture_on_commit_callbacks(execute=True):
        theirs = message_send(
            workspace=other_world.workspace, from_number="+14155550199", to=CONTACT, body="x"
        )
    assert api.get(f"/api/v1/messages/{theirs.id}").status_code == 404
    assert other.get(f"/api/v1/messages/{theirs.id}").status_code == 200
    assert api.get("/api/v1/messages").json()["count"] == 0


def test_another_workspaces_number_is_refused_even_when_cached(api, world, other_world):
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_world.api_token}")
    theirs = other_world.phone_number.number
    assert other.get("/api/v1/opt-outs/check", {"from": theirs, "to": CONTACT}).status_code == 200
    check = api.get("/api/v1/opt-outs/check", {"from": theirs, "to": CONTACT})
    assert (check.status_code, check.json()["code"]) == (400, "unknown_sender_number")
    send = api.post(
        "/api/v1/messages", {"from": theirs, "to": CONTACT, "body": "Hi"}, format="json"
    )
    assert (send.status_code, send.json()["code"]) == (400, "unknown_sender_number")


# ---------------------------------------------------------------- Compliance Center pages


@pytest.fixture
def foreign(other_world):
    """Another workspace's contact (on its block list), keyword and number."""
    contact = Contact.objects.create(workspace=other_world.workspace, phone="+14155550166")
    services.opt_out_record(
        workspace=other_world.workspace,
        contact=contact,
        phone_number=other_world.phone_number,
        source="api",
        text=services.TextEvidence(body="STOP foreign"),
    )
    keyword = services.keyword_add(workspace=other_world.workspace, kind="help", keyword="AYUDA")
    return {"contact": contact, "keyword": keyword, "number": other_world.phone_number}


def test_another_workspace_objects_answer_404(as_admin, foreign):
    contact, keyword = foreign["contact"], foreign["keyword"]
    assert as_admin.get(f"/compliance/contacts/{contact.pk}/").status_code == 404
    response = as_admin.post(f"/compliance/contacts/{contact.pk}/lift/", {"reason": "asked"})
    assert response.status_code == 404
    assert OptOut.objects.filter(contact=contact).exists()
    assert as_admin.post(f"/compliance/keywords/{keyword.pk}/remove/").status_code == 404
    assert Keyword.objects.filter(pk=keyword.pk).exists()
    assert as_admin.get(f"/compliance/consent-ledger.csv?contact={contact.pk}").status_code == 404


def test_member_of_another_workspace_gets_404_for_our_objects(world, opted_out, as_other):
    keyword = services.keyword_add(workspace=world.workspace, kind="opt_out", keyword="BAJA")
    assert as_other.get(f"/compliance/contacts/{opted_out.pk}/").status_code == 404
    response = as_other.post(f"/compliance/contacts/{opted_out.pk}/lift/", {"reason": "x"})
    assert response.status_code == 404
    assert as_other.post(f"/compliance/keywords/{keyword.pk}/remove/").status_code == 404
    assert OptOut.objects.filter(contact=opted_out).exists()
    assert Keyword.objects.filter(pk=keyword.pk).exists()
    # Their own pages show only their workspace.
    page = text(as_other.get("/compliance/block-list/"))
    assert CONTACT not in page and "Nobody is on the block list." in page
    rows = csv_rows(as_other.get("/compliance/block-list.csv"))
    assert rows[1:] == []
    ledger = csv_rows(as_other.get("/compliance/consent-ledger.csv"))
    assert ledger[1:] == []


def test_manual_opt_out_refuses_another_workspace_number(as_admin, world, foreign):
    response = as_admin.post(
        "/compliance/block-list/opt-out/",
        {"contact": "+14155550177", "phone_number": foreign["number"].pk, "reason": "asked"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Contact.objects.filter(phone="+14155550177").exists()


def test_audit_log_is_per_workspace(as_other, world):
    services.compliance_settings_update(
        workspace=world.workspace, actor=world.admin_user, signature_text="Acme secret"
    )
    page = text(as_other.get("/compliance/audit-log/"))
    assert "Acme secret" not in page and "No changes yet." in page


# ---------------------------------------------------------------- the inbox


@pytest.fixture
def foreign_conversation(other_world):
    contact = Contact.objects.create(
        workspace=other_world.workspace, phone=CONTACT, name="Mallory Foreign"
    )
    return Conversation.objects.create(
        workspace=other_world.workspace, phone_number=other_world.phone_number, contact=contact
    )


@pytest.mark.parametrize(
    "method, suffix",
    [("get", ""), ("get", "live/"), ("post", "send/"), ("post", "preview/"), ("post", "opt-out/")],
)
def test_another_workspace_conversation_is_404(agent, foreign_conversation, method, suffix):
    url = f"/inbox/c/{foreign_conversation.pk}/{suffix}"
    response = getattr(agent, method)(url, {"body": "hello", "reason": "asked"})
    assert response.status_code == 404
    assert not Message.objects.filter(conversation=foreign_conversation).exists()
    assert not ConsentEvent.objects.filter(contact=foreign_conversation.contact).exists()


def test_inbox_lists_only_this_workspace(agent, foreign_conversation, text_in):
    text_in("Hi from Acme's contact")
    page = text(agent.get("/inbox/"))
    assert "Hi from Acme" in page
    assert "Mallory" not in page


def test_new_conversation_cannot_send_from_another_workspace_number(agent, other_world):
    response = agent.post(
        "/inbox/new/", {"from_number": other_world.phone_number.pk, "to": CONTACT, "body": "Hi"}
    )
    assert response.status_code == 400
    assert not Message.objects.exists()


# ---------------------------------------------------------------- sends, status callbacks, texts


def test_sender_must_be_a_workspace_number(world, other_world):
    with pytest.raises(DomainError) as refused:
        message_send(workspace=world.workspace, from_number="+14155550199", to=CONTACT, body="x")
    assert refused.value.code == "unknown_sender_number"


def test_a_status_callback_cannot_claim_another_workspaces_message(world, other_world, client):
    message = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    params = {"MessageSid": "SMforeign", "MessageStatus": "delivered", "From": "+14155550199"}
    response = post_signed(client, f"{STATUS}?m={message.id}", params, "other-token")
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.provider_sid is None


def test_signature_of_another_workspace_is_refused(world, other_world, client):
    params = inbound_params("STOP")
    assert post_signed(client, SMS, params, "other-token").status_code == 403
    assert not InboundMessage.objects.exists()
