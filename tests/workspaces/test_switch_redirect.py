"""The workspace switcher goes back only to a page of this site: any other `next` (another host,
a scheme-relative or malformed URL) goes home instead of off-site (no open redirect)."""

import pytest
from django.urls import reverse

from workspaces import services
from workspaces.models import Role


@pytest.fixture
def two_workspaces(client, world, other_world):
    services.member_add(workspace=other_world.workspace, email="admin@acme.test", role=Role.ADMIN)
    client.force_login(world.admin_user)
    return world, other_world


def _switch(client, workspace_id, next_url):
    return client.post(reverse("switch-workspace"), {"workspace": workspace_id, "next": next_url})


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/inbox/",
        "https:///evil.example/",
        "///evil.example/",
        "\\\\evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        " //evil.example/",
    ],
)
def test_an_off_site_next_goes_home(client, two_workspaces, next_url):
    _, other = two_workspaces
    response = _switch(client, other.workspace.id, next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["workspace_id"] == other.workspace.id  # the switch itself happened


@pytest.mark.parametrize("next_url", ["/compliance/", "/inbox/?q=x", "http://testserver/inbox/"])
def test_a_page_of_this_site_is_kept(client, two_workspaces, next_url):
    _, other = two_workspaces
    response = _switch(client, other.workspace.id, next_url)
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_no_next_goes_home(client, two_workspaces):
    _, other = two_workspaces
    assert _switch(client, other.workspace.id, "")["Location"] == reverse("home")
