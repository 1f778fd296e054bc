"""Query budgets: every test that counts the SQL statements a request runs or reads what they
are. A change that adds a statement to a hot path fails here."""

import pytest

from messaging.models import Conversation, InboundMessage
from optout.models import OptOut
from tests.support.consent import replies
from tests.support.services import skip_or_fail
from tests.support.twilio_webhooks import SMS, inbound_params, post_signed
from tests.support.world import CONTACT, NUMBER_A

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- the inbound webhook


def test_a_stop_from_a_new_contact_spends_no_statement_it_does_not_need(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert post_signed(client, SMS, inbound_params("STOP")).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    # The contact was just inserted: its conversation is inserted without a read.
    assert not [s for s in sql if s.startswith("SELECT") and 'FROM "messaging_conversation"' in s]
    # The text and its confirmation touch the conversation once.
    assert len([s for s in sql if s.startswith('UPDATE "messaging_conversation"')]) == 1
    # The contact's consent lock brings the settings with it; no statement of their own.
    [lock] = [s for s in sql if s.startswith("SELECT") and 'FROM "workspaces_contact"' in s][1:]
    assert "optout_compliancesettings" in lock
    assert "FOR UPDATE" in lock or not connection.features.has_select_for_update  # SQLite
    assert not [s for s in sql if 'FROM "optout_compliancesettings"' in s]
    [reply] = replies()
    conversation = Conversation.objects.get()
    assert conversation.unread_count == 1 and conversation.last_message_at == reply.created_at
    assert OptOut.objects.get().scope == "inbox"


def test_a_known_number_is_resolved_from_the_process_cache(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert post_signed(client, SMS, inbound_params("x" * 100)).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert post_signed(client, SMS, inbound_params("y" * 100)).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "workspaces_phonenumber" not in sql and "workspaces_workspace" not in sql
    assert "INSERT" in sql and InboundMessage.objects.count() == 2


# ---------------------------------------------------------------- the API


def test_a_warm_opt_out_check_is_one_query(api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert api.get("/api/v1/opt-outs/check", {"from": NUMBER_A, "to": CONTACT}).status_code == 200
    with CaptureQueriesContext(connection) as ctx:  # token and sender now come from the cache
        response = api.get("/api/v1/opt-outs/check", {"from": NUMBER_A, "to": "+14155550123"})
    assert response.status_code == 200 and response.json()["blocked"] is False
    [query] = ctx.captured_queries
    assert "optout_optout" in query["sql"]


def test_a_send_in_an_existing_conversation_loads_no_relation_again(api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = {"from": NUMBER_A, "to": CONTACT, "body": "Hi"}
    assert api.post("/api/v1/messages", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        response = api.post("/api/v1/messages", body, format="json")
    assert response.status_code == 201
    assert (response.json()["from"], response.json()["to"]) == (NUMBER_A, CONTACT)
    sql = [q["sql"] for q in ctx.captured_queries]
    # One read of the contact and none of the number: the answer reuses what the send loaded.
    assert len([s for s in sql if 'FROM "workspaces_contact"' in s]) == 1
    assert not [s for s in sql if 'FROM "workspaces_phonenumber"' in s]


def test_a_hot_query_is_planned_once_per_connection(api, world):
    """Prepared statements (DB_PREPARED_STATEMENTS, on by default on PostgreSQL): after a few
    checks the block query is a prepared statement of the connection, not planned per call."""
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("prepared statements are PostgreSQL's")
    for _ in range(6):
        check = api.get("/api/v1/opt-outs/check", {"from": NUMBER_A, "to": CONTACT})
        assert check.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM optout_optout o JOIN workspaces_contact c%"],
        )
        assert cursor.fetchone()[0] == 1
