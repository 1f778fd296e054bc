"""Tenancy, checked on every route: another workspace's ids answer 404 on every page and API
endpoint, and no list shows another workspace's rows. A route added with an id and no entry
in FOREIGN_ID fails this test until it is added, so a new endpoint cannot forget the filter."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from compliance_center.phone import pretty
from messaging.broadcasts.models import Broadcast, BroadcastStatus
from messaging.models import InboundMessage
from messaging.services.outbound import message_send
from optout import services as consent
from optout.imports.models import Import, ImportKind, ImportStatus
from optout.models import RevocationReview, WebhookDelivery
from workspaces import accounts
from workspaces.models import ApiToken, Contact, Membership

# Which of the other workspace's objects each route's id names.
FOREIGN_ID = {
    "api-keyword": "keyword",
    "api-message": "message",
    "compliance:keyword-remove": "keyword",
    "compliance:contact": "contact",
    "compliance:contact-lift": "contact",
    "compliance:contact-rename": "contact",
    "compliance:contact-consent": "contact",
    "inbox-thread": "conversation",
    "inbox-thread-live": "conversation",
    "inbox-send": "conversation",
    "inbox-preview": "conversation",
    "inbox-opt-out": "conversation",
    "api-dead-letter-retry": "dead_letter",
    "api-reply-override": "reply_override",
    "compliance:override-remove": "reply_override",
    "api-revocation-review-resolve": "review",
    "review-decide": "review",
    "inbox-review": {"pk": "conversation", "review_id": "review"},
    "dead-letter-retry": "dead_letter",
    "api-broadcast": "broadcast",
    "api-broadcast-pause": "broadcast",
    "api-broadcast-resume": "broadcast",
    "api-broadcast-cancel": "broadcast",
    "api-broadcast-recipients": "broadcast",
    "broadcast-detail": "broadcast",
    "broadcast-live": "broadcast",
    "broadcast-report-csv": "broadcast",
    "api-import": "import",
    "api-import-errors": "import",
    "import-detail": "import",
    "import-live": "import",
    "import-errors-csv": "import",
    "settings:number": "number",
    "settings:number-label": "number",
    "settings:number-remove": "number",
    "settings:member-role": "membership",
    "settings:member-remove": "membership",
    "settings:invitation-resend": "invitation",
    "settings:invitation-revoke": "invitation",
    "settings:token-revoke": "api_token",
    "webhooks:endpoint": "endpoint",
    "webhooks:endpoint-toggle": "endpoint",
    "webhooks:endpoint-remove": "endpoint",
    "webhooks:endpoint-test": "endpoint",
    "webhooks:delivery-resend": "delivery",
}
# Routes with a parameter that is not an object id.
NOT_AN_ID = {
    "compliance:keyword-add",
    "compliance:override-add",
    "invitation-accept",
    "password_reset_confirm",
}
FOREIGN_PHONE = "+14155550166"
FOREIGN_CRM = "https://crm.other.test/hooks/sms"
FOREIGN_INVITEE = "invitee@other.test"


def _routes(resolver=None, namespace=None):
    """(name, its parameters) of every routed view, admin pages aside (superusers only)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from _routes(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, sorted(pattern.pattern.converters)


@pytest.fixture
def foreign(other_world):
    """Another workspace's contact (opted out), conversation, message and keyword, member,
    invitation, API token, CRM endpoint and delivery, broadcast and import."""
    ws = other_world.workspace
    message = message_send(
        workspace=ws,
        from_number=other_world.phone_number.number,
        to=FOREIGN_PHONE,
        body="Hello from the other workspace",
    )
    contact = Contact.objects.get(workspace=ws, phone=FOREIGN_PHONE)
    consent.opt_out_api(
        workspace=ws, contact_phone=FOREIGN_PHONE, phone_number=other_world.phone_number
    )
    dead = InboundMessage.objects.create(
        workspace=ws,
        phone_number=other_world.phone_number,
        message_sid="SMforeigndead",
        from_number=FOREIGN_PHONE,
        body="OTROSOCORRO dead",
        attempts=8,
        dead_at=timezone.now(),
    )
    override = consent.reply_override_add(
        workspace=ws, kind="help", country="MX", text="OTROSOCORRO ayuda"
    )
    review = RevocationReview.objects.create(
        workspace=ws,
        contact=contact,
        phone_number=other_world.phone_number,
        body="OTROSOCORRO leave me alone",
        message_sid="SMforeignreview",
        received_at=timezone.now(),
        due_at=timezone.now(),
    )
    endpoint = consent.webhook_endpoint_create(workspace=ws, url=FOREIGN_CRM)
    broadcast = Broadcast.objects.create(
        workspace=ws,
        name="OTROSOCORRO campaign",
        body="Hello from the other workspace",
        senders=[other_world.phone_number.pk],
        audience={"all": True},
        send_at=timezone.now() + timedelta(days=1),
        status=BroadcastStatus.SCHEDULED,
    )
    imported = Import.objects.create(
        workspace=ws,
        kind=ImportKind.CONTACTS,
        status=ImportStatus.DRAFT,
        filename="OTROSOCORRO.csv",
        path="missing.csv",
    )
    return {
        "broadcast": broadcast,
        "import": imported,
        "review": review,
        "reply_override": override,
        "membership": Membership.objects.get(workspace=ws, user=other_world.admin_user),
        "invitation": accounts.invitation_create(
            workspace=ws, email=FOREIGN_INVITEE, role="agent"
        ).invitation,
        "api_token": ApiToken.objects.get(workspace=ws),
        "endpoint": endpoint,
        "delivery": WebhookDelivery.objects.create(endpoint=endpoint, kind="test", status="failed"),
        "dead_letter": dead,
        "contact": contact,
        "conversation": message.conversation,
        "message": message,
        "keyword": consent.keyword_add(workspace=ws, kind="help", keyword="OTROSOCORRO"),
        "number": other_world.phone_number,
    }


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


@pytest.fixture
def as_token(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world.api_token}")
    return api


def test_every_route_with_an_id_is_covered():
    with_ids = {name for name, params in _routes() if params and name not in NOT_AN_ID}
    assert with_ids == set(FOREIGN_ID), (
        "a route takes an id but this test does not know whose object it names: add it to "
        f"FOREIGN_ID (missing: {sorted(with_ids - set(FOREIGN_ID))})"
    )


@pytest.mark.parametrize("name", sorted(FOREIGN_ID))
def test_another_workspaces_id_answers_404_on_every_method(name, foreign, as_admin, as_token):
    spec = FOREIGN_ID[name]
    params = spec if isinstance(spec, dict) else {"pk": spec}
    url = reverse(name, kwargs={param: foreign[key].pk for param, key in params.items()})
    client = as_token if name.startswith("api-") else as_admin
    answers = {
        "GET": client.get(url).status_code,
        "POST": client.post(url, {"reason": "x", "body": "x"}).status_code,
        "DELETE": client.delete(url).status_code,
    }
    # 405 where the route has no such method; never found, never changed.
    assert set(answers.values()) <= {404, 405}, answers
    assert 404 in answers.values(), answers
    assert Contact.objects.filter(pk=foreign["contact"].pk).exists()
    assert foreign["keyword"].__class__.objects.filter(pk=foreign["keyword"].pk).exists()


def _leaks(text: str, foreign) -> list[str]:
    signs = [FOREIGN_PHONE, pretty(FOREIGN_PHONE), foreign["number"].number, "OTROSOCORRO"]
    signs += ["Hello from the other workspace", FOREIGN_CRM, FOREIGN_INVITEE]
    return [s for s in signs if s in text]


def test_no_list_or_page_shows_another_workspaces_rows(foreign, as_admin, as_token):
    checked = 0
    for name, params in _routes():
        if params or name in ("logout", "switch-workspace") or name.startswith("twilio-"):
            continue
        client = as_token if name.startswith("api-") else as_admin
        response = client.get(reverse(name))
        if response.status_code != 200:
            continue  # POST-only routes, redirects
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert not _leaks(body.decode(), foreign), name
        checked += 1
    assert checked >= 15  # every list endpoint and page was really read


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/opt-outs?contact=%2B14155550166",
        "/api/v1/consent-events?contact=%2B14155550166",
        "/api/v1/consent-events?contact=%2B14155550166&format=csv",
    ],
)
def test_another_workspaces_contact_filters_to_nothing(url, foreign, as_token):
    response = as_token.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert not _leaks(body.decode(), foreign)


def test_ids_in_query_strings_are_scoped_too(foreign, as_admin, world):
    ledger = reverse("compliance:consent-ledger-csv") + f"?contact={foreign['contact'].pk}"
    assert as_admin.get(ledger).status_code == 404
    listing = as_admin.get(reverse("inbox-list"), {"current": foreign["conversation"].pk})
    assert not _leaks(listing.content.decode(), foreign)
    filtered = as_admin.get(reverse("inbox"), {"number": foreign["number"].pk})
    assert filtered.status_code == 200 and not _leaks(filtered.content.decode(), foreign)
    check = APIClient()
    check.credentials(HTTP_AUTHORIZATION=f"Token {world.api_token}")
    answer = check.get(
        "/api/v1/opt-outs/check", {"from": foreign["number"].number, "to": FOREIGN_PHONE}
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "unknown_sender_number")
