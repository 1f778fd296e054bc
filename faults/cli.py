"""The fault suite (`make faults`, `python faults/run.py [--short]`): the production topology
on this machine with its own Redis (AOF on), PostgreSQL database, gunicorn, one Celery worker,
beat and the fake Twilio; scenarios kill Redis and the worker at the worst moments and check
that every STOP, confirmation, text, send and CRM notification is done exactly once, with
nobody restarting anything. Prints one table and writes <out>/results.json; exits 1 if any
expectation failed.

The command line (faults/run.py runs main)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from bench.config import ROOT
from faults.config import SWEEP
from faults.core import SCENARIOS, Suite
from faults.report import render


def default_pg_url() -> str:
    url = os.environ.get("FAULTS_PG_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--short", action="store_true", help="50 + 50 texts, fewer sends (CI; under 3 minutes)"
    )
    parser.add_argument("--out", default=str(ROOT / "faults" / "out"))
    parser.add_argument(
        "--pg-url",
        default=default_pg_url(),
        help="any URL of the PostgreSQL server; the database name is replaced",
    )
    parser.add_argument(
        "--db-name", default="cc_faults", help="dropped and created (must contain 'faults')"
    )
    parser.add_argument(
        "--redis-port",
        type=int,
        default=0,
        help="the port of the suite's own redis-server (default: a free one); never a Redis"
        " that is already running",
    )
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--worker-concurrency", type=int, default=4)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=9,
        help="the worker's CPU weight, as `cpu_shares: 128` in docker-compose.yml",
    )
    parser.add_argument("--sweep-after", type=int, default=None, help="SWEEP_AFTER_SECONDS")
    parser.add_argument("--sweep-interval", type=float, default=None, help="SWEEP_INTERVAL_SECONDS")
    parser.add_argument("--heartbeat", type=float, default=2.0, help="HEARTBEAT_SECONDS")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, of {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    opts = parser.parse_args(argv)
    after, interval = SWEEP["short" if opts.short else "full"]
    opts.sweep_after = opts.sweep_after if opts.sweep_after is not None else after
    opts.sweep_interval = opts.sweep_interval if opts.sweep_interval is not None else interval
    opts.scenarios = set(opts.scenarios.split(","))
    if not opts.scenarios or opts.scenarios - set(SCENARIOS):
        parser.error(f"--scenarios: choose among {', '.join(SCENARIOS)}")
    # SIGTERM / Ctrl-C still stop the processes this script started (finally: in Suite.run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = Suite(opts).run()
    print()
    print(render(results))
    print(f"\n{results['meta']['seconds']} s; results: {Path(opts.out).resolve() / 'results.json'}")
    return 0 if results["passed"] else 1
