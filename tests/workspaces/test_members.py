"""Members: Admins re-role and remove members, never the last Admin (not even two Admins
demoting each other at the same moment); managers read the page; agents never see Settings nor
the Compliance Center."""

import threading
import time

import pytest
from django.db import connection

from compliance_center.errors import DomainError, ErrorCode
from tests.support.services import skip_or_fail
from tests.support.settings_pages import text, words
from workspaces import services
from workspaces.models import AuditLogEntry, Membership, Role


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def test_an_admin_changes_a_role(as_admin, world):
    member = membership(world.agent_user)
    response = as_admin.post(
        f"/settings/members/{member.pk}/role/", {f"m{member.pk}-role": "manager"}
    )
    assert response.status_code == 302
    assert membership(world.agent_user).role == "manager"
    assert "agent@acme.test is now Manager" in text(as_admin.get("/settings/members/"))
    entry = AuditLogEntry.objects.get(action="member_role_changed")
    assert (entry.actor, entry.field, entry.old_value, entry.new_value) == (
        world.admin_user,
        "agent@acme.test",
        "agent",
        "manager",
    )


def test_an_admin_removes_a_member_whose_account_stays(as_admin, world):
    member = membership(world.agent_user)
    assert as_admin.post(f"/settings/members/{member.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    world.agent_user.refresh_from_db()  # the account stays (it may belong to other workspaces)
    entry = AuditLogEntry.objects.get(action="member_removed")
    assert (entry.field, entry.old_value) == ("agent@acme.test", "agent")


def test_the_last_admin_can_be_neither_demoted_nor_removed(as_admin, world):
    admin = membership(world.admin_user)
    response = as_admin.post(f"/settings/members/{admin.pk}/role/", {f"m{admin.pk}-role": "agent"})
    assert response.status_code == 200
    assert (
        "admin@acme.test is the last Admin of this workspace: make another member an Admin "
        "first, so that someone can still manage it." in words(response)
    )
    response = as_admin.post(f"/settings/members/{admin.pk}/remove/")
    assert "is the last Admin of this workspace" in words(response)
    assert membership(world.admin_user).role == "admin"
    assert not AuditLogEntry.objects.exists()
    with pytest.raises(DomainError) as refused:
        services.member_remove(membership=admin, actor=world.admin_user)
    assert refused.value.code == ErrorCode.LAST_ADMIN


def test_with_two_admins_one_may_step_down_and_loses_settings(as_admin, client, world):
    services.member_role_change(
        membership=membership(world.manager_user), role="admin", actor=world.admin_user
    )
    admin = membership(world.admin_user)
    response = as_admin.post(f"/settings/members/{admin.pk}/role/", {f"m{admin.pk}-role": "agent"})
    assert response["Location"] == "/"  # no longer allowed on the members page
    assert as_admin.get("/settings/").status_code == 403
    # The remaining Admin cannot go now.
    with pytest.raises(DomainError):
        services.member_role_change(
            membership=membership(world.manager_user), role="agent", actor=world.manager_user
        )


def test_an_unknown_role_is_refused_at_the_row(as_admin, world):
    member = membership(world.agent_user)
    response = as_admin.post(
        f"/settings/members/{member.pk}/role/", {f"m{member.pk}-role": "owner"}
    )
    assert "Choose Admin, Manager or Agent." in words(response)
    assert membership(world.agent_user).role == "agent"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    transactional_db, world, monkeypatch
):
    """Each counts the Admins, then demotes the other. Without the workspace's lock both would
    count two and both would demote: nobody left to manage the workspace."""
    if connection.vendor != "postgresql":
        skip_or_fail("row locks (select_for_update) need PostgreSQL")
    second = services.member_role_change(
        membership=membership(world.manager_user), role="admin", actor=world.admin_user
    )
    first = membership(world.admin_user)
    counted = services._admins

    def slow_count(workspace):
        found = counted(workspace)
        time.sleep(0.5)  # both transactions are now between the count and the write
        return found

    monkeypatch.setattr(services, "_admins", slow_count)
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def demote(name, target, actor):
        start.wait()
        try:
            services.member_role_change(membership=target, role=Role.AGENT, actor=actor)
            outcome[name] = "demoted"
        except DomainError as exc:
            outcome[name] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=("a", second, world.admin_user)),
        threading.Thread(target=demote, args=("b", first, world.manager_user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcome.values())) == ["demoted", "last_admin"], outcome
    assert Membership.objects.filter(workspace=world.workspace, role="admin").count() == 1


def test_agents_never_see_settings_nor_the_compliance_center(client, world):
    client.force_login(world.agent_user)
    page = text(client.get("/inbox/"))
    assert 'href="/settings/"' not in page and 'href="/compliance/"' not in page
    for path in (
        "/settings/",
        "/settings/numbers/",
        "/settings/twilio/",
        "/settings/members/",
        "/settings/api-tokens/",
        "/settings/webhooks/",
        "/compliance/",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
    assert "Your role does not include access to Settings" in words(client.get("/settings/"))
    member = membership(world.manager_user)
    assert client.post(f"/settings/members/{member.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=member.pk).exists()


def test_managers_read_settings_but_change_nothing(client, world):
    client.force_login(world.manager_user)
    page = text(client.get("/settings/members/"))
    assert 'href="/settings/"' in text(client.get("/inbox/"))
    assert "admin@acme.test" in page and "only an Admin can change them" in page
    assert "/settings/members/invite/" not in page and "/remove/" not in page
    for path in ("/settings/", "/settings/numbers/", "/settings/twilio/", "/settings/api-tokens/"):
        assert client.get(path).status_code == 200, path
    agent = membership(world.agent_user)
    response = client.post(f"/settings/members/{agent.pk}/role/", {f"m{agent.pk}-role": "admin"})
    assert response.status_code == 403
    assert "Only an Admin of this workspace can do this." in words(response)
    assert client.post("/settings/", {"name": "Hijacked", "time_zone": "UTC"}).status_code == 403
    assert membership(world.agent_user).role == "agent"
