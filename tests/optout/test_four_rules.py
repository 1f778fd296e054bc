"""The Overview's four rules through the API and signed webhooks: consent before contact,
double opt-in, the recipient's sending window (their own time, state rules, held sends), and
content (SHAFT-C, spam warnings), plus carrier registration's warning."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from messaging.models import Message
from messaging.tasks import messaging_sweep
from optout import services
from optout.models import ConsentEvent, OptIn, RuleOutcome
from optout.tasks import consent_maintenance
from tests.support.world import CONTACT, NUMBER_A
from workspaces.models import Contact, PhoneNumber

NEW_YORK = "+12125550123"
LOS_ANGELES = "+13105550123"
MIAMI = "+13055550123"
DALLAS = "+12145550123"
# 01:30 UTC on a Wednesday in January: 20:30 in New York and Miami, 17:30 in Los Angeles,
# 19:30 in Dallas.
EVENING = datetime(2027, 1, 13, 1, 30, tzinfo=UTC)


def settings_patch(api, **fields):
    response = api.patch("/api/v1/compliance-settings", fields, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def quiet_hours(api, start, end):
    return settings_patch(
        api, quiet_hours_enabled=True, quiet_hours_start=start, quiet_hours_end=end
    )


def send(api, to, body="Hello from Acme", **extra):
    return api.post(
        "/api/v1/messages", {"from": NUMBER_A, "to": to, "body": body, **extra}, format="json"
    )


# ---------------------------------------------------------------- consent before contact


def test_consent_required_refuses_then_allows_after_an_opt_in(api, world):
    settings_patch(api, consent_required=True)
    refused = send(api, NEW_YORK)
    assert (refused.status_code, refused.json()["code"]) == (422, "consent_required")
    recorded = api.post(
        "/api/v1/opt-ins",
        {"contact": NEW_YORK, "source": "web_form", "evidence": "Signed up at acme.test/join"},
        format="json",
    )
    assert recorded.status_code == 201 and recorded.json()["consent_status"] == "opted_in"
    assert send(api, NEW_YORK).status_code == 201
    again = api.post(
        "/api/v1/opt-ins",
        {"contact": NEW_YORK, "source": "web_form", "evidence": "Signed up at acme.test/join"},
        format="json",
    )
    assert again.status_code == 200  # the same consent: nothing changed
    [status] = [
        c["consent_status"] for c in api.get(f"/api/v1/contacts?phone={NEW_YORK}").json()["results"]
    ]
    assert status == "opted_in"


def test_a_contact_who_texted_first_may_be_answered_without_consent(api, world, text_in):
    settings_patch(api, consent_required=True)
    text_in("Hi, is the shop open?")
    assert send(api, CONTACT, "Yes, until 6pm.").status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"contact": NEW_YORK, "source": "web_form", "evidence": ""}, "evidence"),
        ({"contact": NEW_YORK, "evidence": "x"}, "source"),
        ({"contact": NEW_YORK, "source": "keyword", "evidence": "x"}, "source"),
        ({"contact": "nope", "source": "web_form", "evidence": "x"}, "contact"),
    ],
)
def test_consent_without_evidence_or_source_is_refused(api, world, body, field):
    response = api.post("/api/v1/opt-ins", body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]


def test_an_opted_out_contact_cannot_be_opted_in_by_the_api(api, world, text_in):
    text_in("STOP")
    response = api.post(
        "/api/v1/opt-ins",
        {"contact": CONTACT, "source": "paper_form", "evidence": "Form #12"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (422, "recipient_opted_out")
    assert not OptIn.objects.exists()


def test_double_opt_in_request_yes_welcome_then_sends(
    api, world, text_in, fake_twilio, django_capture_on_commit_callbacks
):
    settings_patch(api, double_opt_in_enabled=True, consent_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        recorded = api.post(
            "/api/v1/opt-ins",
            {"contact": CONTACT, "source": "web_form", "evidence": "Checkout opt-in box"},
            format="json",
        )
    assert recorded.json()["consent_status"] == "pending"
    [request] = [r.body for r in fake_twilio.sent_to(CONTACT)]
    assert "Acme" in request and "YES" in request and "STOP" in request
    pending = send(api, CONTACT, "Our spring sale starts now")
    assert (pending.status_code, pending.json()["code"]) == (422, "consent_pending")
    text_in("YES")
    bodies = [r.body for r in fake_twilio.sent_to(CONTACT)]
    assert len(bodies) == 2 and bodies[1].startswith("Acme: you're subscribed")
    assert OptIn.objects.get().status == "confirmed"
    assert send(api, CONTACT, "Our spring sale starts now").status_code == 201
    kinds = list(ConsentEvent.objects.order_by("id").values_list("kind", "source"))
    assert kinds == [("opt_in_requested", "api"), ("opt_in", "keyword")]


def test_a_pending_request_expires(api, world):
    settings_patch(api, double_opt_in_enabled=True, double_opt_in_expiry_days=3)
    services.consent_record(
        workspace=world.workspace, contact_phone=CONTACT, source="verbal", evidence="By phone"
    )
    with time_machine.travel(datetime.now(UTC) + timedelta(days=4)):
        assert consent_maintenance.apply().get()["expired"] == 1
    assert not OptIn.objects.exists()
    assert ConsentEvent.objects.filter(kind="opt_in_expired").exists()


def test_stop_revokes_the_consent_on_record(api, world, text_in):
    services.consent_record(
        workspace=world.workspace, contact_phone=CONTACT, source="web_form", evidence="Form"
    )
    text_in("STOP")
    assert not OptIn.objects.exists()


# ---------------------------------------------------------------- the recipient's window


def test_open_in_los_angeles_closed_in_new_york(api, world):
    settings_patch(
        api, quiet_hours_enabled=True, quiet_hours_start="20:00", quiet_hours_end="08:00"
    )
    with time_machine.travel(EVENING, tick=False):
        new_york = send(api, NEW_YORK)
        los_angeles = send(api, LOS_ANGELES)
    assert (new_york.status_code, new_york.json()["code"]) == (422, "quiet_hours")
    assert new_york.json()["retry_after"] == "2027-01-13T13:00:00+00:00"  # 08:00 in New York
    assert "America/New_York" in new_york.json()["detail"]
    assert los_angeles.status_code == 201


def test_the_contacts_own_time_zone_wins(api, world):
    settings_patch(
        api, quiet_hours_enabled=True, quiet_hours_start="20:00", quiet_hours_end="08:00"
    )
    Contact.objects.create(workspace=world.workspace, phone=NEW_YORK, time_zone="America/Denver")
    with time_machine.travel(EVENING, tick=False):
        assert send(api, NEW_YORK).status_code == 201  # 18:30 in Denver


def test_a_deferred_send_is_held_and_goes_out_when_the_window_opens(
    api, world, fake_twilio, django_capture_on_commit_callbacks
):
    settings_patch(
        api, quiet_hours_enabled=True, quiet_hours_start="20:00", quiet_hours_end="08:00"
    )
    with time_machine.travel(EVENING, tick=False):
        held = send(api, NEW_YORK, when_closed="defer")
        assert held.status_code == 201
        assert held.json()["status"] == "scheduled"
        assert held.json()["scheduled_for"] == "2027-01-13T13:00:00Z"
        messaging_sweep.apply()
    assert fake_twilio.sent_to(NEW_YORK) == []
    opens = datetime(2027, 1, 13, 13, 1, tzinfo=UTC)
    with time_machine.travel(opens, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert messaging_sweep.apply().get()["released"] == 1
    assert len(fake_twilio.sent_to(NEW_YORK)) == 1
    assert RuleOutcome.objects.filter(rule="quiet_hours", outcome="held").count() == 1


def test_a_stop_while_a_send_is_held_wins(
    api, world, fake_twilio, text_in, django_capture_on_commit_callbacks
):
    settings_patch(
        api, quiet_hours_enabled=True, quiet_hours_start="20:00", quiet_hours_end="08:00"
    )
    with time_machine.travel(EVENING, tick=False):
        send(api, NEW_YORK, when_closed="defer")
    text_in("STOP", from_=NEW_YORK)
    opens = datetime(2027, 1, 13, 13, 1, tzinfo=UTC)
    with time_machine.travel(opens, tick=False), django_capture_on_commit_callbacks(execute=True):
        messaging_sweep.apply()
    assert [r.body for r in fake_twilio.sent_to(NEW_YORK)][1:] == []  # only the confirmation
    assert Message.objects.get(body="Hello from Acme").status == "failed"


def test_when_closed_must_be_refuse_or_defer(api, world):
    response = send(api, NEW_YORK, when_closed="later")
    assert response.status_code == 400 and "when_closed" in response.json()["fields"]


def test_a_reply_to_a_contact_who_just_texted_is_never_held(api, world, text_in):
    settings_patch(
        api, quiet_hours_enabled=True, quiet_hours_start="00:00", quiet_hours_end="23:59"
    )
    text_in("Are you open tomorrow?", from_=NEW_YORK)
    assert send(api, NEW_YORK, "Yes, from 9").status_code == 201


@pytest.mark.parametrize(
    "number, at, closed",
    [
        (MIAMI, datetime(2027, 1, 13, 1, 30, tzinfo=UTC), True),  # 20:30 in Florida
        (MIAMI, datetime(2027, 1, 13, 0, 30, tzinfo=UTC), False),  # 19:30
        (DALLAS, datetime(2027, 1, 17, 17, 30, tzinfo=UTC), True),  # Sunday 11:30 in Texas
        (DALLAS, datetime(2027, 1, 17, 18, 30, tzinfo=UTC), False),  # Sunday 12:30
    ],
)
def test_state_rules_add_the_states_windows(api, world, number, at, closed):
    settings_patch(api, state_rules_enabled=True)
    with time_machine.travel(at, tick=False):
        response = send(api, number)
    assert (response.status_code == 422) is closed
    if closed:
        assert response.json()["code"] == "quiet_hours" and response.json()["retry_after"]


# ---------------------------------------------------------------- content and registration


def test_shaft_c_content_is_blocked_with_its_category_and_warnings_come_back(api, world):
    blocked = send(api, NEW_YORK, "Happy hour: half-price vodka shots tonight")
    assert (blocked.status_code, blocked.json()["code"]) == (422, "content_blocked")
    assert blocked.json()["category"] == "alcohol"
    settings_patch(api, content_rules={"alcohol": "warn"})
    warned = send(api, NEW_YORK, "Happy hour: half-price vodka shots tonight")
    assert warned.status_code == 201 and "content_alcohol" in warned.json()["warnings"]
    spam = send(api, NEW_YORK, "BIG SALE TODAY ONLY AT ACME!!! see bit.ly/x")
    assert {"all_caps", "excessive_punctuation", "url_shortener"} <= set(spam.json()["warnings"])
    fine = send(api, NEW_YORK, "Your cocktail dress is ready for pickup in Essex.")
    assert fine.status_code == 201


def test_unknown_content_categories_or_actions_are_refused(api, world):
    response = api.patch(
        "/api/v1/compliance-settings", {"content_rules": {"gambling": "block"}}, format="json"
    )
    assert response.status_code == 400 and "content_rules" in response.json()["fields"]
    response = api.patch(
        "/api/v1/compliance-settings", {"content_rules": {"alcohol": "maybe"}}, format="json"
    )
    assert response.status_code == 400


def test_an_unregistered_10dlc_number_sends_with_a_warning(api, world):
    response = send(api, NEW_YORK, "Your order shipped")
    assert "number_unregistered" in response.json()["warnings"]
    PhoneNumber.objects.filter(pk=world.number_a.pk).update(registration_status="approved")
    from compliance_center import process_cache

    process_cache.clear_all()
    assert "number_unregistered" not in send(api, NEW_YORK, "Shipped")
