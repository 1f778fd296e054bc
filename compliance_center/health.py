"""Health: `GET /healthz` answers 200 when the database and the broker answer, 503 otherwise;
`GET /healthz/worker` answers 200 when at least one Celery worker is alive and consuming, by
the heartbeats the workers write (heartbeat.py), 503 otherwise. Each check is bounded in time:
a dead broker is reported in well under a second."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from . import heartbeat
from .celery import app

BROKER_CHECK_TIMEOUT = 0.5


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means "down"; the reason is reported
        return f"down: {exc.__class__.__name__}"


def _broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_CHECK_TIMEOUT
            )
        return "ok"
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"


def _workers() -> list[dict]:
    try:
        return [
            {"hostname": w.hostname, "queues": w.queues, "beat_at": w.beat_at.isoformat()}
            for w in heartbeat.alive()
        ]
    except Exception:  # the database is down: reported by _database()
        return []


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", **checks, "workers": len(_workers())},
        status=200 if healthy else 503,
    )


def healthz_worker(request: HttpRequest) -> JsonResponse:
    """Whether any worker consumed in the last three heartbeats (HEARTBEAT_SECONDS each)."""
    workers = _workers()
    return JsonResponse(
        {
            "status": "ok" if workers else "down",
            "workers": workers,
            "max_age_seconds": settings.HEARTBEAT_SECONDS * 3,
        },
        status=200 if workers else 503,
    )
