"""Phase 4: the opt-out check over the seeded million, over HTTP and in process."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
from urllib.parse import urlencode

from bench import product
from bench.config import NUMBER_A, NUMBER_B, NUMBER_C, SEEDED
from bench.report import pct


class CheckPhase:
    """Phase `check`."""

    def phase_check(self) -> None:
        """GET opt-outs/check over the seeded million (server-side time from gunicorn's log),
        the send service's policy check in-process, queries per check, and EXPLAIN ANALYZE."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        block_for = product.policy_check()

        n = self.size["contacts"]
        every = n // self.size["opt_outs"]
        rnd = random.Random(5)
        picks = [rnd.randrange(n) for _ in range(80_000)]
        # Half of the picks are contacts with an opt-out (every `every`-th), half without.
        picks = [p - p % every if k % 2 else p | 1 for k, p in enumerate(picks)]
        senders = [NUMBER_A, NUMBER_B, NUMBER_C]
        files = []
        for half in (0, 1):  # the saturated run and the one-at-a-time run check other contacts
            path = self.out / f"check-{half}.requests"
            with path.open("w") as f:
                for k, p in enumerate(picks[half * 40_000 : (half + 1) * 40_000]):
                    to = SEEDED.format(2_000_000 + p)
                    query = urlencode({"from": senders[k % 3], "to": to})
                    f.write(f"GET\t/api/v1/opt-outs/check?{query}\t\t\t\n")
            files.append(path)
        self.start_gunicorn(access_log=True)
        self.warm(files[0], "/api/v1/opt-outs/check", auth=f"Token {self.api_token}")

        def server_side_us() -> list[int]:
            """gunicorn's %(D)s: request read to response written, in the worker."""
            return sorted(
                int(parts[3])
                for line in self.access_log.read_text().splitlines()
                if (parts := line.split())
                and len(parts) == 4
                and "/opt-outs/check" in parts[1]
                and parts[2] == "200"
            )

        # At saturation (the box's throughput; latency then includes waiting for a CPU) ...
        self.access_log.write_text("")
        http_result = self.wrk(
            files[0],
            "/api/v1/opt-outs/check",
            self.size["check_s"],
            self.opts.connections,
            auth=f"Token {self.api_token}",
            label="opt-out check (HTTP, saturated)",
        )
        saturated_us = server_side_us()
        # ... and one request at a time: the check's own latency.
        self.access_log.write_text("")
        single_result = self.wrk(
            files[1],
            "/api/v1/opt-outs/check",
            self.size["check_s"],
            1,
            auth=f"Token {self.api_token}",
            label="opt-out check (HTTP, one at a time)",
        )
        server_us = server_side_us()
        self.start_gunicorn(access_log=False)
        blocked = 0
        for p in picks[:50]:
            if block_for(
                workspace_id=self.workspace_id,
                contact_phone=SEEDED.format(2_000_000 + p),
                number=NUMBER_A,
            ):
                blocked += 1
        # The send service's policy check, alone, in this process (one connection, warm).
        times, queries = [], []
        for k, p in enumerate(picks[: self.size["checks_inproc"]]):
            phone = SEEDED.format(2_000_000 + p)
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                block_for(
                    workspace_id=self.workspace_id, contact_phone=phone, number=senders[k % 3]
                )
                times.append(time.perf_counter() - t)
            queries.append(len(ctx.captured_queries))
        times.sort()
        # Queries of one whole HTTP check, through Django's test client in this process.
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Token {self.api_token}", HTTP_HOST="127.0.0.1")
        # The first call fills this process's caches (token, number), as gunicorn's warm-up did.
        client.get("/api/v1/opt-outs/check", {"from": NUMBER_B, "to": SEEDED.format(2_000_001)})
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                "/api/v1/opt-outs/check",
                {"from": NUMBER_B, "to": SEEDED.format(2_000_000 + every * 7)},
            )
        http_queries = [q["sql"] for q in ctx.captured_queries]
        with CaptureQueriesContext(connection) as ctx:
            block_for(
                workspace_id=self.workspace_id,
                contact_phone=SEEDED.format(2_000_000 + every),
                number=NUMBER_A,
            )
        sql = ctx.captured_queries[0]["sql"]
        explain = self.explain(sql)
        self.results["figures"]["check"] = {
            "http": http_result,
            "http_single": single_result,
            "server_p50_ms": pct(server_us, 50) / 1000,
            "server_p99_ms": pct(server_us, 99) / 1000,
            "server_samples": len(server_us),
            "saturated_p50_ms": pct(saturated_us, 50) / 1000,
            "saturated_p99_ms": pct(saturated_us, 99) / 1000,
            "saturated_samples": len(saturated_us),
            "policy_p50_ms": pct(times, 50) * 1000,
            "policy_p99_ms": pct(times, 99) * 1000,
            "policy_queries_max": max(queries),
            "policy_queries_min": min(queries),
            "http_status": response.status_code,
            "http_queries": len(http_queries),
            "http_query_sql": http_queries,
            "policy_sql": sql,
            "explain": explain["plan"],
            "explain_execution_ms": explain["execution_ms"],
            "explain_planning_ms": explain["planning_ms"],
            "sample_blocked_of_50": blocked,
        }
        self.log(
            f"check: server p50 {pct(server_us, 50) / 1000:.2f} ms p99 "
            f"{pct(server_us, 99) / 1000:.2f} ms; policy p99 {pct(times, 99) * 1000:.2f} ms; "
            f"EXPLAIN {explain['execution_ms']} ms"
        )

    def explain(self, sql: str) -> dict:
        """EXPLAIN ANALYZE of the policy check's query, run alone in psql."""
        psql = shutil.which("psql")
        statement = f"EXPLAIN (ANALYZE, BUFFERS) {sql}"
        if psql:
            runs = []
            for _ in range(3):  # the first run may read cold pages; keep the last
                out = subprocess.run(
                    [psql, self.database_url, "-X", "-A", "-t", "-c", statement],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                runs.append(out)
            plan = runs[-1]
        else:
            from django.db import connection

            with connection.cursor() as cur:
                for _ in range(3):
                    cur.execute(statement)
                    plan = "\n".join(r[0] for r in cur.fetchall())
        execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
        planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
        return {
            "plan": plan.strip(),
            "execution_ms": float(execution.group(1)) if execution else None,
            "planning_ms": float(planning.group(1)) if planning else None,
            "via": "psql" if psql else "django cursor",
        }
