"""Pacing of each sender number to its `messages_per_second`, across every worker process and
machine: a generic cell rate algorithm (GCRA, a token bucket kept as one timestamp) in Redis,
run as one Lua script so that reserving a slot is atomic, on Redis's own clock.

Each send reserves the next free slot of its number: the script answers how long to wait for
it (the caller sleeps that long), or refuses a slot further than `PACING_MAX_WAIT_SECONDS` away
(the caller re-queues the send for later instead of holding a worker). A Twilio 429 or
queue-overflow answer doubles the number's interval for a minute (up to 16 times slower).

Written here rather than taken from a library: `limits` (fixed and moving windows: a burst of a
second's worth at each window edge, and no reservation with a wait), `pyrate-limiter` (its Redis
bucket sleeps and retries in the caller, one rate per bucket built up front) and `redbucket` /
`limitlion` (unmaintained since 2020) each miss one of: a reserved slot with its wait, a rate
read per call (the number's setting, the slow-down factor), Redis's clock for every machine.
Without Redis (the embedded mode, with the simulator) there is no carrier to pace for.
"""

import logging
import time
from functools import cache
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# KEYS[1]: the number's theoretical arrival time (µs); KEYS[2]: its slow-down factor.
# ARGV[1]: interval between sends (µs); ARGV[2]: the longest wait a caller accepts (µs).
# Answers {1, wait µs} with the slot reserved, or {0, wait µs} when the slot is too far.
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local factor = tonumber(redis.call('GET', KEYS[2]) or '1')
local interval = tonumber(ARGV[1]) * factor
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > tonumber(ARGV[2]) then return {0, wait} end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval),
           'PX', math.floor((wait + interval) / 1000) + 1000)
return {1, wait}
"""
SLOW_DOWN = """
local factor = tonumber(redis.call('GET', KEYS[1]) or '1') * 2
if factor > tonumber(ARGV[1]) then factor = tonumber(ARGV[1]) end
redis.call('SET', KEYS[1], factor, 'EX', ARGV[2])
return factor
"""
MAX_SLOW_DOWN = 16
SLOW_DOWN_SECONDS = 60
# Twilio: 20429 "Too many requests" (HTTP 429), 30001 "Queue overflow".
SLOW_DOWN_CODES = frozenset({"429", "20429", "30001"})


def enabled() -> bool:
    """Pacing applies where a carrier is (the Twilio backend) and Redis holds the buckets; not
    to tasks run eagerly inside a request (no worker to wait in)."""
    from celery import current_app

    return bool(
        settings.SEND_PACING
        and settings.REDIS_URL
        and settings.SMS_BACKEND == "twilio"
        and not current_app.conf.task_always_eager
    )


@cache
def _scripts() -> tuple[Any, Any]:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2, health_check_interval=10
    )
    return client.register_script(GCRA), client.register_script(SLOW_DOWN)


def _keys(number: str) -> list[str]:
    return [f"pace:{number}:tat", f"pace:{number}:slow"]


def reserve(number: str, messages_per_second: int) -> float | None:
    """Reserves the next slot of `number`: the seconds to wait for it (0 when free now), or
    None when it is further than PACING_MAX_WAIT_SECONDS away (nothing reserved: try later).
    Without Redis, or when Redis fails (logged), 0: a send is never lost to its pacing."""
    if not enabled():
        return 0.0
    interval_us = 1_000_000 / max(1, messages_per_second)
    max_wait_us = settings.PACING_MAX_WAIT_SECONDS * 1_000_000
    try:
        gcra, _ = _scripts()
        granted, wait_us = gcra(keys=_keys(number), args=[interval_us, max_wait_us])
    except Exception:
        logger.exception("pacing of %s unavailable; sending unpaced", number)
        return 0.0
    return int(wait_us) / 1_000_000 if int(granted) else None


def retry_in() -> float:
    """When a send refused a slot tries again: its number's queue of reserved slots is then
    about half as long as the wait it refused."""
    return max(0.2, settings.PACING_MAX_WAIT_SECONDS / 2)


def slow_down(number: str) -> None:
    """The carrier said "too many" (429, queue overflow): the number's pace halves for a minute
    (again on each such answer, down to a sixteenth)."""
    if not enabled():
        return
    try:
        _, slow = _scripts()
        factor = slow(keys=_keys(number)[1:], args=[MAX_SLOW_DOWN, SLOW_DOWN_SECONDS])
        logger.warning("%s: carrier asked us to slow down; pace / %s for a minute", number, factor)
    except Exception:
        logger.exception("could not slow %s down", number)


def wait(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)
