"""The table of a run: one row per scenario, and its Markdown."""

from __future__ import annotations

COLUMNS = [
    ("scenario", "scenario"),
    ("stops", "STOPs sent"),
    ("opt_outs", "opt-outs at 200 / end"),
    ("confirmed", "confirmed once"),
    ("texts", "texts sent / processed"),
    ("http_5xx", "5xx"),
    ("answer_ms", "answer p50 / p99 / max (ms)"),
    ("duplicates", "duplicates"),
    ("lost", "lost"),
    ("stuck", "stuck"),
    ("person", "restarted by a person"),
    ("healing", "how it healed"),
    ("result", "result"),
]


def _v(value) -> str:
    return "—" if value is None else str(value)


def _times(f: dict) -> str:
    if "p50_ms" not in f:
        return "—"
    return f"{f['p50_ms']:.0f} / {f['p99_ms']:.0f} / {f['max_ms']:.0f}"


def _swept(f: dict) -> str:
    h = f.get("healing")
    if not h:
        return ""
    return (
        f"; {h['publishes_given_up_by_web']} publishes left to the sweepers, which re-queued"
        f" {h['swept_inbound']} texts, {h['swept_queued_messages']} messages,"
        f" {h['swept_crm_deliveries']} CRM deliveries and looked up"
        f" {h['swept_half_sent_messages']} half-sent"
    )


def _healing(key: str, f: dict) -> str:
    return _how(key, f) + _swept(f)


def _how(key: str, f: dict) -> str:
    if key in ("redis", "worker"):
        return (
            f"worker consuming {_v(f.get('worker_consuming_after_s'))} s after the restart;"
            f" all done {_v(f.get('settled_after_s'))} s after the burst"
        )
    if key == "crash":
        return (
            f"{f.get('posted_once')}/{f.get('sends')} sends at Twilio once, Twilio's id adopted"
            f" for {f.get('sid_matches')}; reconciled {_v(f.get('settled_after_s'))} s after"
            " the last kill"
        )
    if key == "poison":
        return (
            f"{f.get('dead_letters')}/{f.get('poison_rows')} poison rows dead letters after"
            f" {_v(f.get('dead_after_s'))} s; a text after them processed in"
            f" {_v(f.get('normal_after_poison_webhook_s'))} s (its task) /"
            f" {_v(f.get('normal_after_poison_planted_s'))} s (swept)"
        )
    if key == "crm":
        return (
            f"{f.get('crm_notifications')}/{f.get('stops_answered_200')} CRM notifications,"
            f" {f.get('crm_signatures_valid')} signed right, all"
            f" {_v(f.get('crm_delivered_after_s'))} s after Redis was back"
        )
    return ""


def row(s: dict) -> dict:
    f = s["figures"]
    key = s["key"]
    has_stops = "stops_sent" in f
    return {
        "scenario": f"{s['title']}",
        "stops": _v(f.get("stops_sent")) if has_stops else "—",
        "opt_outs": f"{f['opt_outs_at_200']} / {f['opt_outs_end']}" if has_stops else "—",
        "confirmed": (f"{f['confirmations_once']}/{f['stops_answered_200']}" if has_stops else "—"),
        "texts": f"{f['texts_sent']} / {f['texts_processed']}" if "texts_sent" in f else "—",
        "http_5xx": _v(f.get("http_5xx", f.get("api_5xx"))),
        "answer_ms": _times(f),
        "duplicates": _v(f.get("duplicates")),
        "lost": _v(f.get("lost")),
        "stuck": _v(f.get("stuck")),
        "person": ", ".join(s["person_restarts"]) or "no",
        "healing": _healing(key, f),
        "result": "pass" if s["passed"] else "FAIL",
    }


def table(results: dict) -> list[dict]:
    return [row(s) for s in results["scenarios"]]


def render(results: dict) -> str:
    rows = results["table"]
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(str(r[key]) for key, _ in COLUMNS) + " |")
    failed = [
        f"- {s['key']}: {e['expectation']} — {e['detail']}"
        for s in results["scenarios"]
        for e in s["expectations"]
        if not e["ok"]
    ]
    if failed:
        lines += ["", "Failed expectations:", *failed]
    return "\n".join(lines)
