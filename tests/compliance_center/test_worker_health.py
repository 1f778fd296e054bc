"""Worker liveness from the heartbeats workers write: /healthz/worker answers 200 only while a
worker consumes, and a real worker's heartbeat shows up (and goes when it stops consuming)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_center import heartbeat
from compliance_center.models import WorkerHeartbeat


def test_no_worker_is_a_503(client, db):
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    assert response.json()["workers"] == []


def test_a_fresh_heartbeat_is_a_live_worker(client, db):
    heartbeat.beat(hostname="celery@a", queues="inbound,keywords", consuming=True)
    response = client.get("/healthz/worker")
    assert response.status_code == 200
    assert [w["hostname"] for w in response.json()["workers"]] == ["celery@a"]
    assert client.get("/healthz").json()["workers"] == 1


def test_a_stale_or_disconnected_worker_is_not_alive(client, db, settings):
    heartbeat.beat(hostname="celery@stale", queues="inbound", consuming=True)
    WorkerHeartbeat.objects.update(
        beat_at=timezone.now() - timedelta(seconds=settings.HEARTBEAT_SECONDS * 3 + 1)
    )
    heartbeat.beat(hostname="celery@lost-broker", queues="", consuming=False)
    assert client.get("/healthz/worker").status_code == 503


@pytest.mark.services
def test_a_real_worker_writes_its_heartbeat_while_it_consumes(celery_worker, client):
    from tests.support.waiting import wait_for

    wait_for(
        lambda: client.get("/healthz/worker").status_code == 200,
        timeout=20,
        message="the worker's heartbeat",
    )
    [worker] = client.get("/healthz/worker").json()["workers"]
    assert "inbound" in worker["queues"] and "keywords" in worker["queues"]


def test_the_compose_health_check_command_follows_the_heartbeat(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="has not consumed recently"):
        call_command("worker_alive", "celery@w1")
    heartbeat.beat(hostname="celery@w1", queues="inbound", consuming=True)
    call_command("worker_alive", "celery@w1")  # exit 0
