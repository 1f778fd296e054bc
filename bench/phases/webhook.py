"""Phase 1: the signed inbound webhook against the one-INSERT reference."""

from __future__ import annotations

from bench.config import REFERENCE_PATH


class WebhookPhase:
    """Phase `webhook`."""

    def phase_webhook(self) -> None:
        """Signed inbound webhook vs the one-INSERT reference, interleaved rounds, worker off."""
        from django.db import connection

        s = self.size
        per_round = int(s["round_s"] * self.opts.max_rps)
        refs, hooks = [], []
        warm_n = int(self.opts.warm_s * self.opts.max_rps)
        self.warm(self.reference_file(warm_n, "warm-reference"), REFERENCE_PATH)
        self.warm(self.webhook_file(warm_n, "warm-webhook"), "/webhooks/twilio/sms/")
        for r in range(s["rounds"]):
            ref_file = self.reference_file(per_round, f"reference-{r}")
            hook_file = self.webhook_file(per_round, f"webhook-{r}")
            refs.append(
                self.wrk(
                    ref_file,
                    REFERENCE_PATH,
                    s["round_s"],
                    self.opts.connections,
                    label=f"reference round {r + 1}",
                )
            )
            hooks.append(
                self.wrk(
                    hook_file,
                    "/webhooks/twilio/sms/",
                    s["round_s"],
                    self.opts.connections,
                    label=f"webhook round {r + 1}",
                )
            )
            self.log(
                f"round {r + 1}: reference {refs[-1]['rps']:.0f}/s, "
                f"webhook {hooks[-1]['rps']:.0f}/s"
            )
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM messaging_inboundmessage")
            stored = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM bench_reference")
            reference_rows = cur.fetchone()[0]
        ok = sum(h["requests"] - h["non_2xx"] for h in hooks)
        best_ref = max(refs, key=lambda x: x["rps"])
        best_hook = max(hooks, key=lambda x: x["rps"])
        self.results["figures"]["webhook"] = {
            "reference": best_ref,
            "webhook": best_hook,
            "rounds_reference": refs,
            "rounds_webhook": hooks,
            "answered_200": ok,
            "inbound_rows": stored,
            "reference_answered_200": sum(r["requests"] - r["non_2xx"] for r in refs),
            "reference_rows": reference_rows,
            "throughput_ratio": best_hook["rps"] / best_ref["rps"],
            "p99_ratio": best_hook["p99_us"] / best_ref["p99_us"],
        }
        if any(h["non_2xx"] or h["wrapped"] for h in hooks + refs):
            self.results["notes"].append("webhook phase: non-2xx answers or replayed requests")
