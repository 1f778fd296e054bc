"""Worker liveness that tells the truth: each Celery worker writes a heartbeat row to the
database every HEARTBEAT_SECONDS from its consumer's event loop, so the row goes stale when the
worker dies, hangs, or loses the broker (the consumer stops while it reconnects). The database,
not the broker, carries it: the web tier can tell "the broker is up but no worker consumes" from
a healthy system, and it keeps working while Redis is down."""

import logging
import os
from datetime import timedelta
from typing import Any

from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def beat(*, hostname: str, queues: str, consuming: bool, started_at: Any = None) -> None:
    """Upserts this worker's heartbeat row."""
    from .models import WorkerHeartbeat  # the app registry is ready once a worker consumes

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={
            "pid": os.getpid(),
            "queues": queues[:500],
            "consuming": consuming,
            "beat_at": now,
        },
        create_defaults={
            "pid": os.getpid(),
            "queues": queues[:500],
            "consuming": consuming,
            "beat_at": now,
            "started_at": started_at or now,
        },
    )


def alive(max_age_seconds: float | None = None) -> list[Any]:
    """The workers that consumed within `max_age_seconds` (default: three heartbeats)."""
    from .models import WorkerHeartbeat

    max_age = max_age_seconds or settings.HEARTBEAT_SECONDS * 3
    since = timezone.now() - timedelta(seconds=max_age)
    return list(WorkerHeartbeat.objects.filter(consuming=True, beat_at__gte=since))


class Heartbeat(bootsteps.StartStopStep):
    """A consumer step: started once the worker is connected and consuming, stopped (and the row
    marked not consuming) when the connection is lost or the worker shuts down."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_ref = None
        self.started_at = timezone.now()

    def _write(self, consumer: Any, consuming: bool) -> None:
        queues = ""
        if consuming:
            queues = ",".join(sorted(q.name for q in consumer.task_consumer.queues))
        try:
            close_old_connections()
            beat(
                hostname=consumer.hostname,
                queues=queues,
                consuming=consuming,
                started_at=self.started_at,
            )
        except Exception:  # the database may be down too: the row just goes stale
            logger.warning("worker heartbeat not written", exc_info=True)

    def start(self, consumer: Any) -> None:
        self._write(consumer, consuming=True)
        self.timer_ref = consumer.timer.call_repeatedly(
            settings.HEARTBEAT_SECONDS, self._write, (consumer, True), priority=10
        )

    def stop(self, consumer: Any) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None
        self._write(consumer, consuming=False)

    shutdown = stop
