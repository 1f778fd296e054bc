"""The frozen world every test starts from: its constants, and the builders the `world` and
`other_world` fixtures call.

The world is a workspace "Acme" with two numbers (NUMBER_A "Sales", NUMBER_B "Support"), an
admin, a manager, an agent and an API token; CONTACT is the contact who texts it. The other
world is a second workspace, for tenant-scoping checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from workspaces.models import PhoneNumber, Workspace

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32
NUMBER_A = "+14155550100"
NUMBER_B = "+14155550101"
CONTACT = "+14155550123"

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "pw-admin-1"
MANAGER_EMAIL, MANAGER_PASSWORD = "manager@acme.test", "pw-manager-1"
AGENT_EMAIL, AGENT_PASSWORD = "agent@acme.test", "pw-agent-1"

OTHER_AUTH_TOKEN = "other-token"
OTHER_NUMBER = "+14155550199"
OTHER_EMAIL, OTHER_PASSWORD = "x@other.test", "pw-other-1"


@dataclass(frozen=True)
class World:
    """A workspace with two numbers, an admin, a manager, an agent and an API token."""

    workspace: Workspace
    number_a: PhoneNumber
    number_b: PhoneNumber
    admin_user: User
    manager_user: User
    agent_user: User
    api_token: str
    auth_token: str = AUTH_TOKEN


@dataclass(frozen=True)
class OtherWorld:
    """A second workspace with one number, one admin and an API token."""

    workspace: Workspace
    phone_number: PhoneNumber
    admin_user: User
    api_token: str


def make_world() -> World:
    """Creates the world's rows (needs database access: call it from a `db` fixture)."""
    from workspaces import services
    from workspaces.models import Role

    ws = services.workspace_create(
        name="Acme", twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN
    )
    a = services.phone_number_add(workspace=ws, number=NUMBER_A, label="Sales")
    b = services.phone_number_add(workspace=ws, number=NUMBER_B, label="Support")
    admin = services.member_add(
        workspace=ws, email=ADMIN_EMAIL, role=Role.ADMIN, password=ADMIN_PASSWORD
    )
    manager = services.member_add(
        workspace=ws, email=MANAGER_EMAIL, role=Role.MANAGER, password=MANAGER_PASSWORD
    )
    agent = services.member_add(
        workspace=ws, email=AGENT_EMAIL, role=Role.AGENT, password=AGENT_PASSWORD
    )
    return World(
        workspace=ws,
        number_a=a,
        number_b=b,
        admin_user=admin.user,
        manager_user=manager.user,
        agent_user=agent.user,
        api_token=services.api_token_create(workspace=ws),
    )


def make_other_world() -> OtherWorld:
    """Creates the second workspace's rows (needs database access)."""
    from workspaces import services
    from workspaces.models import Role

    ws = services.workspace_create(name="Other", twilio_auth_token=OTHER_AUTH_TOKEN)
    number = services.phone_number_add(workspace=ws, number=OTHER_NUMBER)
    member = services.member_add(
        workspace=ws, email=OTHER_EMAIL, role=Role.ADMIN, password=OTHER_PASSWORD
    )
    return OtherWorld(
        workspace=ws,
        phone_number=number,
        admin_user=member.user,
        api_token=services.api_token_create(workspace=ws),
    )
