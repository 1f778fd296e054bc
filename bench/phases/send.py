"""Phase 5: the API send beside the reference, with the worker sending to the fake Twilio."""

from __future__ import annotations

import json
import random
import time

from bench.config import NUMBER_A, REFERENCE_PATH, SEEDED


class SendPhase:
    """Phase `send`."""

    def phase_send(self) -> None:
        """POST /api/v1/messages to contacts without an opt-out; worker sends to the fake Twilio."""
        from django.db import connection

        n = self.size["contacts"]
        every = n // self.size["opt_outs"]
        count = int(self.size["send_s"] * self.opts.max_rps)
        path = self.out / "send.requests"
        rnd = random.Random(7)
        with path.open("w") as f:
            for k in range(count):
                p = rnd.randrange(n) | 1
                if p % every == 0:
                    p += 1
                body = json.dumps(
                    {
                        "from": NUMBER_A,
                        "to": SEEDED.format(2_000_000 + p),
                        "body": f"Your order #{k} has shipped.",
                    }
                )
                f.write(f"POST\t/api/v1/messages\tapplication/json\t\t{body}\n")
        warm_path = self.out / "send-warm.requests"
        lines = path.read_text().splitlines(keepends=True)
        warm_path.write_text("".join(lines[-int(self.opts.warm_s * 300) :]))
        self.warm(
            self.reference_file(int(self.opts.warm_s * self.opts.max_rps), "warm-send"),
            REFERENCE_PATH,
        )
        self.warm(warm_path, "/api/v1/messages", auth=f"Token {self.api_token}")
        self.wait_outbound_drained(timeout=self.opts.drain_timeout)
        ref = self.wrk(
            self.reference_file(count, "reference-send"),
            REFERENCE_PATH,
            self.size["send_s"],
            self.opts.connections,
            label="reference (worker running)",
        )
        with connection.cursor() as cur:
            cur.execute("SELECT coalesce(max(id), 0) FROM messaging_message")
            first_id = cur.fetchone()[0]
        wall0 = time.time()
        result = self.wrk(
            path,
            "/api/v1/messages",
            self.size["send_s"],
            self.opts.connections,
            auth=f"Token {self.api_token}",
            label="API send (worker running)",
        )
        t0 = time.monotonic()
        before = self.cpu_snapshot()
        self.wait_outbound_drained(timeout=self.opts.drain_timeout)
        self.cpu_record("API send: worker drains", before, self.cpu_snapshot())
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE provider_sid IS NOT NULL),"
                " count(*) FILTER (WHERE status = 'queued'),"
                " extract(epoch FROM max(updated_at) FILTER (WHERE provider_sid IS NOT NULL))"
                " FROM messaging_message WHERE id > %s AND source = 'api'",
                [first_id],
            )
            accepted, sent, still_queued, last = cur.fetchone()
        elapsed = (float(last) - wall0) if last else (time.monotonic() - t0)
        self.results["figures"]["send"] = {
            "reference": ref,
            "api": result,
            "accepted": accepted,
            "sent": sent,
            "still_queued": still_queued,
            "accepted_per_s": result["ok_rps"],
            "sent_per_s": sent / elapsed if elapsed > 0 else 0.0,
            "sent_seconds": round(elapsed, 2),
            "accepted_ratio": result["ok_rps"] / ref["rps"],
        }
        self.results["figures"]["send"]["sent_ratio"] = (
            self.results["figures"]["send"]["sent_per_s"] / ref["rps"]
        )
        self.log(
            f"API send: accepted {result['ok_rps']:.0f}/s, sent {sent} in {elapsed:.1f}s; "
            f"reference {ref['rps']:.0f}/s"
        )
