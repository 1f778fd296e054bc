"""What the project package itself stores: the workers' heartbeats (see heartbeat.py)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A Celery worker's last sign of life, written by the worker itself every few seconds while
    it is connected to the broker and consuming; `/healthz/worker` reads it."""

    hostname = models.CharField(max_length=200, unique=True)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=500, blank=True)
    consuming = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        state = "consuming" if self.consuming else "not consuming"
        return f"{self.hostname} ({state}, {self.beat_at:%H:%M:%S})"
