"""The sender numbers' pacing in Redis (messaging/pacing.py): slots a rate apart, a slot too far
refused without being reserved, a 429 slows the number down. Needs Redis (REDIS_URL)."""

import time
import uuid

import pytest

from messaging import pacing
from tests.support.services import skip_or_fail

pytestmark = pytest.mark.services


@pytest.fixture
def paced(settings):
    if not settings.REDIS_URL:
        skip_or_fail("pacing needs Redis: REDIS_URL is not set")
    from celery import current_app

    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    settings.SMS_BACKEND = "twilio"
    settings.SEND_PACING = True
    settings.PACING_MAX_WAIT_SECONDS = 1.0
    pacing._scripts.cache_clear()
    yield "+1415" + str(uuid.uuid4().int)[:7]  # a number of its own: no state shared
    current_app.conf.task_always_eager = eager


def test_slots_are_a_rate_apart_and_a_far_one_is_not_reserved(paced):
    waits = [pacing.reserve(paced, 10) for _ in range(10)]
    assert waits[0] == pytest.approx(0, abs=0.02)
    for earlier, later in zip(waits, waits[1:], strict=False):
        assert later - earlier == pytest.approx(0.1, abs=0.02)
    assert pacing.reserve(paced, 10) == pytest.approx(1.0, abs=0.05)  # the last one within 1 s
    assert pacing.reserve(paced, 10) is None  # 1.1 s away: refused, and nothing reserved
    assert pacing.reserve(paced, 10) is None
    time.sleep(0.3)
    assert pacing.reserve(paced, 10) == pytest.approx(0.8, abs=0.05)


def test_a_429_halves_the_pace_for_a_while(paced):
    assert pacing.reserve(paced, 10) == pytest.approx(0, abs=0.02)
    pacing.slow_down(paced)
    assert pacing.reserve(paced, 10) == pytest.approx(0.1, abs=0.02)
    assert pacing.reserve(paced, 10) == pytest.approx(0.3, abs=0.02)  # 0.2 s apart now


def test_without_redis_or_in_eager_mode_nothing_waits(settings, paced):
    from celery import current_app

    current_app.conf.task_always_eager = True
    assert [pacing.reserve(paced, 1) for _ in range(5)] == [0.0] * 5
