"""Settings → General, Phone numbers and Twilio: every change validated at the field in the
product's words and written to the audit log; dates shown in the workspace's time zone; a
number with opt-outs made on it is kept; the Twilio Auth Token is write-only."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from optout import services as consent
from tests.support.settings_pages import field_errors, text, words
from tests.support.world import CONTACT, NUMBER_A
from workspaces import services
from workspaces.models import AuditLogEntry, Contact, PhoneNumber, Workspace
from workspaces.selectors import number_owner

SID = "AC" + "0a1b" * 8
TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


# ---------------------------------------------------------------- General


def test_the_workspace_is_renamed_and_its_time_zone_set(as_admin, world):
    response = as_admin.post("/settings/", {"name": "Acme Dental", "time_zone": "America/Chicago"})
    assert response.status_code == 302
    workspace = Workspace.objects.get(pk=world.workspace.pk)
    assert (workspace.name, workspace.time_zone) == ("Acme Dental", "America/Chicago")
    changes = {
        e.field: (e.old_value, e.new_value)
        for e in AuditLogEntry.objects.filter(action="workspace_changed")
    }
    assert changes == {"name": ("Acme", "Acme Dental"), "time_zone": ("UTC", "America/Chicago")}


def test_dates_are_shown_in_the_workspaces_time_zone(as_admin, world):
    created = world.workspace.created_at
    utc = created.strftime("%H:%M UTC")
    assert utc in words(as_admin.get("/settings/"))
    services.workspace_update(workspace=world.workspace, time_zone="Asia/Kolkata")  # UTC+5:30
    shown = created.astimezone(ZoneInfo("Asia/Kolkata"))
    page = words(as_admin.get("/settings/"))
    assert shown.strftime("%H:%M IST") in page and utc not in page


@pytest.mark.parametrize(
    "data, field, error",
    [
        (
            {"name": "Acme", "time_zone": "Mars/Olympus"},
            "time_zone",
            "“Mars/Olympus” is not a time zone",
        ),
        ({"name": "Acme", "time_zone": ""}, "time_zone", "Choose a time zone"),
        ({"name": "", "time_zone": "UTC"}, "name", "Give the workspace a name."),
        ({"name": "x" * 201, "time_zone": "UTC"}, "name", "at most 200 characters"),
    ],
)
def test_general_errors_are_said_at_the_field(as_admin, world, data, field, error):
    response = as_admin.post("/settings/", data)
    assert response.status_code == 200
    assert error in field_errors(response, field)
    assert not AuditLogEntry.objects.exists()


def test_the_checklist_follows_the_set_up(as_admin, world):
    fresh = services.workspace_create(name="Fresh")
    services.member_add(workspace=fresh, email="admin@acme.test", role="admin")
    as_admin.post("/workspace/switch/", {"workspace": fresh.pk})
    page = text(as_admin.get("/settings/"))
    assert "Finish setting up" in page
    assert page.count('class="done"') == 0
    services.phone_number_add(workspace=fresh, number="+14155550177")
    services.twilio_credentials_set(workspace=fresh, account_sid=SID, auth_token=TOKEN)
    services.member_add(workspace=fresh, email="someone@fresh.test", role="agent")
    assert "Finish setting up" not in text(as_admin.get("/settings/"))


# ---------------------------------------------------------------- Phone numbers


def test_a_number_is_added_in_any_format_with_a_label(as_admin, world):
    response = as_admin.post("/settings/numbers/add/", {"number": "(415) 555-0177", "label": "VIP"})
    added = PhoneNumber.objects.get(number="+14155550177")
    assert response["Location"] == f"/settings/numbers/{added.pk}/"
    assert (added.workspace, added.label) == (world.workspace, "VIP")
    page = words(as_admin.get(f"/settings/numbers/{added.pk}/"))
    assert "(415) 555-0177" in page and "VIP" in page
    entry = AuditLogEntry.objects.get(action="number_added")
    assert (entry.field, entry.new_value, entry.actor) == ("+14155550177", "VIP", world.admin_user)


@pytest.mark.parametrize(
    "number, error",
    [
        ("", "Type the phone number to add."),
        ("555-01", "“555-01” is not a valid phone number: type it with its country code"),
        (NUMBER_A, "(415) 555-0100 already belongs to a workspace."),
        ("+14155550199", "(415) 555-0199 already belongs to a workspace."),  # other workspace's
    ],
)
def test_a_bad_number_is_refused_at_the_field(as_admin, world, other_world, number, error):
    response = as_admin.post("/settings/numbers/add/", {"number": number})
    assert response.status_code == 200
    assert error in field_errors(response, "number")
    assert PhoneNumber.objects.count() == 3


def test_a_number_is_relabelled_and_removed(as_admin, world):
    number = world.number_b
    as_admin.post(f"/settings/numbers/{number.pk}/label/", {"label": "Front desk"})
    number.refresh_from_db()
    assert number.label == "Front desk"
    response = as_admin.post(f"/settings/numbers/{number.pk}/remove/")
    assert response["Location"] == "/settings/numbers/"
    assert not PhoneNumber.objects.filter(pk=number.pk).exists()
    entries = list(
        AuditLogEntry.objects.filter(action__startswith="number_")
        .order_by("id")
        .values_list("action", "field", "old_value", "new_value")
    )
    assert entries == [
        ("number_relabelled", number.number, "Support", "Front desk"),
        ("number_removed", number.number, "Front desk", ""),
    ]


def test_a_number_with_opt_outs_made_on_it_is_kept(as_admin, world):
    consent.opt_out_api(
        workspace=world.workspace, contact_phone=CONTACT, phone_number=world.number_a
    )
    page = words(as_admin.get(f"/settings/numbers/{world.number_a.pk}/"))
    assert "1 contact opted out on this number: removing it would delete their opt-outs" in page
    assert "Remove number" not in page
    response = as_admin.post(f"/settings/numbers/{world.number_a.pk}/remove/")
    assert response["Location"] == f"/settings/numbers/{world.number_a.pk}/"
    assert PhoneNumber.objects.filter(pk=world.number_a.pk).exists()
    assert "1 contact opted out on this number" in words(as_admin.get(response["Location"]))
    assert not AuditLogEntry.objects.filter(action="number_removed").exists()


def test_removing_a_number_says_its_conversations_go_with_it(as_admin, world, text_in):
    text_in("Hello", to=world.number_b.number)
    page = words(as_admin.get(f"/settings/numbers/{world.number_b.pk}/"))
    assert "Its conversation and their messages are deleted with it" in page
    as_admin.post(f"/settings/numbers/{world.number_b.pk}/remove/")
    assert Contact.objects.filter(workspace=world.workspace).exists()  # contacts stay


def test_a_removed_number_is_forgotten_by_this_process(
    as_admin, world, django_capture_on_commit_callbacks
):
    assert number_owner(world.number_b.number) is not None  # cached
    with django_capture_on_commit_callbacks(execute=True):
        as_admin.post(f"/settings/numbers/{world.number_b.pk}/remove/")
    assert number_owner(world.number_b.number) is None


# ---------------------------------------------------------------- Twilio


def test_twilio_credentials_are_saved_and_the_token_is_never_shown(as_admin, world):
    response = as_admin.post("/settings/twilio/", {"account_sid": SID, "auth_token": TOKEN})
    assert response.status_code == 302
    workspace = Workspace.objects.get(pk=world.workspace.pk)
    assert (workspace.twilio_account_sid, workspace.twilio_auth_token) == (SID, TOKEN)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT twilio_auth_token FROM workspaces_workspace WHERE id = %s", [workspace.pk]
        )
        [stored] = cursor.fetchone()
    assert TOKEN not in stored  # encrypted at rest
    page = text(as_admin.get("/settings/twilio/"))
    assert SID in page and TOKEN not in page
    entries = {
        e.field: (e.old_value, e.new_value)
        for e in AuditLogEntry.objects.filter(action="twilio_credentials_changed")
    }
    assert entries == {
        "account_sid": ("AC" + "0" * 32, SID),
        "auth_token": ("", "changed"),
    }
    assert TOKEN not in str(list(AuditLogEntry.objects.values_list("old_value", "new_value")))


def test_a_blank_token_keeps_the_current_one(as_admin, world):
    as_admin.post("/settings/twilio/", {"account_sid": SID, "auth_token": ""})
    workspace = Workspace.objects.get(pk=world.workspace.pk)
    assert (workspace.twilio_account_sid, workspace.twilio_auth_token) == (SID, world.auth_token)
    assert not AuditLogEntry.objects.filter(field="auth_token").exists()


@pytest.mark.parametrize(
    "data, field, error",
    [
        ({"account_sid": "", "auth_token": TOKEN}, "account_sid", "Paste your Account SID"),
        ({"account_sid": "AC123", "auth_token": TOKEN}, "account_sid", "AC followed by 32"),
        ({"account_sid": "SK" + "0" * 32, "auth_token": TOKEN}, "account_sid", "AC followed by 32"),
        ({"account_sid": SID, "auth_token": "two words"}, "auth_token", "one word of letters"),
    ],
)
def test_twilio_errors_are_said_at_the_field(as_admin, world, data, field, error):
    response = as_admin.post("/settings/twilio/", data)
    assert error in field_errors(response, field)
    assert Workspace.objects.get(pk=world.workspace.pk).twilio_auth_token == world.auth_token


def test_a_new_workspace_needs_the_token_too(client, db):
    client.post(
        "/signup/",
        {
            "email": "o@n.test",
            "password": "long-passphrase-9",
            "password2": "long-passphrase-9",
            "workspace_name": "N",
        },
    )
    page = words(client.get("/settings/twilio/"))
    assert "Not connected yet." in page
    response = client.post("/settings/twilio/", {"account_sid": SID, "auth_token": ""})
    assert "Paste the Auth Token too" in field_errors(response, "auth_token")


def test_the_webhook_urls_to_paste_into_twilio(as_admin, settings):
    settings.PUBLIC_BASE_URL = "https://sms.example.com"
    page = text(as_admin.get("/settings/twilio/"))
    assert ">https://sms.example.com/webhooks/twilio/sms/<" in page
    assert ">https://sms.example.com/webhooks/twilio/status/<" in page
    assert 'data-copy="#sms-url"' in page and 'data-copy="#status-url"' in page
