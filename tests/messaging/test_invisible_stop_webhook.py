"""A STOP with an invisible character in it, posted through the signed Twilio webhook, opts the
contact out: on the block list, in the ledger, confirmed."""

import pytest

from messaging.models import Direction, Message, MessageSource
from optout.models import ConsentEvent, OptOut

pytestmark = pytest.mark.django_db

CONTACT = "+14155550123"


@pytest.mark.parametrize("body", ["S\u200bTOP", "ST\u200dOP", "S\u00adTOP", "\ufeffSTOP"])
def test_stop_with_a_format_character_opts_out_through_the_webhook(world, text_in, body):
    text_in(body, to=world.number_a.number, from_=CONTACT)

    assert OptOut.objects.filter(workspace=world.workspace, contact__phone=CONTACT).exists()
    event = ConsentEvent.objects.get(workspace=world.workspace, contact__phone=CONTACT)
    assert event.kind == "opt_out"
    assert event.message_body == body  # the evidence is the text as it arrived
    confirmation = Message.objects.filter(
        direction=Direction.OUTBOUND,
        source=MessageSource.SYSTEM,
        conversation__contact__phone=CONTACT,
    )
    assert confirmation.count() == 1
