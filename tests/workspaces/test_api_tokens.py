"""API tokens in Settings: created with a name and shown once (only the hash is kept), last use
stamped at most once a minute per token (not a write per request), revoked tokens refused by
this process at once."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from compliance_center import process_cache
from tests.support.settings_pages import field_errors, text, words
from workspaces import services
from workspaces.models import ApiToken, AuditLogEntry


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


def api_with(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_token_is_created_shown_once_and_works(as_admin, world):
    response = as_admin.post("/settings/api-tokens/create/", {"name": "  CRM   sync "})
    assert response.status_code == 302
    token = ApiToken.objects.get(workspace=world.workspace, name="CRM sync")
    page = text(as_admin.get("/settings/api-tokens/"))
    raw = page.split('id="new-token"')[1].split(">", 1)[1].split("<", 1)[0]
    assert raw.startswith("cc_") and ApiToken.hash(raw) == token.key_hash
    assert raw not in token.key_hash and token.prefix == raw[:8]
    assert "Copy it now: it is shown only once." in page
    assert raw not in text(as_admin.get("/settings/api-tokens/"))
    answer = api_with(raw).get("/api/v1/phone-numbers")
    assert answer.status_code == 200 and answer.json()["count"] == 2
    entry = AuditLogEntry.objects.get(action="api_token_created")
    assert (entry.actor, entry.field) == (world.admin_user, f"CRM sync ({token.prefix}…)")
    assert raw not in f"{entry.field}{entry.old_value}{entry.new_value}"


def test_a_token_needs_a_name(as_admin):
    response = as_admin.post("/settings/api-tokens/create/", {"name": "   "})
    assert "Name the token after what will use it" in field_errors(response, "name")


def test_a_revoked_token_is_refused_by_this_process_at_once(
    as_admin, world, django_capture_on_commit_callbacks, settings
):
    settings.PROCESS_CACHE_SECONDS = 300
    api = api_with(world.api_token)
    assert api.get("/api/v1/phone-numbers").status_code == 200  # now cached in this process
    token = ApiToken.objects.get(workspace=world.workspace)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(f"/settings/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    refused = api.get("/api/v1/phone-numbers")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    page = words(as_admin.get("/settings/api-tokens/"))
    assert "This server refuses it now; every server process does within 300 seconds." in page
    assert "Revoked" in page
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditLogEntry.objects.get(action="api_token_revoked")
    assert (entry.old_value, entry.new_value) == ("Active", "Revoked")


def test_revoking_twice_changes_nothing(world):
    token = ApiToken.objects.get(workspace=world.workspace)
    first = services.api_token_revoke(token=token, actor=world.admin_user).revoked_at
    assert services.api_token_revoke(token=token, actor=world.admin_user).revoked_at == first
    assert AuditLogEntry.objects.filter(action="api_token_revoked").count() == 1


def _updates(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]


def test_last_use_is_stamped_at_most_once_a_minute(world, as_admin):
    token = ApiToken.objects.get(workspace=world.workspace)
    assert "Never" in words(as_admin.get("/settings/api-tokens/"))
    api = api_with(world.api_token)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as first:
            assert api.get("/api/v1/phone-numbers").status_code == 200
        with CaptureQueriesContext(connection) as second:
            assert api.get("/api/v1/phone-numbers").status_code == 200
    assert len(_updates(first)) == 1 and _updates(second) == []  # no write per request
    token.refresh_from_db()
    assert token.last_used_at == start
    assert start.strftime("%H:%M UTC") in words(as_admin.get("/settings/api-tokens/"))

    # Another process (its own memory of stamps) within the minute: the row is not rewritten.
    process_cache.clear_all()
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api.get("/api/v1/phone-numbers")
    token.refresh_from_db()
    assert token.last_used_at == start

    # A minute later it is stamped again.
    process_cache.clear_all()
    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api.get("/api/v1/phone-numbers")
    token.refresh_from_db()
    assert token.last_used_at == later


def test_only_admins_create_or_revoke(client, world):
    token = ApiToken.objects.get(workspace=world.workspace)
    client.force_login(world.manager_user)
    page = text(client.get("/settings/api-tokens/"))
    assert token.prefix in page and "/revoke/" not in page
    assert client.post("/settings/api-tokens/create/", {"name": "x"}).status_code == 403
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
