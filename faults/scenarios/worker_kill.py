"""2. The worker's whole process group killed -9 mid-burst, then started again (what a
supervisor, compose's `restart:`, does in production)."""

from __future__ import annotations

import time

from faults.scenarios.base import Scenario


class WorkerKill(Scenario):
    key = "worker"
    title = "Worker killed -9 mid-burst, started again"
    index = 2
    since_key = "restarting_wall"

    def run(self) -> None:
        n = self.size
        texts = self.texts(n["stops"], n["texts"])
        pids = self.suite.pids()
        when: dict[str, float] = {}

        def fault() -> None:
            when["killed"] = time.monotonic()
            self.t.kill9("worker")
            time.sleep(n["worker_down_s"])
            when["restarting"], when["restarting_wall"] = time.monotonic(), time.time()
            when["watch"] = self.t.watch_worker_healthy(since=when["restarting_wall"])
            self.t.start_worker()
            when["ready"] = time.monotonic()

        hooks = self.webhooks()
        start = time.monotonic()
        self.t.log(
            f"{len(texts)} texts over {n['burst_s']} s; the worker's process group killed -9"
            f" half way, started again {n['worker_down_s']} s later"
        )
        answers, faults = hooks.burst(texts, n["burst_s"], {len(texts) // 2: fault})
        for thread in faults:
            thread.join()
        hooks.close()
        self.faults.append(
            f"worker group kill -9 at {when['killed'] - start:.1f} s; started again (the"
            f" supervisor's restart) {when['restarting'] - when['killed']:.1f} s later, ready"
            f" in {when['ready'] - when['restarting']:.1f} s"
        )
        when["watch"]["done"].wait()
        healthy = when["watch"]["at"]
        self.figures, took = self.wait_settled(texts, answers, timeout=n["settle_s"])
        self.figures["worker_consuming_after_s"] = (
            round(healthy - when[self.since_key], 1) if healthy is not None else None
        )
        self.figures["settled_after_s"] = round(took, 1) if took is not None else None
        self.expect_burst(self.figures)
        after = self.suite.pids()
        self.expect(
            "the new worker consumes (/healthz/worker 200)",
            healthy is not None,
            f"{self.figures['worker_consuming_after_s']} s after it was started"
            if healthy is not None
            else "not within 90 s",
        )
        self.expect_heartbeat_pid(after["worker"])
        self.expect_survivors(pids, after, ("gunicorn", "beat", "redis"))
