"""Inbound SMS through the real webhook URL with real X-Twilio-Signature values."""

import pytest

from messaging.models import InboundMessage, Message
from optout.models import ConsentEvent, OptOut
from tests.conftest import CONTACT, NUMBER_A, NUMBER_B, inbound_params, post_signed, sign

pytestmark = pytest.mark.django_db

SMS = "/webhooks/twilio/sms/"


def test_stop_is_stored_processed_and_confirmed(world, text_in):
    response = text_in("Stop.")
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    inbound = InboundMessage.objects.get()
    assert inbound.processed_at is not None
    event = ConsentEvent.objects.get()
    assert (event.kind, event.source, event.scope) == ("opt_out", "keyword", "inbox")
    assert OptOut.objects.filter(contact__phone=CONTACT).count() == 1
    reply = Message.objects.get(direction="outbound")
    assert reply.source == "system"
    assert "START" in reply.body
    assert reply.status == "delivered"  # simulator backend
