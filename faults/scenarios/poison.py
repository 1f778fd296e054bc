"""4. Odd senders and poison rows. Texts and STOPs from senders Twilio really uses that are not
E.164 numbers (a short code, alphanumeric ids, a WhatsApp address) are stored and processed
like any other. Rows that cannot be processed — their MessageSid is already recorded on another
message (a replayed delivery, a row restored from a backup), so storing their message breaks a
unique constraint every time — are retried with backoff and become dead letters, and a normal
text that arrives after them is processed as usual (through its task, or within a sweep or two
when only the sweeper can find it).

The poison rows are planted first and checked last (`finish`): becoming a dead letter takes
eight attempts, the sweeper waiting SWEEP_AFTER_SECONDS x 1, 2, 4 ... 64 between them."""

from __future__ import annotations

import time

from faults import product
from faults.driver import Text, new_sid
from faults.scenarios.base import Scenario

ODD_SENDERS = [
    "72345",  # a short code
    "ACMEBANK",  # an alphanumeric sender id
    "whatsapp:+14155550123",  # a WhatsApp address
    "ACMEBANKNOTIFICATIONSSERVICEXY",  # 30-character alphanumeric ids
    "RCSAGENTACMEDELIVERYUPDATESABC",
]
MAX_ATTEMPTS = product.MAX_INBOUND_ATTEMPTS
# A text processed through its own task, on a loaded 2-core machine: a text blocked behind the
# poison rows would wait for a sweep's backoff (or for ever) instead.
AT_ONCE = 5.0


def backoff_floor(sweep_after: float) -> float:
    """The soonest a row queued at once can be a dead letter if every retry waits out its
    backoff: SWEEP_AFTER_SECONDS x (1 + 2 + ...) after its first attempt."""
    return sweep_after * sum(2 ** min(a - 1, product.BACKOFF_CAP) for a in range(1, MAX_ATTEMPTS))


def dead_letter_deadline(sweep_after: float, sweep_interval: float) -> float:
    """The longest a poison row can take to become a dead letter (planted, never queued: its
    first attempt waits for the sweeper too), with a sweep and a task's time per attempt."""
    waits = sweep_after + backoff_floor(sweep_after)
    return waits + MAX_ATTEMPTS * (sweep_interval + 2) + 30


