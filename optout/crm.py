"""CRM notifications: POST each consent event as JSON, signed with the endpoint's secret."""

import hashlib
import hmac
import json

import requests
from django.utils import timezone

from .models import WebhookDelivery

TIMEOUT_SECONDS = 10


def event_payload(event) -> dict:
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
        "reason": event.reason,
        "created_at": event.created_at.isoformat(),
    }


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery_attempt(*, delivery_id: int, final: bool) -> float | None:
    """One POST; returns seconds to wait before retrying, or None when delivered or failed."""
    delivery = (
        WebhookDelivery.objects.select_related(
            "endpoint", "event__workspace", "event__contact", "event__phone_number"
        )
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return None
    body = json.dumps(event_payload(delivery.event)).encode()
    error = ""
    try:
        response = requests.post(
            delivery.endpoint.url,
            data=body,
            timeout=TIMEOUT_SECONDS,
            headers={
                "Content-Type": "application/json",
                "X-Compliance-Signature": sign(delivery.endpoint.secret, body),
                "X-Compliance-Event": str(delivery.event_id),
            },
        )
        if response.status_code >= 300:
            error = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        error = str(exc)[:500]
    if not error:
        status = WebhookDelivery.Status.DELIVERED
    elif final:
        status = WebhookDelivery.Status.FAILED
    else:
        status = WebhookDelivery.Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=delivery.attempts + 1, last_error=error, updated_at=timezone.now()
    )
    if status == WebhookDelivery.Status.PENDING:
        return min(2 ** (delivery.attempts + 1), 600)
    return None
