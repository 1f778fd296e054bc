"""Fixtures of the messaging tests."""

import pytest

from messaging.services.outbound import message_send
from tests.support.world import CONTACT, NUMBER_A


@pytest.fixture
def send(world, django_capture_on_commit_callbacks):
    def _send(body="Hello", number=NUMBER_A, to=CONTACT):
        with django_capture_on_commit_callbacks(execute=True):
            message = message_send(workspace=world.workspace, from_number=number, to=to, body=body)
        message.refresh_from_db()
        return message

    return _send
