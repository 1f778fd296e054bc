"""A workspace's Twilio credentials at rest."""

import pytest

from tests.support.world import AUTH_TOKEN

pytestmark = pytest.mark.django_db


def test_auth_token_is_encrypted_at_rest(world):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT twilio_auth_token FROM workspaces_workspace WHERE id = %s", [world.workspace.id]
        )
        stored = cursor.fetchone()[0]
    assert AUTH_TOKEN not in stored and stored.startswith("gAAAA")
