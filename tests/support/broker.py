"""A broker that is down, as the project's own code meets it: Celery publishes for real (not
eagerly) through the project's Redis transport to a port where nothing listens."""

import contextlib
import socket

from compliance_center.celery import app


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_pools() -> None:
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def broker_down():
    conf = app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
        "broker_transport": conf.broker_transport,
        "broker_transport_options": conf.broker_transport_options,
    }
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    conf.broker_transport = "compliance_center.broker:Transport"
    conf.broker_transport_options = {"socket_connect_timeout": 0.1, "socket_timeout": 1}
    _reset_pools()
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(conf, key, value)
        _reset_pools()
