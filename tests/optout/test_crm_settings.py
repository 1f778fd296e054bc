"""Settings → CRM webhooks: endpoints added through the existing rules (https in production),
the signing secret shown once, enabled/disabled/deleted, a signed test delivery through the same
delivery code (and address checks), the delivery log with each response code, and Resend (a new
attempt of the same notification); each change in the audit log."""

import json

import pytest

from optout import crm
from optout.models import WebhookDelivery, WebhookEndpoint
from tests.support.crm_receiver import CrmReceiver
from tests.support.settings_pages import field_errors, text, words
from workspaces.models import AuditLogEntry


@pytest.fixture
def receiver():
    started = CrmReceiver().start()
    yield started
    started.stop()


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs `fn` and what its transactions queued for after commit (the eager delivery tasks)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def endpoint(as_admin, world, receiver):
    response = as_admin.post("/settings/webhooks/add/", {"url": receiver.url})
    found = WebhookEndpoint.objects.get(workspace=world.workspace)
    assert response["Location"] == f"/settings/webhooks/{found.pk}/"
    return found


def test_an_endpoint_is_added_and_its_secret_shown_once(as_admin, world, endpoint):
    page = text(as_admin.get(f"/settings/webhooks/{endpoint.pk}/"))
    assert (
        f'id="signing-secret" class="copy-value" aria-label="The signing secret">{endpoint.secret}<'
        in page
    )
    assert endpoint.secret not in text(as_admin.get(f"/settings/webhooks/{endpoint.pk}/"))
    assert endpoint.secret not in text(as_admin.get("/settings/webhooks/"))
    entry = AuditLogEntry.objects.get(action="crm_endpoint_added")
    assert (entry.field, entry.actor) == (endpoint.url, world.admin_user)


@pytest.mark.parametrize(
    "url, error",
    [
        ("", "Paste the URL your CRM receives notifications on."),
        ("not a url", "Type a whole URL"),
        ("ftp://crm.example.com/hook", "The URL must start with https://."),
    ],
)
def test_a_bad_url_is_refused_at_the_field(as_admin, url, error):
    response = as_admin.post("/settings/webhooks/add/", {"url": url})
    assert error in field_errors(response, "url")
    assert not WebhookEndpoint.objects.exists()


def test_in_production_only_https_to_the_internet_is_accepted(as_admin, settings):
    settings.CRM_ALLOW_PRIVATE_URLS = False
    response = as_admin.post("/settings/webhooks/add/", {"url": "http://93.184.215.14/hook"})
    assert "The URL must use https." in field_errors(response, "url")
    response = as_admin.post("/settings/webhooks/add/", {"url": "https://127.0.0.1/hook"})
    assert "127.0.0.1 is a loopback address" in field_errors(response, "url")
    assert not WebhookEndpoint.objects.exists()


def test_a_stop_is_delivered_logged_with_its_response_code_and_resent(
    as_admin, world, endpoint, receiver, text_in, committed
):
    text_in("STOP")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.kind, delivery.status, delivery.response_code, delivery.attempts) == (
        "consent",
        "delivered",
        200,
        1,
    )
    [first] = receiver.received
    assert first.headers["X-Compliance-Signature"] == crm.sign(endpoint.secret, first.body)
    page = words(as_admin.get(f"/settings/webhooks/{endpoint.pk}/"))
    assert "Opt-out of (415) 555-0123" in page and "Delivered" in page

    response = committed(as_admin.post, f"/settings/webhooks/deliveries/{delivery.pk}/resend/")
    assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    assert len(receiver.received) == 2
    second = receiver.received[1]
    assert second.body == first.body
    assert second.headers["X-Compliance-Event"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    entry = AuditLogEntry.objects.get(action="crm_delivery_resent")
    assert (entry.old_value, entry.new_value) == (
        f"Delivery #{delivery.pk}: Delivered",
        "Sent again",
    )


def test_a_failed_delivery_keeps_its_response_code_and_can_be_resent(
    as_admin, endpoint, receiver, text_in, committed
):
    receiver.fail_next(*[502] * (crm.MAX_RETRIES + 1))
    text_in("STOP")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.last_error) == (
        "failed",
        502,
        "HTTP 502",
    )
    page = words(as_admin.get(f"/settings/webhooks/{endpoint.pk}/"))
    assert "Failed" in page and "502" in page and "Resend" in page
    committed(as_admin.post, f"/settings/webhooks/deliveries/{delivery.pk}/resend/")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.last_error) == ("delivered", 200, "")


