"""What every scenario shares: its workspace, its numbers and contacts, the burst of STOPs and
ordinary texts, waiting until everything has settled, and its expectations."""

from __future__ import annotations

import random
import time

from faults.driver import Text, Webhooks, new_sid
from faults.tally import settled, tally


class Scenario:
    key = ""  # short name, also the workspace's
    title = ""
    index = 0  # picks the scenario's own numbers and contact blocks

    def __init__(self, suite):
        self.suite = suite
        self.t = suite.topology
        self.opts = suite.opts
        self.size = suite.size
        self.workspace: dict = {}
        self.figures: dict = {}
        self.expectations: list[dict] = []
        self.notes: list[str] = []
        self.faults: list[str] = []  # what the scenario itself did (kills, restarts)
        self.person_restarts: list[str] = []  # what had to be restarted by hand (never, we hope)
        self.seconds = 0.0

    # ---------------------------------------------------------------- set-up

    def numbers(self) -> list[str]:
        """The workspace's own numbers: +1415555 0<index>0 and 0<index>1."""
        return [f"+1415555{self.index:02d}{n:02d}" for n in (0, 1)]

    def contact(self, block: int, i: int) -> str:
        """A US number of the scenario's `block` (0: STOPs, 1: ordinary texts, ...)."""
        return f"+1650{2 + self.index}{block}{i:05d}"

    @property
    def to(self) -> str:
        return self.workspace["numbers"][0]

    def texts(self, stops: int, others: int) -> list[Text]:
        """`stops` STOPs from new contacts and `others` ordinary texts from other contacts,
        interleaved (seeded shuffle: the same order every run)."""
        words = ["STOP", "Stop", "stop", "STOP.", "UNSUBSCRIBE", "cancel", "Opt-Out", "quit"]
        items = [
            Text("stop", self.contact(0, i), self.to, words[i % len(words)], new_sid(self.key))
            for i in range(stops)
        ] + [
            Text(
                "text",
                self.contact(1, i),
                self.to,
                f"Is the order #{i} ready for pick-up today?",
                new_sid(self.key),
            )
            for i in range(others)
        ]
        random.Random(self.index).shuffle(items)
        return items

    def webhooks(self) -> Webhooks:
        return Webhooks(self.t)

    # ---------------------------------------------------------------- waiting and checking

    def wait_settled(self, texts, answers, timeout: float) -> tuple[dict, float | None]:
        """Polls until nothing is lost or stuck (or `timeout`); then waits a grace period (two
        sweeps after the sweeper's delay) and counts again, so that a late duplicate is seen."""
        started = time.monotonic()
        figures = tally(self.t, self.workspace, texts, answers)
        while not settled(figures) and time.monotonic() - started < timeout:
            time.sleep(1.0)
            figures = tally(self.t, self.workspace, texts, answers)
        took = time.monotonic() - started if settled(figures) else None
        time.sleep(self.suite.grace_seconds)
        return tally(self.t, self.workspace, texts, answers), took

    def expect(self, name: str, ok: bool, detail: str = "") -> None:
        self.expectations.append({"expectation": name, "ok": bool(ok), "detail": detail})
        mark = "ok  " if ok else "FAIL"
        self.t.log(f"  [{mark}] {name}{': ' + detail if detail else ''}")

    def expect_burst(self, f: dict) -> None:
        """The expectations every burst of STOPs and texts shares."""
        self.expect(
            "every STOP answered 200",
            f["stops_answered_200"] == f["stops_sent"],
            f"{f['stops_answered_200']}/{f['stops_sent']}",
        )
        self.expect(
            "every opt-out on record when its webhook answered 200",
            f["opt_outs_at_200"] == f["stops_answered_200"],
            f"{f['opt_outs_at_200']}/{f['stops_answered_200']}",
        )
        self.expect(
            "every opt-out on record in the end",
            f["opt_outs_end"] == f["stops_answered_200"],
            f"{f['opt_outs_end']}/{f['stops_answered_200']}",
        )
        self.expect(
            "every STOP confirmed exactly once",
            f["confirmations_once"] == f["stops_answered_200"] and f["duplicates"] == 0,
            f"{f['confirmations_once']}/{f['stops_answered_200']} once, "
            f"{f['confirmations_missing']} never, {f['confirmation_extra_posts']} extra, "
            f"{f['unexpected_posts']} unexpected POSTs",
        )
        self.expect(
            "every ordinary text processed",
            f["texts_processed"] == f["texts_sent"],
            f"{f['texts_processed']}/{f['texts_sent']}",
        )
        self.expect(
            "0 answers 5xx (or none at all)",
            f["http_5xx"] + f["no_answer"] == 0,
            f"{f['http_5xx']} 5xx, {f['no_answer']} without an answer",
        )
        self.expect("nothing lost", f["lost"] == 0, str(f["lost"]))
        self.expect(
            "nothing stuck",
            f["stuck"] == 0,
            f"{f['stuck_rows']} rows, {f['unsent_messages']} messages",
        )
        self.expect("nothing twice", f["duplicates"] == 0, str(f["duplicates"]))

    def expect_heartbeat_pid(self, pid: int | None) -> None:
        """The heartbeat /healthz/worker reads was written by that very process."""
        from faults import product

        with self.t.connect() as conn, conn.cursor() as cur:
            beats = product.worker_heartbeats(cur)
        live = [b for b in beats if b["consuming"]]
        self.expect(
            "the heartbeat is that worker's",
            bool(live) and all(b["pid"] == pid for b in live),
            ", ".join(f"pid {b['pid']} consuming={b['consuming']}" for b in beats),
        )

    def expect_survivors(self, before: dict, after: dict, names) -> None:
        """Processes the scenario did not touch are the same processes, alive."""
        changed = [n for n in names if before.get(n) is None or before.get(n) != after.get(n)]
        self.expect(
            f"{', '.join(names)} untouched and alive",
            not changed,
            ", ".join(f"{n}: {before.get(n)} -> {after.get(n)}" for n in names),
        )

    @property
    def passed(self) -> bool:
        return bool(self.expectations) and all(e["ok"] for e in self.expectations)

    def result(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "passed": self.passed,
            "seconds": round(self.seconds, 1),
            "figures": self.figures,
            "expectations": self.expectations,
            "faults": self.faults,
            "person_restarts": self.person_restarts,
            "notes": self.notes,
        }

    def run(self) -> None:
        raise NotImplementedError
