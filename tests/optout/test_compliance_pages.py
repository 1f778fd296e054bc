"""The Compliance Center's pages as a whole: admins and managers open every page, agents get the
403 page and no menu entry, anonymous visitors go to the login page, an agent changes nothing."""

import pytest

from optout import services
from optout.models import AuditLogEntry, Keyword, OptOut
from tests.support.consent import settings_of
from tests.support.pages import text
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
