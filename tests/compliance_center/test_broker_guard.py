"""The Redis transport's guard: the close that follows a lost connection raises the connection
error it is, not an AttributeError that Celery treats as unrecoverable (the worker exited).
The real Redis kill is in tests/messaging/test_worker_survives_redis.py and `make faults`."""

from types import SimpleNamespace

import pytest
import redis
from kombu.transport import redis as kombu_redis

from compliance_center.broker import Channel, Transport


def _detached(channel_class):
    """A channel whose transport the consumer's collect() has already detached."""
    channel = channel_class.__new__(channel_class)
    channel.connection = SimpleNamespace(client=None, default_port=6379)
    return channel


def test_kombus_own_channel_fails_with_an_attribute_error_there():
    with pytest.raises(AttributeError):  # the upstream bug the guard is for
        _detached(kombu_redis.Channel)._connparams()


def test_the_guarded_channel_raises_a_connection_error_instead():
    with pytest.raises(redis.exceptions.ConnectionError):
        _detached(Channel)._connparams()
    assert issubclass(redis.exceptions.ConnectionError, Transport.connection_errors)
    assert Transport.Channel is Channel


def test_the_redis_broker_uses_the_guarded_transport(settings):
    from compliance_center.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("the embedded broker is not Redis")  # CI runs with REDIS_URL
    assert app.conf.broker_transport == "compliance_center.broker:Transport"
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, Transport)
