"""Broadcasts through the API, tasks run eagerly on the simulator: who is eligible and who is
excluded and why (opted out under both scopes, no consent, invalid), merge fields, one text per
contact however often a step runs, pause / resume / cancel, and the refusals of bad input."""

from datetime import UTC, datetime

import pytest
import time_machine

from messaging.broadcasts import services as broadcasts
from messaging.broadcasts.models import Broadcast, BroadcastRecipient
from messaging.models import Message
from optout import services as consent
from optout.services import compliance_settings_update
from tests.support.world import NUMBER_A, NUMBER_B
from workspaces.models import Contact
from workspaces.tagging import contact_tags_set

pytestmark = pytest.mark.django_db


def _contact(world, phone, name="", tags=("club",), **fields):
    contact = Contact.objects.create(
        workspace=world.workspace, phone=phone, name=name, fields=fields
    )
    contact_tags_set(contact=contact, names=tags)
    return contact


@pytest.fixture
def audience(world):
    """Six contacts tagged `club`: two fine, one opted out (inbox scope), one opted out on
    NUMBER_B only (phone-number scope), one without consent, one not a phone number."""
    _contact(world, "+14155550201", "Ada Lovelace", city="London")
    _contact(world, "+14155550202", "")
    _contact(world, "+14155550203", "Opted Out")
    _contact(world, "+14155550204", "Other Number")
    _contact(world, "+14155550205", "No Consent")
    _contact(world, "12345", "Short code")
    consent.opt_out_api(
        workspace=world.workspace, contact_phone="+14155550203", phone_number=world.number_a
    )
    compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    consent.opt_out_api(
        workspace=world.workspace, contact_phone="+14155550204", phone_number=world.number_b
    )
    for phone in ("+14155550201", "+14155550202", "+14155550203", "+14155550204"):
        consent.consent_record(
            workspace=world.workspace,
            contact_phone=phone,
            source="web_form",
            evidence="Joined the club on the website",
        ) if phone != "+14155550203" else None
    compliance_settings_update(workspace=world.workspace, consent_required=True)
    return world


def _create(api, **body):
    body = {"from": NUMBER_A, "body": "Hi {first_name|there}!", "audience": {"tag": "club"}, **body}
    return api.post("/api/v1/broadcasts", body, format="json")


def _run(broadcast_id, capture):
    """Runs the steps (and the deliveries they queue) until the broadcast settles."""
    for _ in range(20):
        with capture(execute=True):
            step = broadcasts.broadcast_step(broadcast_id=broadcast_id)
        if step.again_in is None:
            return
    raise AssertionError("the broadcast did not settle")


