"""Counting what happened to a scenario's texts, from the database, the fake Twilio's record
of every POST and the answers the driver got: the figures of one row of the table, and
whether everything has settled (nothing lost, nothing stuck)."""

from __future__ import annotations

from collections import Counter

from bench.report import pct
from faults import product
from faults.driver import Answer, Text


def answer_times(answers: list[Answer]) -> dict:
    seconds = [a.seconds for a in answers if a.status]
    return {
        "p50_ms": round(pct(seconds, 50) * 1000, 1),
        "p99_ms": round(pct(seconds, 99) * 1000, 1),
        "max_ms": round(max(seconds, default=0.0) * 1000, 1),
    }


def http_failures(answers: list[Answer]) -> dict:
    return {
        "http_5xx": sum(1 for a in answers if 500 <= a.status < 600),
        "no_answer": sum(1 for a in answers if a.status == 0),
        "other_non_200": sum(1 for a in answers if a.status and a.status != 200 and a.status < 500),
    }


def tally(
    topology,
    workspace: dict,
    texts: list[Text],
    answers: list[Answer],
    sent_on_purpose: frozenset[tuple[str, str]] = frozenset(),
) -> dict:
    """The figures of a burst of STOPs and ordinary texts to one workspace. Every POST to
    Twilio from the workspace's numbers that is not a STOP's confirmation is unexpected, but
    for `sent_on_purpose` ((to, body) of the scenario's own API sends)."""
    ok = {a.text.sid for a in answers if a.status == 200}
    stops = [t for t in texts if t.kind == "stop"]
    others = [t for t in texts if t.kind != "stop"]
    with topology.connect() as conn, conn.cursor() as cur:
        rows = {r["message_sid"]: r for r in product.inbound_rows(cur, workspace["workspace_id"])}
        # The contact as the product stored it (a sender that is not E.164 is kept as sent).
        stored = {t.sid: rows[t.sid]["from_number"] if t.sid in rows else t.contact for t in texts}
        stop_contacts = {stored[t.sid] for t in stops if t.sid in ok}
        opted_out = product.opted_out(cur, workspace["workspace_id"], stop_contacts)
        messages = product.outbound_messages(cur, workspace["workspace_id"])
        events = product.consent_events_per_text(cur, workspace["workspace_id"])
    posts = [p for p in topology.twilio_posts() if p["from"] in workspace["numbers"]]
    per_post = Counter((p["to"], p["body"]) for p in posts)
    confirmation = workspace["confirmation"]
    confirmations = [per_post[(c, confirmation)] for c in stop_contacts]
    expected = {(c, confirmation) for c in stop_contacts} | set(sent_on_purpose)
    unexpected = sum(n for key, n in per_post.items() if key not in expected) + sum(
        per_post[key] - 1 for key in sent_on_purpose if per_post[key] > 1
    )
    ours = [rows[t.sid] for t in texts if t.sid in rows]
    stuck_rows = [r for r in ours if r["processed_at"] is None and r["dead_at"] is None]
    unsent = product.unsent(messages)
    figures = {
        "stops_sent": len(stops),
        "stops_answered_200": sum(1 for t in stops if t.sid in ok),
        "opt_outs_at_200": sum(1 for a in answers if a.on_record),
        "opt_outs_end": len(opted_out),
        "confirmations_once": sum(1 for n in confirmations if n == 1),
        "confirmations_missing": sum(1 for n in confirmations if n == 0),
        "confirmation_extra_posts": sum(n - 1 for n in confirmations if n > 1),
        "unexpected_posts": unexpected,
        "texts_sent": len(others),
        "texts_processed": sum(
            1 for t in others if t.sid in rows and rows[t.sid]["processed_at"] is not None
        ),
        "rows_missing": sum(1 for sid in ok if sid not in rows),
        "ledger_duplicates": sum(n - 1 for sid, n in events.items() if n > 1),
        "stuck_rows": len(stuck_rows),
        "dead_rows": sum(1 for r in ours if r["dead_at"] is not None),
        "unsent_messages": len(unsent),
        "failed_messages": sum(1 for m in messages if m["status"] == "failed"),
        **http_failures(answers),
        **answer_times(answers),
    }
    figures["duplicates"] = (
        figures["confirmation_extra_posts"]
        + figures["unexpected_posts"]
        + figures["ledger_duplicates"]
    )
    figures["lost"] = (
        (len(stop_contacts) - len(opted_out))
        + figures["confirmations_missing"]
        + figures["rows_missing"]
    )
    figures["stuck"] = figures["stuck_rows"] + figures["unsent_messages"]
    return figures


def settled(figures: dict) -> bool:
    return figures["lost"] == 0 and figures["stuck"] == 0
