"""A Twilio 429 or queue overflow slows the sender number down (messaging/pacing.py), and the
send is retried later; any other error leaves the pace alone."""

import contextlib

import pytest

from messaging import pacing
from messaging.models import Message
from messaging.services.delivery import DeliveryDeferred, message_deliver
from messaging.services.outbound import message_send
from tests.support.world import CONTACT, NUMBER_A

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "code", "slowed"),
    [(429, 20429, True), (400, 30001, True), (500, 20500, False)],
)
def test_the_carrier_saying_too_many_slows_the_number(
    world, fake_twilio, monkeypatch, status, code, slowed
):
    calls = []
    monkeypatch.setattr(pacing, "slow_down", calls.append)
    message = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    fake_twilio.fail_next(status=status, code=code, message="Too many")
    with contextlib.suppress(DeliveryDeferred):  # a 5xx or 429 is retried later
        message_deliver(message_id=message.pk)
    assert calls == ([NUMBER_A] if slowed else [])
    assert Message.objects.get(pk=message.pk).status in ("queued", "failed")
