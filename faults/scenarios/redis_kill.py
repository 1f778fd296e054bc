"""1. Redis killed -9 and restarted during a burst of STOPs and ordinary texts."""

from __future__ import annotations

import time

from faults.scenarios.base import Scenario
from faults.tally import answer_times


class RedisKill(Scenario):
    key = "redis"
    title = "Redis killed -9 and restarted during a burst"
    index = 1
    since_key = "restarted_wall"

    def run(self) -> None:
        n = self.size
        texts = self.texts(n["stops"], n["texts"])
        pids = self.suite.pids()
        when: dict[str, float] = {}

        def fault() -> None:
            when["killed"] = time.monotonic()
            self.t.kill_redis()
            time.sleep(n["redis_down_s"])
            when["restarted_wall"] = time.time()
            self.t.start_redis()
            when["restarted"] = time.monotonic()
            when["watch"] = self.t.watch_worker_healthy(since=when["restarted_wall"])

        hooks = self.webhooks()
        start = time.monotonic()
        self.t.log(
            f"{len(texts)} texts over {n['burst_s']} s; Redis killed -9 a third of the way in,"
            f" started again {n['redis_down_s']} s later"
        )
        answers, faults = hooks.burst(texts, n["burst_s"], {len(texts) // 3: fault})
        for thread in faults:
            thread.join()
        hooks.close()
        self.faults.append(
            f"redis kill -9 at {when['killed'] - start:.1f} s, started again (same port, same"
            f" AOF) {when['restarted'] - when['killed']:.1f} s later"
        )
        when["watch"]["done"].wait()
        healthy = when["watch"]["at"]
        self.figures, took = self.wait_settled(texts, answers, timeout=n["settle_s"])
        self.figures["worker_consuming_after_s"] = (
            round(healthy - when[self.since_key], 1) if healthy is not None else None
        )
        self.figures["settled_after_s"] = round(took, 1) if took is not None else None
        # The answers to the requests sent while Redis was down.
        down = [a for a in answers if when["killed"] <= a.started <= when["restarted"]]
        self.figures["while_redis_down"] = {"requests": len(down), **answer_times(down)}
        self.expect_burst(self.figures)
        after = self.suite.pids()
        self.expect(
            "the worker is the same process, still alive",
            after["worker"] == pids["worker"] and self.t.alive("worker"),
            f"pid {pids['worker']} -> {after['worker']}"
            + ("" if self.t.alive("worker") else " (exited)"),
        )
        self.expect(
            "the worker consumes again (/healthz/worker 200, heartbeat after the restart)",
            healthy is not None,
            f"{self.figures['worker_consuming_after_s']} s after Redis was back"
            if healthy is not None
            else "not within 90 s",
        )
        self.expect_heartbeat_pid(pids["worker"])
        self.expect_survivors(pids, after, ("gunicorn", "beat"))
