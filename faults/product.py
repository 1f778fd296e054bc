"""The fault suite's only door into the product: how its processes are started (the names the
bench uses too), the routes it drives, and the SQL that reads the product's tables to count
what happened. When the product's modules or tables move, this file is the one to update.

The suite never imports product code: it talks to the product over HTTP (signed webhooks, the
API, health), starts it as processes, and reads (never writes, but for the poison rows the
poison scenario plants) its tables with plain SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from bench.product import CELERY_APP, MANAGE_PY, WSGI_APPLICATION  # noqa: F401 (re-exported)

SETTINGS_MODULE = "compliance_center.settings"  # the production settings, unchanged
WEBHOOK_PATH = "/webhooks/twilio/sms/"
HEALTH_PATH = "/healthz"
WORKER_HEALTH_PATH = "/healthz/worker"
API = "/api/v1/"

# Failed attempts before an inbound row is a dead letter (the setting INBOUND_MAX_ATTEMPTS, 8 in
# production; the suite runs with fewer, so that a dead letter comes within a run); the sweeper
# waits SWEEP_AFTER_SECONDS x 2^min(attempts - 1, BACKOFF_CAP) after a failure
# (messaging.services.sweep.lost_inbound).
MAX_INBOUND_ATTEMPTS = 5
BACKOFF_CAP = 6


def opted_out(cur, workspace_id: int, phones: Iterable[str]) -> set[str]:
    """The contacts among `phones` with an opt-out on record (the block list) now."""
    cur.execute(
        "SELECT c.phone FROM optout_optout o JOIN workspaces_contact c ON c.id = o.contact_id"
        " WHERE o.workspace_id = %s AND c.workspace_id = %s AND c.phone = ANY(%s)",
        [workspace_id, workspace_id, list(phones)],
    )
    return {row[0] for row in cur.fetchall()}


def opted_out_for_text(cur, sid: str) -> bool:
    """Whether the sender of the stored inbound text `sid` (as the product stored it) has an
    opt-out on record in that workspace now."""
    cur.execute(
        "SELECT EXISTS (SELECT 1 FROM messaging_inboundmessage i"
        " JOIN workspaces_contact c ON c.workspace_id = i.workspace_id AND c.phone = i.from_number"
        " JOIN optout_optout o ON o.contact_id = c.id AND o.workspace_id = i.workspace_id"
        " WHERE i.message_sid = %s)",
        [sid],
    )
    return bool(cur.fetchone()[0])


def inbound_rows(cur, workspace_id: int) -> list[dict]:
    """Every stored inbound text of the workspace."""
    cur.execute(
        "SELECT id, message_sid, from_number, body, processed_at, dead_at, attempts, last_error,"
        " received_at FROM messaging_inboundmessage WHERE workspace_id = %s ORDER BY id",
        [workspace_id],
    )
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def outbound_messages(cur, workspace_id: int) -> list[dict]:
    """Every outbound message of the workspace, with its recipient."""
    cur.execute(
        "SELECT m.id, c.phone AS to, m.body, m.status, m.provider_sid, m.source, m.attempts,"
        " m.reply_to_id FROM messaging_message m"
        " JOIN messaging_conversation v ON v.id = m.conversation_id"
        " JOIN workspaces_contact c ON c.id = v.contact_id"
        " WHERE m.workspace_id = %s AND m.direction = 'outbound' ORDER BY m.id",
        [workspace_id],
    )
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def unsent(messages: list[dict]) -> list[dict]:
    """Messages still on their way out: queued, or sending without Twilio's id."""
    return [
        m
        for m in messages
        if m["status"] == "queued" or (m["status"] == "sending" and not m["provider_sid"])
    ]


def consent_events_per_text(cur, workspace_id: int) -> dict[str, int]:
    """Ledger events per inbound MessageSid (a text recorded twice would count 2)."""
    cur.execute(
        "SELECT message_sid, count(*) FROM optout_consentevent"
        " WHERE workspace_id = %s AND message_sid <> '' GROUP BY message_sid",
        [workspace_id],
    )
    return dict(cur.fetchall())


def crm_deliveries(cur, workspace_id: int) -> dict[str, int]:
    """CRM deliveries of the workspace's endpoints by status."""
    cur.execute(
        "SELECT d.status, count(*) FROM optout_webhookdelivery d"
        " JOIN optout_webhookendpoint e ON e.id = d.endpoint_id"
        " WHERE e.workspace_id = %s GROUP BY d.status",
        [workspace_id],
    )
    return dict(cur.fetchall())


def number_id(cur, workspace_id: int, number: str) -> int:
    cur.execute(
        "SELECT id FROM workspaces_phonenumber WHERE workspace_id = %s AND number = %s",
        [workspace_id, number],
    )
    return cur.fetchone()[0]


def plant_inbound_row(
    cur, *, workspace_id: int, phone_number_id: int, sid: str, from_: str, to: str, body: str
) -> int:
    """An inbound row written straight into the table, as a restore or a lost publish leaves
    one: stored, never queued. Only the sweeper can find it."""
    params = {"MessageSid": sid, "From": from_, "To": to, "Body": body}
    cur.execute(
        "INSERT INTO messaging_inboundmessage (workspace_id, phone_number_id, message_sid,"
        " from_number, body, params, received_at, attempts, last_error)"
        " VALUES (%s, %s, %s, %s, %s, %s, now(), 0, '') RETURNING id",
        [workspace_id, phone_number_id, sid, from_, body, json.dumps(params)],
    )
    return cur.fetchone()[0]


def worker_heartbeats(cur) -> list[dict]:
    cur.execute("SELECT hostname, pid, consuming, beat_at FROM compliance_center_workerheartbeat")
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
