"""Phase 3: STOP -> enforced, at 200 inbound messages a second (a paced Python driver)."""

from __future__ import annotations

import http.client
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench import product
from bench.config import CHATTER, NUMBER_A, STOP_RATE, STOPS
from bench.report import pct


class StopPhase:
    """Phase `stop`."""

    def phase_stop(self) -> None:
        """Inbound at 200/s, 1 in 10 a STOP from a new contact; time until sends are refused."""
        from django.db import connection

        block_for = product.policy_check()

        total = int(STOP_RATE * self.size["stop_s"])
        plan = []  # (is_stop, contact, body, signature)
        for i in range(total):
            if i % 10 == 9:
                contact = STOPS.format(2_000_000 + i)
                body, sig = self.inbound(
                    random.choice(["STOP", "Stop.", "stop", "UNSUBSCRIBE"]), contact
                )
                plan.append((True, contact, body, sig))
            else:
                contact = CHATTER.format(2_000_000 + i % 500)  # ongoing conversations
                body, sig = self.inbound(f"Thanks, see you at {i % 12 + 1}pm", contact)
                plan.append((False, contact, body, sig))
        pending: dict[str, tuple[float, float]] = {}  # STOP contact -> (request sent, answered)
        # STOP contact -> seconds until refused: (from the answer, the figure; from the
        # request, end to end)
        enforced: dict[str, tuple[float, float]] = {}
        lock = threading.Lock()
        answers = {"ok": 0, "bad": 0, "late": 0}  # late: answered > 100 ms after due
        answer_times: dict[bool, list[float]] = {True: [], False: []}  # STOP?, request -> 200
        driver_lag: list[float] = []  # due -> request started (a thread of this script was free)
        last_answer = [0.0]
        sending_done = threading.Event()

        def post(item, due):
            is_stop, contact, body, sig = item
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            started = time.monotonic()
            try:
                conn.request(
                    "POST",
                    "/webhooks/twilio/sms/",
                    body,
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": sig,
                    },
                )
                response = conn.getresponse()
                response.read()
                answered = time.monotonic()
                status = response.status
            except OSError:
                status, answered = 0, time.monotonic()
            finally:
                conn.close()
            with lock:
                answers["ok" if status == 200 else "bad"] += 1
                if answered - due > 1.0 / STOP_RATE * 20:
                    answers["late"] += 1
                if status == 200:
                    answer_times[is_stop].append(answered - started)
                driver_lag.append(started - due)
                last_answer[0] = max(last_answer[0], answered)
                if is_stop and status == 200:
                    pending[contact] = (started, answered)

        def poll():
            # One batched query per tick finds the STOPs that now have an opt-out; each is then
            # confirmed with the send path's own policy check (block_for).
            from django.db import connections

            conn = connections.create_connection("default")
            while True:
                with lock:
                    waiting = list(pending)
                if not waiting and sending_done.is_set():
                    break
                if waiting:
                    t = time.monotonic()
                    with conn.cursor() as cur:
                        # c.workspace_id: the contact index is (workspace, phone); without it
                        # this was a parallel scan of the million contacts every 5 ms, which
                        # took a core from the server
                        # (docs/decisions/0013-contact-lookups-carry-the-workspace.md).
                        cur.execute(
                            "SELECT c.phone FROM optout_optout o JOIN workspaces_contact c"
                            " ON c.id = o.contact_id WHERE o.workspace_id = %s"
                            " AND c.workspace_id = %s AND c.phone = ANY(%s)",
                            [self.workspace_id, self.workspace_id, waiting],
                        )
                        found = [r[0] for r in cur.fetchall()]
                    for phone in found:
                        if (
                            block_for(
                                workspace_id=self.workspace_id, contact_phone=phone, number=NUMBER_A
                            )
                            is not None
                        ):
                            with lock:
                                sent, answered = pending.pop(phone)
                                enforced[phone] = (max(t - answered, 0.0), t - sent)
                if time.monotonic() > deadline_all:
                    break
                time.sleep(self.opts.poll_ms / 1000)
            conn.close()
            connection.close()

        before = self.cpu_snapshot()
        poller = threading.Thread(target=poll, daemon=True)
        deadline_all = time.monotonic() + self.size["stop_s"] + self.opts.stop_wait + 60
        poller.start()
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for i, item in enumerate(plan):
                due = start + i / STOP_RATE
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(post, item, due)
            sent_for = time.monotonic() - start + 1 / STOP_RATE
        deadline_all = time.monotonic() + self.opts.stop_wait
        sending_done.set()
        poller.join()
        after = self.cpu_snapshot()
        self.cpu_record("STOP phase (200 msg/s)", before, after)
        stops = sum(1 for p in plan if p[0])
        latencies = sorted(from_answer for from_answer, _ in enforced.values())
        end_to_end = sorted(from_request for _, from_request in enforced.values())
        # Count every STOP in the database: an opt-out row and a ledger event for each contact.
        stop_contacts = [p[1] for p in plan if p[0]]
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(DISTINCT c.phone) FROM optout_optout o JOIN workspaces_contact c"
                " ON c.id = o.contact_id WHERE c.workspace_id = %s AND c.phone = ANY(%s)",
                [self.workspace_id, stop_contacts],
            )
            opted_out = cur.fetchone()[0]
            cur.execute(
                "SELECT count(DISTINCT c.phone) FROM optout_consentevent e"
                " JOIN workspaces_contact c ON c.id = e.contact_id"
                " WHERE e.kind = 'opt_out' AND c.workspace_id = %s"
                " AND c.phone = ANY(%s)",
                [self.workspace_id, stop_contacts],
            )
            events = cur.fetchone()[0]
        self.stop_contacts = stop_contacts
        refused = self.api_sends_refused(random.sample(stop_contacts, min(20, len(stop_contacts))))
        self.results["figures"]["stop"] = {
            "rate_target": STOP_RATE,
            "rate_achieved": len(plan) / sent_for,
            # What the server really answered: all requests over the time to the last answer.
            "rate_answered": answers["ok"] / (last_answer[0] - start) if answers["ok"] else 0.0,
            "driver_lag_p50_ms": pct(sorted(driver_lag), 50) * 1000,
            "driver_lag_p99_ms": pct(sorted(driver_lag), 99) * 1000,
            "inbound": len(plan),
            "stops_sent": stops,
            "answered_200": answers["ok"],
            "answers_not_200": answers["bad"],
            "sent_late": answers["late"],
            "enforced": len(latencies),
            "opt_out_rows": opted_out,
            "consent_events": events,
            "lost": stops - opted_out,
            "p50_ms": pct(latencies, 50) * 1000,
            "p99_ms": pct(latencies, 99) * 1000,
            "max_ms": (latencies[-1] * 1000) if latencies else 0.0,
            "e2e_p50_ms": pct(end_to_end, 50) * 1000,
            "e2e_p99_ms": pct(end_to_end, 99) * 1000,
            # A keyword text is processed inside its webhook request: how long the answer takes.
            "stop_answer_p50_ms": pct(sorted(answer_times[True]), 50) * 1000,
            "stop_answer_p99_ms": pct(sorted(answer_times[True]), 99) * 1000,
            "other_answer_p50_ms": pct(sorted(answer_times[False]), 50) * 1000,
            "other_answer_p99_ms": pct(sorted(answer_times[False]), 99) * 1000,
            "poll_ms": self.opts.poll_ms,
            "api_send_refused": refused,
        }
        self.log(
            f"STOP phase: {len(latencies)}/{stops} enforced, p50 {pct(latencies, 50) * 1000:.0f}"
            f" ms, p99 {pct(latencies, 99) * 1000:.0f} ms"
        )
        self.wait_inbound_drained()
        self.wait_outbound_drained()

    def recount_stops(self) -> None:
        """After every queue has drained: a STOP still without its opt-out is lost, not late."""
        from django.db import connection

        self.wait_outbound_drained(timeout=self.opts.drain_timeout)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(DISTINCT c.phone) FROM optout_optout o JOIN workspaces_contact c"
                " ON c.id = o.contact_id WHERE c.workspace_id = %s AND c.phone = ANY(%s)",
                [self.workspace_id, self.stop_contacts],
            )
            final = cur.fetchone()[0]
        stop = self.results["figures"]["stop"]
        stop["opt_out_rows_final"] = final
        stop["lost"] = stop["stops_sent"] - final
        stop["late_beyond_wait"] = stop["stops_sent"] - stop["enforced"]
