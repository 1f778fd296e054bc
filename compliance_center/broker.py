"""The Redis broker transport, with one guard that keeps a worker alive when Redis goes away.

celery 5.7 / kombu 5.7 (redis-py 6): when the connection drops while the consumer is blocked in
BRPOP, the consumer first `collect()`s the connection — closing its channel fails half-way on the
dead socket, and the transport is detached (`transport.client = None`) — then `close()`s it
again. The second close restores the unacknowledged messages, which builds a new client from
`transport.client.hostname`: an AttributeError, which Celery does not count as a connection
error, so the worker exits ("Unrecoverable error: AttributeError('NoneType' object has no
attribute 'hostname')") instead of reconnecting. Reproduced in about one Redis kill in four
under load (`make faults`, docs/reliability.md).

The guard turns that case into the connection error it is: the close is ignored, the worker
reconnects, and the messages it held come back after the visibility timeout (every row they are
about is also swept from the database). Selected with CELERY_BROKER_TRANSPORT when the broker
is Redis.
"""

from typing import Any

import redis
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
