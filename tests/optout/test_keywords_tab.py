"""The Compliance Center's Keywords tab: built-in and custom keywords, their errors and limit, and
the HELP and opt-in replies, proven through the webhook."""

import pytest

from optout import services
from optout.models import AuditLogEntry, ConsentEvent, Keyword, OptOut
from tests.support.consent import last_reply, settings_of
from tests.support.pages import text
from tests.support.world import CONTACT

pytestmark = pytest.mark.django_db


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
    keyword = services.keyword_add(workspace=world.workspace, kind="opt_out", keyword="DETENER")
    response = as_admin.post(f"/compliance/keywords/{keyword.pk}/remove/")
    assert response.status_code == 302
    assert not Keyword.objects.filter(pk=keyword.pk).exists()
    entry = AuditLogEntry.objects.get(action="keyword_removed")
    assert (entry.old_value, entry.actor) == ("DETENER", world.admin_user)
    text_in("detener")
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


def test_packs_overrides_and_the_preview_on_the_keywords_tab(as_admin, world):
    page = as_admin.get("/compliance/keywords/")
    assert page.status_code == 200
    assert b"ARRET" in page.content and b"ALTO" in page.content
    response = as_admin.post("/compliance/keywords/packs/", {"language_packs": ["fr"]})
    assert response.status_code == 302
    world.workspace.compliance_settings.refresh_from_db()
    assert world.workspace.compliance_settings.language_packs == ["fr"]
    assert AuditLogEntry.objects.filter(field="language_packs").exists()
    added = as_admin.post(
        "/compliance/keywords/overrides/add/opt_out/",
        {"ov-opt_out-kind": "opt_out", "ov-opt_out-country": "ca", "ov-opt_out-text": "Bye CA"},
    )
    assert added.status_code == 302
    missing = as_admin.post(
        "/compliance/keywords/overrides/add/help/",
        {"ov-help-kind": "help", "ov-help-text": "x"},
    )
    assert missing.status_code == 400 and b"Name a country, a language or both" in missing.content
    preview = as_admin.post(
        "/compliance/keywords/preview/", {"number": "+15145550123", "keyword": "stop"}
    )
    assert b"Bye CA" in preview.content and b"override CA" in preview.content
    # A country override outranks the pack's default (country and language, language,
    # country, default): ARRET from Canada gets it too; from France, the French pack's reply.
    canada = as_admin.post(
        "/compliance/keywords/preview/", {"number": "+15145550123", "keyword": "arrêt"}
    )
    assert b"Bye CA" in canada.content
    france = as_admin.post(
        "/compliance/keywords/preview/", {"number": "+33612345678", "keyword": "arrêt"}
    )
    assert "Vous êtes désabonné".encode() in france.content
    other = as_admin.post("/compliance/keywords/preview/", {"number": "", "keyword": "hello"})
    assert b"Not a keyword" in other.content
    [override] = world.workspace.reply_overrides.all()
    removed = as_admin.post(f"/compliance/keywords/overrides/{override.pk}/remove/")
    assert removed.status_code == 302 and not world.workspace.reply_overrides.exists()
