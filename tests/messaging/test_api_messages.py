"""The REST API's messages: the send contract, its refusals and the opted-out contact's 422."""

import pytest

from messaging.models import Message
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


def test_send_message_contract(api, world, django_capture_on_commit_callbacks):
    from optout.services import compliance_settings_update

    compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/messages", {"from": NUMBER_A, "to": CONTACT, "body": "Hi 👋"}, format="json"
        )
    assert response.status_code == 201
    data = response.json()
    assert data["body"] == "Hi 👋\nReply STOP to opt out."
    assert data["segments"] == 1 and data["encoding"] == "UCS-2"
    assert data["status"] == "queued"
    assert (data["from"], data["to"]) == (NUMBER_A, CONTACT)
    detail = api.get(f"/api/v1/messages/{data['id']}").json()
    assert detail["status"] == "delivered" and detail["provider_sid"].startswith("SM")


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"from": NUMBER_A, "to": "12", "body": "x"}, 400, "invalid_number"),
        ({"from": "+14155550177", "to": CONTACT, "body": "x"}, 400, "unknown_sender_number"),
        ({"from": NUMBER_A, "to": CONTACT, "body": "   "}, 400, "invalid_body"),
        ({"from": NUMBER_A, "to": CONTACT}, 400, "invalid"),
        ({"from": NUMBER_A, "to": CONTACT, "body": "x" * 1601}, 400, "max_length"),
    ],
)
def test_send_message_refusals(api, world, payload, status, code):
    response = api.post("/api/v1/messages", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["detail"]
    assert not Message.objects.exists()


def test_send_to_an_opted_out_contact_is_422(api, world, text_in):
    text_in("STOP")
    response = api.post("/api/v1/messages", {"from": NUMBER_B, "to": CONTACT, "body": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "recipient_opted_out"
    assert "opted out" in response.json()["detail"]
