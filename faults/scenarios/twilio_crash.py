"""3. The worker killed -9 while it waits for Twilio's answer: the fake accepts each send at
once but holds its answer; the worker's group is killed during the hold and started again.
The sweeper must find those messages at Twilio (`message_reconcile`): none sent twice, none
lost."""

from __future__ import annotations

import time
from collections import Counter

from faults import product
from faults.scenarios.base import Scenario


class TwilioCrash(Scenario):
    key = "crash"
    title = "Worker killed -9 during the Twilio call"
    index = 3

    def posts(self) -> list[dict]:
        return [p for p in self.t.twilio_posts() if p["from"] in self.workspace["numbers"]]

    def run(self) -> None:
        n = self.size
        token = self.workspace["api_token"]
        pids = self.suite.pids()
        sends: list[dict] = []  # id, to, body
        api_seconds: list[float] = []
        api_failures: list[str] = []
        consuming: list[float | None] = []
        for r in range(n["crash_rounds"]):
            k = n["crash_sends"]
            self.t.control("POST", "/hold", {"seconds": n["hold_s"], "times": k})
            seen = len(self.posts())
            for i in range(k):
                to = self.contact(0, r * k + i)
                body = f"Your appointment #{r}-{i} is confirmed for tomorrow at {9 + i}:00."
                started = time.monotonic()
                status, data = self.t.api(
                    token, "POST", "messages", {"from": self.to, "to": to, "body": body}
                )
                api_seconds.append(time.monotonic() - started)
                if status == 201:
                    sends.append({"id": data["id"], "to": to, "body": body})
                else:
                    api_failures.append(f"{status} {data}")
            # Every send of the round has reached Twilio (accepted, its answer held back).
            deadline = time.monotonic() + 30
            while len(self.posts()) < seen + k and time.monotonic() < deadline:
                time.sleep(0.05)
            held = len(self.posts()) - seen
            time.sleep(0.3)
            killed = time.monotonic()
            self.t.kill9("worker")
            time.sleep(n["worker_down_s"])
            restart_wall = time.time()
            self.t.start_worker()
            healthy = self.t.wait_worker_healthy(since=restart_wall, timeout=60)
            consuming.append(round(healthy - restart_wall, 1) if healthy else None)
            self.faults.append(
                f"round {r + 1}: {held}/{k} sends at Twilio with their answers held"
                f" {n['hold_s']} s; worker group kill -9, started again"
                f" {time.monotonic() - killed:.1f} s later"
                + ("" if healthy else " (not consuming within 60 s)")
            )
        self.t.log(
            f"{len(sends)} sends killed in the Twilio call; waiting for the sweeper's"
            " reconcile (messages left in sending are looked up after 60 s)"
        )
        started = time.monotonic()
        figures = self.count(sends, api_seconds, api_failures)
        while (figures["lost"] or figures["stuck"]) and time.monotonic() - started < n["settle_s"]:
            time.sleep(1.0)
            figures = self.count(sends, api_seconds, api_failures)
        took = time.monotonic() - started if not (figures["lost"] or figures["stuck"]) else None
        time.sleep(self.suite.grace_seconds)
        self.figures = self.count(sends, api_seconds, api_failures)
        self.figures["settled_after_s"] = round(took, 1) if took is not None else None
        self.figures["worker_consuming_after_s"] = consuming
        f = self.figures
        self.expect(
            "every API send accepted (201)", not api_failures, "; ".join(api_failures)[:300]
        )
        self.expect(
            "every send reached Twilio exactly once",
            f["posted_once"] == f["sends"] and f["duplicates"] == 0,
            f"{f['posted_once']}/{f['sends']} once, {f['extra_posts']} extra POSTs",
        )
        self.expect(
            "the product holds Twilio's id of each (found at Twilio, not sent again)",
            f["sid_matches"] == f["sends"],
            f"{f['sid_matches']}/{f['sends']}",
        )
        self.expect(
            "each restarted worker consumes (/healthz/worker 200)",
            None not in consuming,
            f"after {consuming} s",
        )
        self.expect("nothing lost", f["lost"] == 0, str(f["lost"]))
        self.expect("nothing stuck in sending", f["stuck"] == 0, str(f["stuck"]))
        after = self.suite.pids()
        self.expect_heartbeat_pid(after["worker"])
        self.expect_survivors(pids, after, ("gunicorn", "beat", "redis"))

    def count(self, sends: list[dict], api_seconds, api_failures) -> dict:
        posts = Counter((p["to"], p["body"]) for p in self.posts())
        accepted = {
            (m["to"], m["body"]): m["sid"]
            for m in self.t.control("GET", "/accepted")
            if m["from"] in self.workspace["numbers"]
        }
        with self.t.connect() as conn, conn.cursor() as cur:
            messages = {
                m["id"]: m for m in product.outbound_messages(cur, self.workspace["workspace_id"])
            }
        per_send = [posts[(s["to"], s["body"])] for s in sends]
        wanted = {(s["to"], s["body"]) for s in sends}
        extra = sum(n - 1 for n in per_send if n > 1) + sum(
            n for key, n in posts.items() if key not in wanted
        )
        unsent = product.unsent(list(messages.values()))
        sid_matches = sum(
            1
            for s in sends
            if s["id"] in messages
            and messages[s["id"]]["provider_sid"]
            and messages[s["id"]]["provider_sid"] == accepted.get((s["to"], s["body"]))
        )
        seconds = sorted(api_seconds)
        from bench.report import pct

        return {
            "sends": len(sends),
            "posted_once": sum(1 for n in per_send if n == 1),
            "never_posted": sum(1 for n in per_send if n == 0),
            "extra_posts": extra,
            "sid_matches": sid_matches,
            "failed_messages": sum(1 for m in messages.values() if m["status"] == "failed"),
            "duplicates": extra,
            "lost": sum(1 for n in per_send if n == 0)
            + sum(1 for m in messages.values() if m["status"] == "failed"),
            "stuck": len(unsent),
            "api_5xx": sum(1 for f in api_failures if f.startswith("5")),
            "p50_ms": round(pct(seconds, 50) * 1000, 1),
            "p99_ms": round(pct(seconds, 99) * 1000, 1),
            "max_ms": round(max(seconds, default=0.0) * 1000, 1),
        }