class Poison(Scenario):
    key = "poison"
    title = "Odd senders, poison rows and dead letters"
    index = 4

    def run(self) -> None:
        self.started = time.monotonic()
        self.api_sends: set[tuple[str, str]] = set()
        hooks = self.webhooks()
        ws = self.workspace
        # 1. Each odd sender: an ordinary text, then STOP.
        texts: list[Text] = []
        for sender in ODD_SENDERS:
            texts.append(Text("text", sender, self.to, "Hello, is this the shop?", new_sid("po")))
            texts.append(Text("stop", sender, self.to, "STOP", new_sid("po")))
        answers = [hooks.post(t) for t in texts]
        self.odd_texts, self.odd_answers = texts, answers
        # 2. Poison rows: MessageSids already recorded on a message (the confirmations just sent
        # to the odd senders).
        sids = self.provider_sids(self.size["poison_rows"])
        self.poison: list[str] = []
        self.planted_at = time.monotonic()
        with self.t.connect() as conn, conn.cursor() as cur:
            number_id = product.number_id(cur, ws["workspace_id"], self.to)
            for i, sid in enumerate(sids):
                from_ = self.contact(2, i)
                if i % 2 == 0:  # through the webhook: stored and queued
                    answer = hooks.post(Text("text", from_, self.to, f"Order #{i}?", sid))
                    answers.append(answer)
                else:  # written straight into the table: only the sweeper can find it
                    product.plant_inbound_row(
                        cur,
                        workspace_id=ws["workspace_id"],
                        phone_number_id=number_id,
                        sid=sid,
                        from_=from_,
                        to=self.to,
                        body=f"Order #{i}?",
                    )
                self.poison.append(sid)
        self.faults.append(
            f"{len(sids)} poison rows (MessageSid already on a message):"
            f" {len(sids[::2])} through the webhook, {len(sids[1::2])} written to the table"
        )
        # 3. Once they have failed a first time, normal texts arrive after them.
        self.wait_failed_once()
        after = Text("text", self.contact(3, 0), self.to, "Can I come at 5?", new_sid("po"))
        t0 = time.monotonic()
        answers.append(hooks.post(after))
        self.after_webhook = self.wait_processed(after.sid, timeout=60, since=t0)
        planted = new_sid("po")
        with self.t.connect() as conn, conn.cursor() as cur:
            t1 = time.monotonic()
            product.plant_inbound_row(
                cur,
                workspace_id=ws["workspace_id"],
                phone_number_id=number_id,
                sid=planted,
                from_=self.contact(3, 1),
                to=self.to,
                body="Is the shop open on Sunday?",
            )
        self.after_planted = self.wait_processed(planted, timeout=60, since=t1)
        self.normal_sids = [after.sid, planted]
        hooks.close()
        self.notes.append(
            "poison rows are checked at the end of the run (dead letter after"
            f" {MAX_ATTEMPTS} attempts, within"
            f" {dead_letter_deadline(self.opts.sweep_after, self.opts.sweep_interval):.0f} s)"
        )

    def provider_sids(self, count: int) -> list[str]:
        """Twilio's ids of `count` messages this workspace sent: the confirmations of the odd
        senders' STOPs, and as many API sends as it takes to have enough."""
        for i in range(max(0, count - len(ODD_SENDERS))):
            to, body = self.contact(4, i), f"Order {i} has shipped."
            self.api_sends.add((to, body))
            status, data = self.t.api(
                self.workspace["api_token"],
                "POST",
                "messages",
                {"from": self.to, "to": to, "body": body},
            )
            if status != 201:
                raise RuntimeError(f"API send answered {status}: {data}")
        deadline = time.monotonic() + 60
        while True:
            with self.t.connect() as conn, conn.cursor() as cur:
                sids = [
                    m["provider_sid"]
                    for m in product.outbound_messages(cur, self.workspace["workspace_id"])
                    if m["provider_sid"]
                ]
            if len(sids) >= count:
                return sids[:count]
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(sids)} of {count} messages sent within 60 s")
            time.sleep(0.2)

    def rows(self) -> dict[str, dict]:
        with self.t.connect() as conn, conn.cursor() as cur:
            return {
                r["message_sid"]: r
                for r in product.inbound_rows(cur, self.workspace["workspace_id"])
            }

    def wait_failed_once(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.rows()
            if all(rows.get(sid, {}).get("attempts", 0) >= 1 for sid in self.poison):
                return
            time.sleep(0.2)

    def wait_processed(self, sid: str, timeout: float, since: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.rows().get(sid)
            if row and row["processed_at"] is not None:
                return time.monotonic() - since
            time.sleep(0.1)
        return None

    def finish(self) -> None:
        """At the end of the run: every poison row a dead letter, listed by the API."""
        deadline = self.planted_at + dead_letter_deadline(
            self.opts.sweep_after, self.opts.sweep_interval
        )
        self.t.log("poison rows: waiting for them to be dead letters")
        while time.monotonic() < deadline:
            rows = self.rows()
            if all(rows[sid]["dead_at"] is not None for sid in self.poison):
                break
            time.sleep(1.0)
        rows = self.rows()
        dead = [sid for sid in self.poison if rows[sid]["dead_at"] is not None]
        dead_after = max(
            ((rows[sid]["dead_at"] - rows[sid]["received_at"]).total_seconds() for sid in dead),
            default=None,
        )
        dead_first = min(
            ((rows[sid]["dead_at"] - rows[sid]["received_at"]).total_seconds() for sid in dead),
            default=None,
        )
        status, listed = self.t.api(self.workspace["api_token"], "GET", "dead-letters?limit=100")
        listed_rows = listed.get("results", []) if isinstance(listed, dict) else []
        listed_sids = {r["message_sid"] for r in listed_rows}
        errors = {r["last_error"].split(":")[0] for r in listed_rows}

        odd = self.odd_figures()
        sweep = self.opts.sweep_after + 2 * self.opts.sweep_interval
        poison = set(self.poison)
        others = [r for sid, r in rows.items() if sid not in poison]
        stuck = [r for r in others if r["processed_at"] is None]
        with self.t.connect() as conn, conn.cursor() as cur:
            unsent = product.unsent(product.outbound_messages(cur, self.workspace["workspace_id"]))
        self.figures = {
            **odd,
            "poison_rows": len(self.poison),
            "dead_letters": len(dead),
            "dead_after_s": round(dead_after, 1) if dead_after is not None else None,
            "dead_first_after_s": round(dead_first, 1) if dead_first is not None else None,
            "backoff_floor_s": backoff_floor(self.opts.sweep_after),
            "dead_letter_attempts": sorted({rows[sid]["attempts"] for sid in self.poison}),
            "listed_by_api": len(listed_sids & poison),
            "normal_after_poison_webhook_s": _round(self.after_webhook),
            "normal_after_poison_planted_s": _round(self.after_planted),
            "stuck": len(stuck) + len(unsent),
            "lost": odd["lost"],
            "duplicates": odd["duplicates"],
        }
        f = self.figures
        self.expect(
            "odd senders: every text and STOP answered 200 and stored",
            f["odd_answered_200"] == f["odd_sent"] and f["odd_stored"] == f["odd_sent"],
            f"{f['odd_answered_200']}/{f['odd_sent']} answered, {f['odd_stored']} stored",
        )
        self.expect(
            "odd senders: every STOP on record when its webhook answered 200",
            f["opt_outs_at_200"] == f["stops_sent"],
            f"{f['opt_outs_at_200']}/{f['stops_sent']}",
        )
        self.expect(
            "odd senders: every text processed",
            f["texts_processed"] == f["texts_sent"],
            f"{f['texts_processed']}/{f['texts_sent']}",
        )
        self.expect(
            "odd senders: every STOP confirmed exactly once",
            f["confirmations_once"] == f["stops_sent"] and f["duplicates"] == 0,
            f"{f['confirmations_once']}/{f['stops_sent']}",
        )
        self.expect(
            "poison rows become dead letters",
            len(dead) == len(self.poison),
            f"{len(dead)}/{len(self.poison)}, the last after {f['dead_after_s']} s",
        )
        floor = backoff_floor(self.opts.sweep_after)
        self.expect(
            "each retried only after its backoff (no dead letter sooner than"
            f" {floor:.0f} s = {floor / self.opts.sweep_after:.0f} x SWEEP_AFTER_SECONDS)",
            dead_first is not None and dead_first >= floor - 1,
            f"the first dead after {f['dead_first_after_s']} s",
        )
        self.expect(
            "the API lists them with their error",
            status == 200 and poison <= listed_sids and all(errors),
            f"{len(listed_sids & poison)}/{len(poison)} listed; errors: {sorted(errors)}",
        )
        self.expect(
            f"a normal text after them (its task) is processed at once (< {AT_ONCE} s)",
            self.after_webhook is not None and self.after_webhook < AT_ONCE,
            f"in {f['normal_after_poison_webhook_s']} s",
        )
        self.expect(
            "a normal row after them found only by the sweeper is processed within two sweeps",
            self.after_planted is not None and self.after_planted <= sweep + AT_ONCE,
            f"in {f['normal_after_poison_planted_s']} s (a sweep: {self.opts.sweep_after} s"
            f" + {self.opts.sweep_interval} s interval)",
        )
        self.expect("nothing else stuck", f["stuck"] == 0, f"{len(stuck)} rows, {len(unsent)} msgs")
        self.seconds = time.monotonic() - self.started

    def odd_figures(self) -> dict:
        from faults.tally import tally

        f = tally(
            self.t,
            self.workspace,
            self.odd_texts,
            self.odd_answers[: len(self.odd_texts)],
            sent_on_purpose=frozenset(self.api_sends),
        )
        rows = self.rows()
        f["odd_sent"] = len(self.odd_texts)
        f["odd_answered_200"] = sum(
            1 for a in self.odd_answers[: len(self.odd_texts)] if a.status == 200
        )
        f["odd_stored"] = sum(1 for t in self.odd_texts if t.sid in rows)
        f["stored_as"] = {
            t.contact: rows[t.sid]["from_number"] for t in self.odd_texts if t.sid in rows
        }
        changed = {k: v for k, v in f["stored_as"].items() if k != v}
        if changed:
            self.notes.append(f"senders not kept as sent: {changed}")
        return f


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
