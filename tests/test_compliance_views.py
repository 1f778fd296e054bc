"""Compliance Center pages: roles, form validation, the audit log, CSV exports, and
every setting's effect proven through the webhook or send path."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_center.errors import DomainError
from messaging.services.outbound import message_send
from optout import services
from optout.models import AuditLogEntry, ConsentEvent, Keyword, OptOut
from tests.support.consent import blocked, last_reply, settings_of
from tests.support.pages import csv_rows, text
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.django_db

PAGES = [
    "/compliance/",
    "/compliance/opt-out/",
    "/compliance/keywords/",
    "/compliance/block-list/",
    "/compliance/audit-log/",
    "/compliance/block-list.csv",
    "/compliance/consent-ledger.csv",
]
ROLE_403 = "Your role does not include access to the Compliance Center; ask an Admin or Manager."


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["as_admin", "as_manager"])
def test_admins_and_managers_open_every_page(request, url, who):
    client = request.getfixturevalue(who)
    response = client.get(url)
    assert response.status_code == 200
    if not url.endswith(".csv"):
        assert "Compliance Center" in text(response)
        for tab in ("Overview", "Opt-out", "Keywords", "Block list", "Audit log"):
            assert tab in text(response)


@pytest.mark.parametrize("url", PAGES)
def test_agent_gets_the_403_page_on_every_page(as_agent, url):
    response = as_agent.get(url)
    assert response.status_code == 403
    assert ROLE_403 in text(response)


def test_agent_sees_no_menu_entry(as_agent):
    response = as_agent.get("/inbox/")
    assert response.status_code == 200
    assert "Settings → Compliance Center" not in text(response)
    assert "/compliance/" not in response.content.decode()


def test_admin_sees_the_menu_entry(as_admin):
    assert "Settings → Compliance Center" in text(as_admin.get("/inbox/"))


@pytest.mark.parametrize("url", PAGES + ["/compliance/contacts/1/"])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_agent_cannot_change_anything(as_agent, world, opted_out):
    keyword = services.keyword_add(workspace=world.workspace, kind="opt_out", keyword="BAJA")
    posts = [
        ("/compliance/opt-out/", {"section": "scope", "opt_out_scope": "phone_number"}),
        ("/compliance/opt-out/", {"section": "signature", "signature_mode": "every_message"}),
        ("/compliance/opt-out/preview/", {"signature_mode": "off"}),
        ("/compliance/keywords/add/opt_out/", {"opt_out-kind": "opt_out", "opt_out-keyword": "X"}),
        (f"/compliance/keywords/{keyword.pk}/remove/", {}),
        ("/compliance/keywords/replies/", {"help_text": "x", "opt_in_confirmation_text": "y"}),
        (
            "/compliance/block-list/opt-out/",
            {"contact": "+14155550177", "phone_number": world.number_a.pk, "reason": "r"},
        ),
        (f"/compliance/contacts/{opted_out.pk}/lift/", {"reason": "asked"}),
    ]
    audit_before = AuditLogEntry.objects.count()
    for url, data in posts:
        response = as_agent.post(url, data)
        assert response.status_code == 403, url
        assert ROLE_403 in text(response)
    assert settings_of(world).opt_out_scope == "inbox"
    assert Keyword.objects.filter(pk=keyword.pk).exists()
    assert OptOut.objects.filter(contact=opted_out).exists()
    assert not Contact.objects.filter(phone="+14155550177").exists()
    assert AuditLogEntry.objects.count() == audit_before


# ---------------------------------------------------------------- Overview


def test_overview_shows_the_rules_and_live_figures(as_admin, world, text_in):
    text_in("STOP", to=NUMBER_A, from_="+14155550123")
    text_in("stop", to=NUMBER_A, from_="+14155550124")
    text_in("START", to=NUMBER_A, from_="+14155550124")
    text_in("Unsubscribe", to=NUMBER_B, from_="+14155550125")
    # An opt-out 20 days ago counts in the 30-day figures only.
    old = ConsentEvent.objects.get(contact__phone="+14155550125")
    ConsentEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))

    response = as_admin.get("/compliance/")
    page = text(response)
    for rule in (
        "Don't send any SHAFT-C-related content.",
        "Only message contacts who've opted in to receive messaging from you.",
        'When contacts reply "STOP," don\'t send any additional messages.',
        "Don't send messages outside of normal business hours.",
    ):
        assert rule in page
    body = response.content.decode()
    assert 'data-stat="opt_outs_7">2<' in body
    assert 'data-stat="opt_outs_30">3<' in body
    assert 'data-stat="opt_ins_7">1<' in body
    assert 'data-stat="blocked">2<' in body
    stats = response.context["stats"]
    by_number = {n.number: n for n in stats.per_number}
    assert (by_number[NUMBER_A].opt_outs_7, by_number[NUMBER_A].opt_ins_7) == (2, 1)
    assert (by_number[NUMBER_B].opt_outs_7, by_number[NUMBER_B].opt_outs_30) == (0, 1)
    # The chart: an inline SVG, today's bar holds the two recent opt-outs.
    today = timezone.now().date().isoformat()
    assert "<svg" in body and f'data-day="{today}" data-count="2"' in body
    assert len(re.findall(r'<rect class="bar"', body)) == 30


# ---------------------------------------------------------------- Opt-out tab


def test_switching_to_per_number_needs_the_confirmation(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/", {"section": "scope", "opt_out_scope": "phone_number"}
    )
    assert response.status_code == 200
    assert "Confirm the switch to Phone Number Opt-Out" in text(response)
    assert settings_of(world).opt_out_scope == "inbox"
    assert not AuditLogEntry.objects.filter(field="opt_out_scope").exists()


def test_bad_scope_value_is_refused_next_to_the_field(as_admin, world):
    response = as_admin.post("/compliance/opt-out/", {"section": "scope", "opt_out_scope": "all"})
    assert "Select a valid choice" in text(response)
    assert settings_of(world).opt_out_scope == "inbox"


def test_per_number_scope_governs_the_next_stop(as_admin, world, text_in):
    response = as_admin.post(
        "/compliance/opt-out/",
        {"section": "scope", "opt_out_scope": "phone_number", "confirm_phone_number": "on"},
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(field="opt_out_scope")
    assert (entry.old_value, entry.new_value, entry.actor, entry.via) == (
        "inbox",
        "phone_number",
        world.admin_user,
        "web",
    )
    text_in("STOP", to=NUMBER_A)
    assert blocked(world, NUMBER_A) and not blocked(world, NUMBER_B)
    message_send(workspace=world.workspace, from_number=NUMBER_B, to=CONTACT, body="Still here")
    with pytest.raises(DomainError):
        message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")

    # Back to inbox: no confirmation needed, and it blocks every number at once.
    response = as_admin.post("/compliance/opt-out/", {"section": "scope", "opt_out_scope": "inbox"})
    assert response.status_code == 302
    assert blocked(world, NUMBER_B)


def test_confirmation_text_edit_is_sent_on_the_next_stop(as_admin, world, text_in):
    new = "Acme: you're unsubscribed. Text START to come back."
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "confirmation",
            "opt_out_confirmation_enabled": "on",
            "opt_out_confirmation_text": new,
        },
    )
    assert response.status_code == 302
    text_in("STOP")
    assert last_reply().body == new
    entry = AuditLogEntry.objects.get(field="opt_out_confirmation_text")
    assert entry.new_value == new and entry.actor == world.admin_user


def test_confirmation_off_sends_no_reply(as_admin, world, text_in):
    response = as_admin.post(
        "/compliance/opt-out/",
        {"section": "confirmation", "opt_out_confirmation_text": "Bye. Reply START."},
    )
    assert response.status_code == 302
    assert settings_of(world).opt_out_confirmation_enabled is False
    text_in("STOP")
    assert blocked(world, NUMBER_A)
    assert last_reply() is None


@pytest.mark.parametrize(
    "value, error",
    [("", "Write the text the contact receives."), ("x" * 1601, "at most 1600 characters")],
)
def test_confirmation_text_is_validated(as_admin, world, value, error):
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "confirmation",
            "opt_out_confirmation_enabled": "on",
            "opt_out_confirmation_text": value,
        },
    )
    assert response.status_code == 200
    assert error in text(response)
    assert 'id="id_opt_out_confirmation_text_errors"' in response.content.decode()
    assert settings_of(world).opt_out_confirmation_text.startswith("You have been unsubscribed")


def test_signature_setting_is_applied_by_the_send_path(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "signature",
            "signature_mode": "every_message",
            "signature_text": "Acme: reply STOP to opt out.",
        },
    )
    assert response.status_code == 302
    sent = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    assert sent.body == "Hi\nAcme: reply STOP to opt out."
    fields = set(AuditLogEntry.objects.values_list("field", flat=True))
    assert {"signature_mode", "signature_text"} <= fields


@pytest.mark.parametrize(
    "data, error",
    [
        ({"signature_mode": "every_message", "signature_text": ""}, "Write the signature"),
        ({"signature_mode": "sometimes", "signature_text": "Reply STOP"}, "Select a valid choice"),
        ({"signature_mode": "off", "signature_text": "x" * 161}, "at most 160 characters"),
    ],
)
def test_signature_form_errors(as_admin, world, data, error):
    response = as_admin.post("/compliance/opt-out/", {"section": "signature", **data})
    assert response.status_code == 200
    assert error in text(response)
    assert settings_of(world).signature_mode == "off"
    assert not AuditLogEntry.objects.exists()


def test_signature_preview_counts_segments(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/preview/",
        {
            "signature_mode": "every_message",
            "signature_text": "Reply STOP to opt out.",
            "sample": "a" * 150,
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "Reply STOP to opt out." in page
    assert "173 characters" in page and "2 segments" in page and "GSM-7" in page

    response = as_admin.post(
        "/compliance/opt-out/preview/",
        {
            "signature_mode": "first_in_conversation",
            "signature_text": "Stop? Reply STOP",
            "sample": "Hi 👋",
        },
    )
    page = text(response)
    assert "UCS-2" in page and "1 segment" in page
    assert "later messages go without it" in page

    response = as_admin.post(
        "/compliance/opt-out/preview/",
        {"signature_mode": "off", "signature_text": "Reply STOP", "sample": "Hi"},
    )
    assert "Reply STOP" not in text(response) and "Signature off" in text(response)
    assert not AuditLogEntry.objects.exists()  # the preview saves nothing


# ---------------------------------------------------------------- Keywords tab


def add_keyword(client, kind, keyword, **extra):
    data = {f"{kind}-kind": kind, f"{kind}-keyword": keyword}
    data.update({f"{kind}-{k}": v for k, v in extra.items()})
    return client.post(f"/compliance/keywords/add/{kind}/", data)


def test_keywords_page_shows_builtins_without_remove(as_admin, world):
    services.keyword_add(workspace=world.workspace, kind="opt_out", keyword="BAJA")
    page = as_admin.get("/compliance/keywords/").content.decode()
    for word in ("STOP", "STOPALL", "UNSUBSCRIBE", "START", "UNSTOP", "HELP", "INFO"):
        assert '<li class="chip builtin"' in page and f">{word}</li>" in page
    assert 'aria-label="Remove BAJA"' in page
    assert 'aria-label="Remove STOP"' not in page


def test_custom_keyword_with_language_and_reply_matches_inbound(as_admin, world, text_in):
    response = add_keyword(
        as_admin, "opt_out", "Baja", language="es", reply_text="Has sido dado de baja."
    )
    assert response.status_code == 302
    assert Keyword.objects.get(workspace=world.workspace, keyword="BAJA").language == "es"
    entry = AuditLogEntry.objects.get(action="keyword_added")
    assert (entry.field, entry.new_value, entry.actor) == ("opt_out", "BAJA", world.admin_user)

    text_in(" baja! ")
    event = ConsentEvent.objects.get(contact__phone=CONTACT)
    assert (event.kind, event.source) == ("opt_out", "keyword")
    assert last_reply().body == "Has sido dado de baja."


def test_keyword_errors_are_shown_next_to_the_field(as_admin, world):
    add_keyword(as_admin, "opt_out", "BAJA")
    cases = [
        (add_keyword(as_admin, "opt_in", "baja"), "BAJA is already a custom opt-out keyword."),
        (add_keyword(as_admin, "help", "Stop"), "STOP is already a built-in opt-out keyword."),
        (add_keyword(as_admin, "help", "!!!"), "A keyword needs at least one letter or digit"),
        (add_keyword(as_admin, "help", ""), "Type the keyword to add."),
        (add_keyword(as_admin, "help", "AYUDA", language="spanish!"), "Use a language code"),
    ]
    for response, error in cases:
        assert response.status_code == 200
        assert error in text(response)
        assert "errorlist" in response.content.decode()
    assert list(Keyword.objects.values_list("keyword", flat=True)) == ["BAJA"]


def test_twenty_first_keyword_of_a_kind_is_refused(as_admin, world):
    for i in range(20):
        services.keyword_add(workspace=world.workspace, kind="opt_out", keyword=f"NOPE{i}")
    response = add_keyword(as_admin, "opt_out", "NOPE20")
    assert response.status_code == 200
    assert "A workspace can have at most 20 custom opt-out keywords." in text(response)
    assert "20 of 20 custom" in text(response)
    assert not Keyword.objects.filter(keyword="NOPE20").exists()
    # Another kind still has room.
    assert add_keyword(as_admin, "help", "AYUDA").status_code == 302


def test_removing_a_keyword_stops_it_matching(as_admin, world, text_in):
    keyword = services.keyword_add(workspace=world.workspace, kind="opt_out", keyword="BAJA")
    response = as_admin.post(f"/compliance/keywords/{keyword.pk}/remove/")
    assert response.status_code == 302
    assert not Keyword.objects.filter(pk=keyword.pk).exists()
    entry = AuditLogEntry.objects.get(action="keyword_removed")
    assert (entry.old_value, entry.actor) == ("BAJA", world.admin_user)
    text_in("baja")
    assert not OptOut.objects.exists()


def test_help_and_opt_in_replies_are_used(as_admin, world, text_in):
    response = as_admin.post(
        "/compliance/keywords/replies/",
        {
            "opt_in_confirmation_text": "Welcome back to Acme! Reply STOP to opt out.",
            "help_text": "Acme support: call 415-555-0100. Reply STOP to opt out.",
        },
    )
    assert response.status_code == 302
    text_in("HELP")
    assert last_reply().body == "Acme support: call 415-555-0100. Reply STOP to opt out."
    text_in("STOP")
    text_in("START")
    assert last_reply().body == "Welcome back to Acme! Reply STOP to opt out."
    assert (
        AuditLogEntry.objects.filter(field__in=["help_text", "opt_in_confirmation_text"]).count()
        == 2
    )


def test_replies_form_errors(as_admin, world):
    response = as_admin.post(
        "/compliance/keywords/replies/", {"opt_in_confirmation_text": "  ", "help_text": "ok"}
    )
    assert response.status_code == 200
    assert "Write the text the contact receives." in text(response)
    assert settings_of(world).help_text.startswith("Reply STOP")


# ---------------------------------------------------------------- Block list tab


def test_block_list_rows_and_search(as_admin, world, text_in):
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    text_in("Stop.", to=NUMBER_A)
    text_in("unsubscribe", to=NUMBER_B, from_="+14155550188")
    page = as_admin.get("/compliance/block-list/")
    rows = re.findall(r'<tr data-contact="([^"]+)" data-number="([^"]+)"', page.content.decode())
    assert sorted(rows) == [(CONTACT, NUMBER_A), ("+14155550188", NUMBER_B)]
    content = text(page)
    assert "Ada Lovelace" in content and "Stop." in content and "Keyword" in content
    assert "2 contacts blocked" in content

    found = text(as_admin.get("/compliance/block-list/", {"q": "(415) 555-0123"}))
    assert "Ada Lovelace" in found and "+14155550188" not in found
    none = text(as_admin.get("/compliance/block-list/", {"q": "555-9999"}))
    assert "No blocked contact matches" in none


def test_manual_opt_out_with_reason(as_admin, world):
    response = as_admin.post(
        "/compliance/block-list/opt-out/",
        {
            "contact": "(415) 555-0177",
            "phone_number": world.number_b.pk,
            "reason": "Asked by email",
        },
    )
    contact = Contact.objects.get(workspace=world.workspace, phone="+14155550177")
    assert response.status_code == 302
    assert response["Location"] == f"/compliance/contacts/{contact.pk}/"
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.kind, event.source, event.actor, event.reason) == (
        "opt_out",
        "agent",
        world.admin_user,
        "Asked by email",
    )
    entry = AuditLogEntry.objects.get(action="opt_out_recorded")
    assert entry.field == "+14155550177" and "Asked by email" in entry.new_value
    with pytest.raises(DomainError):
        message_send(workspace=world.workspace, from_number=NUMBER_A, to="+14155550177", body="x")


@pytest.mark.parametrize(
    "data, error",
    [
        ({"contact": "12", "reason": "asked"}, "“12” is not a valid phone number."),
        ({"contact": "+14155550177", "reason": "   "}, "Give a reason"),
        ({"contact": "", "reason": "asked"}, "Type the contact's phone number."),
    ],
)
def test_manual_opt_out_form_errors(as_admin, world, data, error):
    response = as_admin.post(
        "/compliance/block-list/opt-out/", {"phone_number": world.number_a.pk, **data}
    )
    assert response.status_code == 200
    assert error in text(response)
    assert not ConsentEvent.objects.exists() and not AuditLogEntry.objects.exists()


def test_contact_history_and_lift_needs_a_reason(as_admin, world, text_in, opted_out):
    page = text(as_admin.get(f"/compliance/contacts/{opted_out.pk}/"))
    assert "Consent history" in page and "Opted out" in page and "Stop." in page
    assert "The contact should have texted START" in page

    response = as_admin.post(f"/compliance/contacts/{opted_out.pk}/lift/", {"reason": " "})
    assert response.status_code == 200
    assert "Give a reason: an opt-out is only lifted with one." in text(response)
    assert blocked(world, NUMBER_A) and blocked(world, NUMBER_B)

    response = as_admin.post(
        f"/compliance/contacts/{opted_out.pk}/lift/", {"reason": "Signed consent form at store"}
    )
    assert response.status_code == 302
    assert not blocked(world, NUMBER_A) and not blocked(world, NUMBER_B)
    lift = ConsentEvent.objects.filter(contact=opted_out, kind="opt_in").get()
    assert (lift.source, lift.actor, lift.reason) == (
        "agent",
        world.admin_user,
        "Signed consent form at store",
    )
    entry = AuditLogEntry.objects.get(action="opt_out_lifted")
    assert entry.actor == world.admin_user and "Signed consent form" in entry.new_value
    message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Welcome back")
    history = text(as_admin.get(f"/compliance/contacts/{opted_out.pk}/"))
    assert "Opted in" in history and "Signed consent form at store" in history
    assert "Lift the opt-out" not in history


def test_lift_under_per_number_scope_lifts_every_number(as_admin, world, text_in):
    services.compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    text_in("STOP", to=NUMBER_A)
    text_in("STOP", to=NUMBER_B)
    contact = Contact.objects.get(phone=CONTACT)
    as_admin.post(f"/compliance/contacts/{contact.pk}/lift/", {"reason": "Called us"})
    assert not OptOut.objects.filter(contact=contact).exists()


# ---------------------------------------------------------------- CSV exports


def test_block_list_csv(as_admin, world, text_in):
    text_in("Stop.", to=NUMBER_A)
    as_admin.post(
        "/compliance/block-list/opt-out/",
        {"contact": "+14155550177", "phone_number": world.number_b.pk, "reason": "By phone"},
    )
    response = as_admin.get("/compliance/block-list.csv")
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "contact",
        "name",
        "phone_number",
        "scope",
        "source",
        "opted_out_at",
        "message",
        "reason",
        "actor",
    ]
    by_contact = {r[0]: r for r in rows[1:]}
    assert set(by_contact) == {CONTACT, "+14155550177"}
    assert by_contact[CONTACT][2:5] == [NUMBER_A, "inbox", "keyword"]
    assert by_contact[CONTACT][6] == "Stop."
    assert by_contact["+14155550177"][2:5] == [NUMBER_B, "inbox", "agent"]
    assert by_contact["+14155550177"][7:] == ["By phone", "admin@acme.test"]


def test_consent_ledger_csv_and_per_contact_filter(as_admin, world, text_in):
    text_in("STOP", to=NUMBER_A)
    text_in("START", to=NUMBER_A)
    text_in("STOP", to=NUMBER_A, from_="+14155550188")
    rows = csv_rows(as_admin.get("/compliance/consent-ledger.csv"))
    assert rows[0][:4] == ["id", "contact", "kind", "source"]
    assert sorted((r[1], r[2]) for r in rows[1:]) == [
        (CONTACT, "opt_in"),
        (CONTACT, "opt_out"),
        ("+14155550188", "opt_out"),
    ]
    contact = Contact.objects.get(phone="+14155550188")
    rows = csv_rows(as_admin.get(f"/compliance/consent-ledger.csv?contact={contact.pk}"))
    assert [(r[1], r[2]) for r in rows[1:]] == [("+14155550188", "opt_out")]


# ---------------------------------------------------------------- Audit log tab


def test_audit_log_shows_who_changed_what_from_what_to_what(as_admin, world):
    services.compliance_settings_update(
        workspace=world.workspace,
        actor=world.manager_user,
        via="web",
        opt_out_scope="phone_number",
    )
    services.compliance_settings_update(
        workspace=world.workspace, via="api", signature_mode="every_message"
    )
    page = text(as_admin.get("/compliance/audit-log/"))
    assert "manager@acme.test" in page and "Opt-out scope" in page
    assert "Inbox Opt-Out (carrier-preferred)" in page and "Phone Number Opt-Out" in page
    assert "API token" in page and "Apply to all sent messages (carrier-preferred)" in page


def test_block_list_pages_keep_the_search(as_admin, world):
    for i in range(55):
        contact = Contact.objects.create(workspace=world.workspace, phone=f"+1415555{i + 400:04d}")
        services.opt_out_record(
            workspace=world.workspace,
            contact=contact,
            phone_number=world.number_a,
            source="import",
        )
    first = as_admin.get("/compliance/block-list/").content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    searched = as_admin.get("/compliance/block-list/", {"q": "+1415555"}).content.decode()
    assert 'href="?q=%2B1415555&amp;page=2"' in searched
    second = as_admin.get("/compliance/block-list/", {"q": "+1415555", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and "← Newer" in second
