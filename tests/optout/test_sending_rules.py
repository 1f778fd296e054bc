"""Quiet hours and content rules: the pure rules, then through the send service, API and page."""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from compliance_center.api_errors import http_status
from compliance_center.errors import DomainError
from messaging.models import Message
from messaging.services.outbound import message_send
from optout.models import AuditLogEntry
from optout.sending_rules import blocked_term, in_quiet_hours, parse_terms, refusal
from optout.services import compliance_settings_update
from tests.support.world import CONTACT, NUMBER_A
from workspaces.models import Contact


@pytest.mark.parametrize(
    "now, start, end, quiet",
    [
        (time(22, 0), time(21, 0), time(8, 0), True),
        (time(7, 59), time(21, 0), time(8, 0), True),
        (time(8, 0), time(21, 0), time(8, 0), False),
        (time(12, 0), time(21, 0), time(8, 0), False),
        (time(21, 0), time(21, 0), time(8, 0), True),
        (time(13, 0), time(12, 0), time(14, 0), True),
        (time(14, 0), time(12, 0), time(14, 0), False),
        (time(3, 0), time(0, 0), time(0, 0), False),  # an empty window
    ],
)
def test_quiet_hours_window(now, start, end, quiet):
    assert in_quiet_hours(now, start, end) is quiet


def test_quiet_hours_use_the_workspace_time_zone():
    rules = SimpleNamespace(
        quiet_hours_enabled=True,
        quiet_hours_start=time(21, 0),
        quiet_hours_end=time(8, 0),
        timezone="America/New_York",
        blocked_terms="",
    )
    # 02:30 UTC on a winter day is 21:30 in New York: quiet there, though midday nowhere.
    broken = refusal(rules, "Hi", datetime(2026, 1, 15, 2, 30, tzinfo=UTC))
    assert broken.rule == "quiet_hours"
    assert "21:30" in broken.detail and "America/New_York" in broken.detail
    assert refusal(rules, "Hi", datetime(2026, 1, 15, 15, 0, tzinfo=UTC)) is None
    rules.quiet_hours_enabled = False
    assert refusal(rules, "Hi", datetime(2026, 1, 15, 2, 30, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    "body, found",
    [
        ("Buy CHEAP WEED today", "weed"),
        ("ｗｅｅｄ delivery", "weed"),
        ("Tweed jackets on sale", None),
        ("free   money now", "free money"),
        ("Hello there", None),
    ],
)
def test_blocked_terms_match_whole_words(body, found):
    assert blocked_term(body, ["weed", "free money"]) == found


def test_parse_terms_drops_blanks_and_duplicates():
    assert parse_terms("weed\n\n  Free   money \nWEED\n") == ["weed", "Free money"]


# ---------------------------------------------------------------- through the product


def window_around_now():
    now = datetime.now(UTC)
    return (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()


@pytest.mark.django_db
def test_send_during_quiet_hours_is_refused_but_a_stop_is_still_confirmed(world, text_in):
    # Quiet hours are kept in the recipient's time: this contact's own zone is UTC.
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, time_zone="UTC")
    start, end = window_around_now()
    compliance_settings_update(
        workspace=world.workspace,
        quiet_hours_enabled=True,
        quiet_hours_start=start,
        quiet_hours_end=end,
        timezone="UTC",
    )
    with pytest.raises(DomainError) as refused:
        message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    assert (refused.value.code, http_status(refused.value.code)) == ("quiet_hours", 422)
    text_in("STOP")
    assert Message.objects.get(source="system").status == "delivered"


@pytest.mark.django_db
def test_api_refuses_blocked_content_and_quiet_hours(api, world):
    response = api.patch(
        "/api/v1/compliance-settings", {"blocked_terms": "cannabis\nfree money"}, format="json"
    )
    assert response.status_code == 200
    sent = api.post(
        "/api/v1/messages",
        {"from": NUMBER_A, "to": CONTACT, "body": "Get FREE money today"},
        format="json",
    )
    assert (sent.status_code, sent.json()["code"]) == (422, "content_blocked")
    assert "free money" in sent.json()["detail"]
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, time_zone="UTC")
    start, end = window_around_now()
    api.patch(
        "/api/v1/compliance-settings",
        {
            "quiet_hours_enabled": True,
            "quiet_hours_start": start.strftime("%H:%M"),
            "quiet_hours_end": end.strftime("%H:%M"),
            "timezone": "UTC",
        },
        format="json",
    )
    sent = api.post("/api/v1/messages", {"from": NUMBER_A, "to": CONTACT, "body": "Hi"})
    assert (sent.status_code, sent.json()["code"]) == (422, "quiet_hours")
    assert not Message.objects.exists()
    bad = api.patch("/api/v1/compliance-settings", {"timezone": "Mars/Olympus"}, format="json")
    assert bad.status_code == 400 and "timezone" in bad.json()["fields"]


@pytest.mark.django_db
def test_sending_rules_form_saves_audits_and_validates(client, world):
    client.force_login(world.manager_user)
    page = client.get("/compliance/opt-out/")
    assert b"Business hours and content" in page.content
    bad = client.post(
        "/compliance/opt-out/",
        {
            "section": "sending",
            "quiet_hours_enabled": "on",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "08:00",
            "timezone": "Nowhere/City",
        },
    )
    assert bad.status_code == 200 and "is not a time zone" in bad.content.decode()
    good = client.post(
        "/compliance/opt-out/",
        {
            "section": "sending",
            "quiet_hours_enabled": "on",
            "quiet_hours_start": "20:30",
            "quiet_hours_end": "09:00",
            "timezone": "America/Toronto",
            "blocked_terms": "vape\nvape\n",
        },
    )
    assert good.status_code == 302
    settings = world.workspace.compliance_settings
    settings.refresh_from_db()
    assert (settings.quiet_hours_start, settings.timezone) == (time(20, 30), "America/Toronto")
    assert settings.blocked_terms == "vape"
    fields = set(AuditLogEntry.objects.values_list("field", flat=True))
    assert {"quiet_hours_enabled", "quiet_hours_start", "timezone", "blocked_terms"} <= fields
    overview = client.get("/compliance/").content.decode()
    assert "Quiet hours 20:30–09:00 in each recipient's own time" in overview
