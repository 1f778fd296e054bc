"""CRM notifications: POST each consent event as JSON, signed with the endpoint's secret, to the
address that was checked (`crm_http`: in production https to public addresses only).

Each delivery is a row (`WebhookDelivery`) before it is a task: the task attempts it, Celery
retries it with backoff (declared on the task), and `lost_deliveries` finds the pending rows whose
task the broker lost, for the sweeper."""

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone

from compliance_center.phone import country_of

from . import crm_http
from .models import ConsentEvent, WebhookDelivery

TIMEOUT_SECONDS = 10
MAX_RETRIES = 8
RETRY_BACKOFF_MAX_SECONDS = 600  # the longest wait between two attempts


class DeliveryFailed(Exception):
    """An attempt failed and the delivery stays pending: the task retries it."""


def test_payload(delivery: WebhookDelivery) -> dict[str, Any]:
    """What a test delivery posts: no contact, nothing to record, `type` "test"."""
    return {
        "id": f"test-{delivery.id}",
        "type": "test",
        "workspace": delivery.endpoint.workspace.slug,
        "message": "A test notification from Compliance Center: nothing to record.",
        "created_at": delivery.created_at.isoformat(),
    }


def delivery_payload(delivery: WebhookDelivery) -> tuple[dict[str, Any], str]:
    """The JSON a delivery posts, and its X-Compliance-Event header."""
    if delivery.event is None:
        return test_payload(delivery), f"test-{delivery.id}"
    return event_payload(delivery.event), str(delivery.event_id)


def event_payload(event: ConsentEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": f"contact.{event.kind}",
        "workspace": event.workspace.slug,
        "contact": event.contact.phone,
        "source": event.source,
        "scope": event.scope,
        "phone_number": event.phone_number.number if event.phone_number else None,
        "numbers": event.numbers,
        "message": event.message_body,
        "text": event.message_body,  # the contact's words that caused it, if any
        "language": event.language,
        "country": country_of(event.contact.phone),
        "repeat": event.repeat,
        "decided_by": event.actor.email if event.actor_id and event.actor else None,
        "reason": event.reason,
        "created_at": event.created_at.isoformat(),
    }


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_delivery_attempt(*, delivery_id: int, final: bool) -> None:
    """One POST of a pending delivery. Raises DeliveryFailed when it failed and may be retried;
    the `final` attempt marks it failed instead. The row stays locked during the POST, so a
    sweeper's copy of the task never posts the same delivery at the same time."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related(
                "endpoint__workspace", "event__workspace", "event__contact", "event__phone_number"
            )
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return
        payload, event_header = delivery_payload(delivery)
        body = json.dumps(payload).encode()
        error = ""
        refused = False
        response_code = None
        try:
            response = crm_http.post(
                delivery.endpoint.url,
                body=body,
                timeout=TIMEOUT_SECONDS,
                headers={
                    "Content-Type": "application/json",
                    "X-Compliance-Signature": sign(delivery.endpoint.secret, body),
                    "X-Compliance-Event": event_header,
                },
            )
            response_code = response.status_code
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}"
        except crm_http.UrlRefused as exc:
            # Not transient: the URL, or what its host resolves to now, is not allowed.
            error, refused = f"Refused: {exc}"[:500], True
        except requests.RequestException as exc:
            error = str(exc)[:500]
        if not error:
            status = WebhookDelivery.Status.DELIVERED
        elif final or refused:
            status = WebhookDelivery.Status.FAILED
        else:
            status = WebhookDelivery.Status.PENDING
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempts=delivery.attempts + 1,
            response_code=response_code,
            last_error=error,
            updated_at=timezone.now(),
        )
    if status == WebhookDelivery.Status.PENDING:
        raise DeliveryFailed(f"delivery {delivery_id}: {error}")


def lost_deliveries(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Pending deliveries whose task is overdue: never attempted for `older_than_seconds`, or
    not retried within the longest backoff after that. Oldest first."""
    now = timezone.now()
    never_tried = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        updated_at__lt=now - timedelta(seconds=older_than_seconds),
    )
    retry_overdue = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        attempts__gt=0,
        updated_at__lt=now - timedelta(seconds=older_than_seconds + RETRY_BACKOFF_MAX_SECONDS),
    )
    return list(
        (never_tried | retry_overdue).order_by("updated_at").values_list("id", flat=True)[:limit]
    )