def test_a_pending_delivery_is_not_resent(as_admin, endpoint, receiver):
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, kind="test")
    response = as_admin.post(f"/settings/webhooks/deliveries/{delivery.pk}/resend/")
    assert "still being attempted" in words(as_admin.get(response["Location"]))
    assert receiver.received == []


def test_a_test_delivery_is_signed_and_logged(as_admin, world, endpoint, receiver, committed):
    response = committed(as_admin.post, f"/settings/webhooks/{endpoint.pk}/test/")
    [notification] = receiver.received
    body = json.loads(notification.body)
    assert (body["type"], body["workspace"]) == ("test", world.workspace.slug)
    assert notification.headers["X-Compliance-Signature"] == crm.sign(
        endpoint.secret, notification.body
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.kind, delivery.event, delivery.response_code) == ("test", None, 200)
    assert notification.headers["X-Compliance-Event"] == f"test-{delivery.pk}"
    # The log (the flash says "queued": here the task runs after the view, at the commit).
    assert f"Test #{delivery.pk} Delivered 1 200" in words(as_admin.get(response["Location"]))
    assert AuditLogEntry.objects.filter(action="crm_test_sent").count() == 1


def test_a_test_delivery_follows_the_address_rules(as_admin, world, settings, committed):
    """An endpoint whose host now resolves to the server's own network: the test fails at once,
    through the same checks as a consent event's delivery."""
    endpoint = WebhookEndpoint.objects.create(
        workspace=world.workspace, url="https://127.0.0.1:9/hook", secret="s"
    )
    settings.CRM_ALLOW_PRIVATE_URLS = False
    response = committed(as_admin.post, f"/settings/webhooks/{endpoint.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, None)
    assert delivery.last_error.startswith("Refused: 127.0.0.1 is a loopback address")
    assert "Failed 1 — Refused: 127.0.0.1 is a loopback address" in words(
        as_admin.get(response["Location"])
    )


def test_a_disabled_endpoint_gets_nothing_and_can_be_deleted(
    as_admin, world, endpoint, receiver, text_in
):
    as_admin.post(f"/settings/webhooks/{endpoint.pk}/toggle/")
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    text_in("STOP")
    assert receiver.received == [] and not WebhookDelivery.objects.exists()
    as_admin.post(f"/settings/webhooks/{endpoint.pk}/toggle/")
    endpoint.refresh_from_db()
    assert endpoint.is_active is True
    response = as_admin.post(f"/settings/webhooks/{endpoint.pk}/remove/")
    assert response["Location"] == "/settings/webhooks/"
    assert not WebhookEndpoint.objects.exists()
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="crm_")
        .order_by("id")
        .values_list("action", "old_value", "new_value")
    )
    assert actions[1:] == [
        ("crm_endpoint_disabled", "Enabled", "Disabled"),
        ("crm_endpoint_enabled", "Disabled", "Enabled"),
        ("crm_endpoint_removed", "", ""),
    ]


def test_managers_read_the_log_but_change_nothing(client, world, endpoint):
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, kind="test", status="failed")
    client.force_login(world.manager_user)
    page = text(client.get(f"/settings/webhooks/{endpoint.pk}/"))
    assert "Delivery log" in page and "Resend" not in page and "Send test delivery" not in page
    for url in (
        f"/settings/webhooks/{endpoint.pk}/test/",
        f"/settings/webhooks/{endpoint.pk}/toggle/",
        f"/settings/webhooks/{endpoint.pk}/remove/",
        f"/settings/webhooks/deliveries/{delivery.pk}/resend/",
        "/settings/webhooks/add/",
    ):
        assert client.post(url, {"url": "https://crm.example.com/x"}).status_code == 403, url
    assert WebhookEndpoint.objects.count() == 1
