"""The consent ledger's rows: append-only."""

import pytest

from optout.models import ConsentEvent

pytestmark = pytest.mark.django_db


def test_consent_events_are_append_only(world, text_in):
    text_in("STOP")
    event = ConsentEvent.objects.get()
    event.reason = "rewritten"
    with pytest.raises(ValueError):
        event.save()
