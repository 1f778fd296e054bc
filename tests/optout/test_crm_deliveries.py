"""CRM notifications are rows before they are tasks: a delivery whose task was lost (broker down
at commit) is found by the sweeper and delivered; a failing CRM is retried, then marked failed
where a person can see it."""

from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from compliance_center.dispatch import Job
from optout import crm
from optout.models import WebhookDelivery, WebhookEndpoint
from optout.tasks import webhook_deliveries_sweep
from tests.support.crm_receiver import CrmReceiver


@pytest.fixture
def receiver():
    started = CrmReceiver().start()
    yield started
    started.stop()


@pytest.fixture
def endpoint(world, receiver):
    return WebhookEndpoint.objects.create(
        workspace=world.workspace, url=receiver.url, secret="crm-secret"
    )


def _age(delivery_id: int, seconds: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_delivery_lost_with_the_broker_is_swept_and_delivered(
    endpoint, receiver, text_in, monkeypatch
):
    task = current_app.tasks[Job.WEBHOOK_DELIVERY_ATTEMPT.value]

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task, "apply_async", broker_down)
    text_in("STOP")  # the opt-out is recorded; its CRM notification cannot be queued
    monkeypatch.undo()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, receiver.received) == ("pending", 0, [])

    assert webhook_deliveries_sweep.apply().get() == 0  # not overdue yet
    _age(delivery.id, 120)
    assert webhook_deliveries_sweep.apply().get() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    [notification] = receiver.received
    assert b'"type": "contact.opt_out"' in notification.body
    assert notification.headers["X-Compliance-Signature"] == crm.sign(
        "crm-secret", notification.body
    )


def test_a_crm_that_keeps_failing_is_retried_then_marked_failed(endpoint, receiver, text_in):
    receiver.fail_next(*[500] * (crm.MAX_RETRIES + 1))
    text_in("STOP")  # eager tasks: the retries run at once
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", crm.MAX_RETRIES + 1)
    assert delivery.last_error == "HTTP 500"
    assert len(receiver.received) == crm.MAX_RETRIES + 1


def test_a_crm_that_recovers_is_delivered_on_a_retry(endpoint, receiver, text_in):
    receiver.fail_next(503, 503)
    text_in("STOP")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)


def test_a_retry_waiting_its_backoff_is_not_swept_until_it_is_overdue(endpoint, world):
    from optout.models import ConsentEvent

    event = ConsentEvent.objects.create(
        workspace=world.workspace,
        contact=world.workspace.contacts.create(phone="+14155550177"),
        kind="opt_out",
        source="api",
        scope="inbox",
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, attempts=2)
    _age(delivery.id, 300)  # inside the longest backoff: its retry may still be in the broker
    assert crm.lost_deliveries(older_than_seconds=60) == []
    _age(delivery.id, crm.RETRY_BACKOFF_MAX_SECONDS + 61)
    assert crm.lost_deliveries(older_than_seconds=60) == [delivery.id]
