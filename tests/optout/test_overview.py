"""The Compliance Center's Overview tab: the rules and the live figures, per number and charted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from optout.models import ConsentEvent
from tests.support.pages import text
from tests.support.world import NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


def test_overview_shows_the_rules_and_live_figures(as_admin, world, text_in):
    text_in("STOP", to=NUMBER_A, from_="+14155550123")
    text_in("stop", to=NUMBER_A, from_="+14155550124")
    text_in("START", to=NUMBER_A, from_="+14155550124")
    text_in("Unsubscribe", to=NUMBER_B, from_="+14155550125")
    # An opt-out 20 days ago counts in the 30-day figures only.
    old = ConsentEvent.objects.get(contact__phone="+14155550125")
    ConsentEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))

    response = as_admin.get("/compliance/")
    page = text(response)
    for rule in (
        "Don't send any SHAFT-C-related content.",
        "Only message contacts who've opted in to receive messaging from you.",
        'When contacts reply "STOP," don\'t send any additional messages.',
        "Don't send messages outside of normal business hours.",
    ):
        assert rule in page
    body = response.content.decode()
    assert 'data-stat="opt_outs_7">2<' in body
    assert 'data-stat="opt_outs_30">3<' in body
    assert 'data-stat="opt_ins_7">1<' in body
    assert 'data-stat="blocked">2<' in body
    stats = response.context["stats"]
    by_number = {n.number: n for n in stats.per_number}
    assert (by_number[NUMBER_A].opt_outs_7, by_number[NUMBER_A].opt_ins_7) == (2, 1)
    assert (by_number[NUMBER_B].opt_outs_7, by_number[NUMBER_B].opt_outs_30) == (0, 1)
    # The chart: an inline SVG, today's bar holds the two recent opt-outs.
    today = timezone.now().date().isoformat()
    assert "<svg" in body and f'data-day="{today}" data-count="2"' in body
    assert len(re.findall(r'<rect class="bar"', body)) == 30