def test_preview_counts_each_exclusion_and_shows_the_final_text(api, audience):
    response = api.post(
        "/api/v1/broadcasts/preview",
        {
            "from": NUMBER_A,
            "body": "Hi {first_name|there}, news from {city|us}.",
            "audience": {"tag": "club"},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    preview = response.json()
    assert {
        k: preview["counts"][k]
        for k in ("eligible", "excluded_opted_out", "excluded_no_consent", "excluded_invalid")
    } == {"eligible": 3, "excluded_opted_out": 1, "excluded_no_consent": 1, "excluded_invalid": 1}
    assert preview["text"] == "Hi Ada, news from London."
    assert preview["segments"] == 1 and preview["cost_segments"] == 3


def test_a_broadcast_texts_exactly_the_eligible_once(
    api, audience, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(api)
    assert response.status_code == 201, response.content
    broadcast_id = response.json()["id"]
    _run(broadcast_id, django_capture_on_commit_callbacks)
    # A step that runs again (a swept task) sends nothing more.
    _run(broadcast_id, django_capture_on_commit_callbacks)
    detail = api.get(f"/api/v1/broadcasts/{broadcast_id}").json()
    assert detail["status"] == "done"
    counts = detail["counts"]
    assert counts["sent"] == 3 and counts["failed"] == 0
    assert (
        counts["excluded_opted_out"],
        counts["excluded_no_consent"],
        counts["excluded_invalid"],
    ) == (1, 1, 1)
    texts = sorted(
        (m.conversation.contact.phone, m.body) for m in Message.objects.filter(source="broadcast")
    )
    assert texts == [
        ("+14155550201", "Hi Ada!"),
        ("+14155550202", "Hi there!"),
        ("+14155550204", "Hi there!") if False else ("+14155550204", "Hi Other!"),
    ]
    report = api.get(f"/api/v1/broadcasts/{broadcast_id}/recipients?format=csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0].startswith("phone,name,status") and len(lines) == 7


def test_a_stop_before_its_turn_excludes_the_contact(
    api, audience, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        broadcast_id = _create(api).json()["id"]
        broadcasts.broadcast_prepare(broadcast_id=broadcast_id)  # resolved, nothing sent yet
    assert (
        BroadcastRecipient.objects.get(broadcast_id=broadcast_id, phone="+14155550201").status
        == "pending"
    )
    consent.opt_out_api(
        workspace=audience.workspace, contact_phone="+14155550201", phone_number=audience.number_a
    )
    _run(broadcast_id, django_capture_on_commit_callbacks)
    row = BroadcastRecipient.objects.get(broadcast_id=broadcast_id, phone="+14155550201")
    assert row.status == "excluded_opted_out" and row.message_id is None
    assert not Message.objects.filter(conversation__contact__phone="+14155550201").exists()


def test_pause_resume_cancel(api, audience, django_capture_on_commit_callbacks):
    broadcast_id = _create(api, send_at="2099-01-01T00:00:00Z").json()["id"]
    assert api.get(f"/api/v1/broadcasts/{broadcast_id}").json()["status"] == "scheduled"
    assert api.post(f"/api/v1/broadcasts/{broadcast_id}/pause").json()["status"] == "paused"
    again = api.post(f"/api/v1/broadcasts/{broadcast_id}/pause")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert api.post(f"/api/v1/broadcasts/{broadcast_id}/cancel").json()["status"] == "cancelled"
    for action in ("pause", "resume", "cancel"):
        refused = api.post(f"/api/v1/broadcasts/{broadcast_id}/{action}")
        assert refused.status_code == 409, action
    assert not Message.objects.filter(source="broadcast").exists()


def test_pausing_a_finished_broadcast_is_409(api, audience, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_id = _create(api).json()["id"]
    _run(broadcast_id, django_capture_on_commit_callbacks)
    assert Broadcast.objects.get(pk=broadcast_id).status == "done"
    response = api.post(f"/api/v1/broadcasts/{broadcast_id}/pause")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"audience": {"tag": "nobody"}}, "empty_audience", "audience"),
        ({"audience": {"numbers": []}}, "empty_audience", "audience"),
        ({"audience": {"everyone": True}}, "invalid", "audience"),
        ({"body": "Hi {frist_name}"}, "unknown_merge_field", "body"),
        ({"body": "Hi {first name}"}, "unknown_merge_field", "body"),
        ({"body": "x" * 1590 + "{first_name}"}, "body_too_long", "body"),
        ({"from": "+14155550199"}, "unknown_sender_number", "from"),
        ({"body": "  "}, "invalid_body", "body"),
    ],
)
def test_bad_input_names_the_field(api, audience, other_world, body, code, field):
    response = _create(api, **body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert field in response.json().get("fields", {}), response.json()


def test_a_list_audience_makes_contacts_and_reports_invalid_entries(
    api, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = (
            _create(
                api,
                audience={"numbers": ["(415) 555-0301", "+14155550301", "not a number"]},
                from_=None,
            )
            if False
            else api.post(
                "/api/v1/broadcasts",
                {
                    "from": [NUMBER_A, NUMBER_B],
                    "body": "Hello",
                    "audience": {"numbers": ["(415) 555-0301", "+14155550301", "not a number"]},
                },
                format="json",
            )
        )
    assert response.status_code == 201, response.content
    broadcast_id = response.json()["id"]
    assert response.json()["from"] == [NUMBER_A, NUMBER_B]
    _run(broadcast_id, django_capture_on_commit_callbacks)
    counts = api.get(f"/api/v1/broadcasts/{broadcast_id}").json()["counts"]
    assert (counts["sent"], counts["excluded_invalid"], counts["total"]) == (1, 1, 2)


def test_another_workspaces_broadcast_answers_404(api, world, other_world):
    Contact.objects.create(workspace=other_world.workspace, phone="+14155550166")
    foreign = broadcasts.broadcast_create(
        workspace=other_world.workspace,
        from_=other_world.phone_number.number,
        body="Theirs",
        audience={"all": True},
        send_at=None,
    )
    for url in (
        f"/api/v1/broadcasts/{foreign.pk}",
        f"/api/v1/broadcasts/{foreign.pk}/recipients",
        f"/api/v1/broadcasts/{foreign.pk}/recipients?format=csv",
    ):
        assert api.get(url).status_code == 404, url
    for action in ("pause", "resume", "cancel"):
        assert api.post(f"/api/v1/broadcasts/{foreign.pk}/{action}").status_code == 404
    assert api.get("/api/v1/broadcasts").json()["results"] == []


def test_texts_queued_before_a_cancel_still_settle(
    api, audience, django_capture_on_commit_callbacks
):
    from messaging.services.delivery import message_deliver

    with django_capture_on_commit_callbacks(execute=False):
        broadcast_id = _create(api).json()["id"]
        broadcasts.broadcast_prepare(broadcast_id=broadcast_id)
        assert broadcasts.broadcast_step(broadcast_id=broadcast_id).made == 3
    assert api.post(f"/api/v1/broadcasts/{broadcast_id}/cancel").json()["status"] == "cancelled"
    for message in Message.objects.filter(source="broadcast"):
        message_deliver(message_id=message.pk)
    assert broadcasts.broadcast_step(broadcast_id=broadcast_id).again_in is None
    counts = api.get(f"/api/v1/broadcasts/{broadcast_id}").json()["counts"]
    assert counts["sent"] == 3 and counts["queued"] == 0


@pytest.mark.parametrize(
    "send_at, deferred",
    [(None, 1), ("2026-07-01T12:00:00Z", 0)],
    ids=["now: Tokyo is in its quiet hours", "at noon UTC: open everywhere"],
)
def test_preview_counts_those_outside_their_window_as_deferred(api, audience, send_at, deferred):
    # 02:00 UTC on 1 July: 19:00 in San Francisco (415), 11:00 in Tokyo. Quiet hours 10:00–12:00
    # close Tokyo's window only; at 12:00 UTC (05:00 and 21:00) both are open.
    Contact.objects.filter(phone="+14155550202").update(time_zone="Asia/Tokyo")
    compliance_settings_update(
        workspace=audience.workspace,
        quiet_hours_enabled=True,
        quiet_hours_start="10:00",
        quiet_hours_end="12:00",
    )
    body = {"from": NUMBER_A, "body": "Hi!", "audience": {"tag": "club"}}
    with time_machine.travel("2026-07-01T02:00:00Z", tick=False):
        response = api.post(
            "/api/v1/broadcasts/preview",
            {**body, "send_at": send_at} if send_at else body,
            format="json",
        )
    assert response.status_code == 200, response.content
    counts = response.json()["counts"]
    assert (counts["eligible"], counts["deferred"], counts["pending"]) == (
        3,
        deferred,
        3 - deferred,
    )


def test_a_contact_who_texted_in_lately_is_not_deferred(api, audience):
    Contact.objects.filter(phone="+14155550202").update(
        time_zone="Asia/Tokyo", last_inbound_at=datetime(2026, 7, 1, 1, tzinfo=UTC)
    )
    compliance_settings_update(
        workspace=audience.workspace,
        quiet_hours_enabled=True,
        quiet_hours_start="10:00",
        quiet_hours_end="12:00",
    )
    with time_machine.travel("2026-07-01T02:00:00Z", tick=False):
        response = api.post(
            "/api/v1/broadcasts/preview",
            {"from": NUMBER_A, "body": "Hi!", "audience": {"numbers": ["+14155550202"]}},
            format="json",
        )
    assert response.json()["counts"]["deferred"] == 0


def test_a_listed_number_new_to_the_workspace_is_deferred_by_its_area_code(api, audience):
    compliance_settings_update(
        workspace=audience.workspace,
        consent_required=False,
        quiet_hours_enabled=True,
        quiet_hours_start="18:00",
        quiet_hours_end="20:00",
    )
    numbers = ["+14155550299", "+12125550299"]  # San Francisco 19:00, New York 22:00
    with time_machine.travel("2026-07-01T02:00:00Z", tick=False):
        response = api.post(
            "/api/v1/broadcasts/preview",
            {"from": NUMBER_A, "body": "Hi!", "audience": {"numbers": numbers}},
            format="json",
        )
    counts = response.json()["counts"]
    assert (counts["eligible"], counts["deferred"]) == (2, 1)
