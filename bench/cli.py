"""Benchmarks of the hot paths (issue 5): `make bench`, or `python bench/run.py [--tiny]`.

Runs the production topology on this machine — gunicorn (DEBUG off), PostgreSQL, Redis, a real
Celery worker, the Twilio backend against a loopback fake — drives it with wrk (and a paced
Python driver for the STOP phase), and prints one table: each figure beside its reference
measured in the same run, and the ratio against the target. Results also go to
<out>/results.json. Nothing here asserts speed; tests/bench/test_bench_smoke.py runs it tiny.

The command line (bench/run.py runs main).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
from pathlib import Path

from bench.config import ALL_PHASES, PHASES, ROOT
from bench.core import Bench
from bench.report import render


def default_pg_url() -> str:
    url = os.environ.get("BENCH_PG_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


def default_redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL", "")
    return url if url.startswith("redis") else "redis://127.0.0.1:6379/0"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tiny", action="store_true", help="a few hundred requests (the smoke test)"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument(
        "--pg-url",
        default=default_pg_url(),
        help="any URL of the PostgreSQL server; the database name is replaced",
    )
    parser.add_argument("--db-name", default="compliance_bench")
    parser.add_argument("--redis-url", default=default_redis_url())
    parser.add_argument("--redis-db", type=int, default=14, help="flushed at start")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=4,
        help="prefork children; the tasks wait on PostgreSQL half of the time",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=9,
        help="niceness of the plain worker (nice 9 is about an eighth of the CPU weight, as "
        "cpu_shares: 128 in docker-compose.yml)",
    )
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument(
        "--max-rps",
        type=float,
        default=2500,
        help="sizes the request files: no MessageSid is sent twice below this rate",
    )
    parser.add_argument(
        "--memory-messages",
        type=int,
        default=None,
        help="inbound rows the worker processes for the memory figure",
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the webhook and worker-memory figures (= --phases webhook,memory; with "
        "--memory-messages 100000: about 25 minutes)",
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated, of {', '.join(ALL_PHASES)}, or `all`; default: "
        f"{', '.join(PHASES)}. The million contacts are seeded only for check, send and "
        "audience (a STOP-only run: --phases stop)",
    )
    parser.add_argument("--warm-s", type=float, default=2.0, help="unmeasured burst per endpoint")
    parser.add_argument("--poll-ms", type=float, default=5.0)
    parser.add_argument(
        "--no-keyword-worker",
        dest="keyword_worker",
        action="store_false",
        help="run only the plain worker (no dedicated `-Q keywords` worker)",
    )
    parser.add_argument("--drain-timeout", type=float, default=240.0)
    parser.add_argument(
        "--stop-wait",
        type=float,
        default=30.0,
        help="seconds after the last webhook answer before a STOP counts as lost",
    )
    opts = parser.parse_args(argv)
    opts.phases = {"webhook", "memory"} if opts.memory_only else set(opts.phases.split(","))
    if opts.phases == {"all"}:
        opts.phases = set(ALL_PHASES)
    if not opts.phases or opts.phases - set(ALL_PHASES):
        parser.error(f"--phases: choose among {', '.join(ALL_PHASES)}, or all")
    # SIGTERM / Ctrl-C still stop the processes this script started (finally: in Bench.run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    results = Bench(opts).run()
    print()
    print(render(results))
    print(f"\nresults: {Path(opts.out).resolve() / 'results.json'}")
    return 0
