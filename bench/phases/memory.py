"""Phase 2: the worker's memory over a backlog of stored inbound rows."""

from __future__ import annotations

import time

from bench.processes import memory_mb


class MemoryPhase:
    """Phase `memory`."""

    def top_up_inbound(self, target: int) -> None:
        """Stores more signed inbound webhooks (worker off) until `target` rows wait."""
        rate = self.results["figures"]["webhook"]["webhook"]["rps"]
        for _ in range(5):
            stored, _ = self.inbound_counts()
            missing = target - stored
            if missing <= 0:
                break
            path = self.webhook_file(missing, "memory")
            self.wrk(path, "/webhooks/twilio/sms/", missing / rate + 1, self.opts.connections)
        stored, _ = self.inbound_counts()
        self.log(f"{stored} inbound rows waiting for the worker")

    def phase_worker_memory(self) -> None:
        """Worker memory after start-up, then after it has processed every stored inbound row."""
        self.top_up_inbound(self.size["memory_messages"])
        stored, _ = self.inbound_counts()
        t0 = time.monotonic()
        self.start_worker()
        before = self.cpu_snapshot()
        worker = self.procs["worker"]
        start_mem = memory_mb(worker.pids())
        samples = [{"processed": 0, **start_mem, "t": 0.0}]
        self.log(f"worker started: {start_mem}; draining {stored} inbound rows")
        next_sample = 0
        # At least 25 messages a second, however large the run.
        drain_limit = max(self.opts.drain_timeout, self.size["memory_messages"] / 25)
        while True:
            total, processed = self.inbound_counts()
            if processed >= next_sample:
                samples.append(
                    {
                        "processed": processed,
                        **memory_mb(worker.pids()),
                        "t": round(time.monotonic() - t0, 1),
                    }
                )
                next_sample = processed + max(total // 10, 1)
            if processed >= total or time.monotonic() - t0 > drain_limit:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - t0
        self.wait_outbound_drained()
        end_mem = memory_mb(worker.pids())
        samples.append({"processed": processed, **end_mem, "t": round(time.monotonic() - t0, 1)})
        after = self.cpu_snapshot()
        self.cpu_record("worker drains inbound backlog", before, after)
        self.results["figures"]["worker_memory"] = {
            "processed": processed,
            "stored": total,
            "seconds": round(elapsed, 1),
            "inbound_per_s": processed / elapsed if elapsed else 0.0,
            "start": start_mem,
            "end": end_mem,
            "growth_pss_mb": end_mem["pss_mb"] - start_mem["pss_mb"],
            "growth_rss_mb": end_mem["rss_mb"] - start_mem["rss_mb"],
            "samples": samples,
            "concurrency": self.opts.worker_concurrency,
        }
        self.log(f"worker processed {processed}/{total} in {elapsed:.1f}s; memory {end_mem}")
