"""The bench: one object per run, and the order of the phases."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.config import ROOT, SIZES
from bench.drivers import DriversMixin
from bench.phases.campaigns import CampaignPhases
from bench.phases.check import CheckPhase
from bench.phases.memory import MemoryPhase
from bench.phases.queues import QueuesMixin
from bench.phases.send import SendPhase
from bench.phases.stop import StopPhase
from bench.phases.webhook import WebhookPhase
from bench.processes import Proc, ProcessesMixin, free_port
from bench.report import table
from bench.seeding import SeedingMixin


class Bench(
    ProcessesMixin,
    SeedingMixin,
    DriversMixin,
    QueuesMixin,
    WebhookPhase,
    MemoryPhase,
    StopPhase,
    CheckPhase,
    SendPhase,
    CampaignPhases,
):
    """One run: its options, processes and results. The methods are grouped by job in the
    mixins (one module each), which share this object's state (opts, size, procs, results,
    port, the URLs, the workspace)."""

    def __init__(self, opts):
        self.opts = opts
        self.size = SIZES["tiny" if opts.tiny else "full"]
        if opts.memory_messages is not None:
            self.size["memory_messages"] = opts.memory_messages
        self.out = Path(opts.out).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.logdir = self.out / "logs"
        self.logdir.mkdir(exist_ok=True)
        self.procs: dict[str, Proc] = {}
        self.results: dict = {"figures": {}, "cpu": {}, "notes": []}
        self.port = free_port()
        self.public = f"http://127.0.0.1:{self.port}"
        server = urlsplit(opts.pg_url)
        self.pg_admin_url = urlunsplit(server._replace(path="/postgres"))
        self.database_url = urlunsplit(server._replace(path="/" + opts.db_name))
        redis = urlsplit(opts.redis_url)
        self.redis_url = urlunsplit(redis._replace(path=f"/{opts.redis_db}"))
        self.seq = 0  # MessageSid counter: every request carries its own

    # ---------------------------------------------------------------- environment

    def env(self, **extra) -> dict:
        from cryptography.fernet import Fernet  # noqa: F401 (dependency of the app)

        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CELERY_")) and k not in ("DATABASE_URL", "REDIS_URL")
        }
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            DEBUG="false",
            SECRET_KEY="bench-secret-key-" + "x" * 40,
            FIELD_ENCRYPTION_KEY="YmVuY2gtZmllbGQta2V5LTAxMjM0NTY3ODlhYmNkZWY=",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_BASE_URL=self.public,
            SMS_BACKEND="twilio",
            TWILIO_API_BASE_URL=getattr(self, "twilio_url", "http://127.0.0.1:9"),
            LOG_LEVEL="WARNING",
            SWEEP_AFTER_SECONDS="600",
            DJANGO_SETTINGS_MODULE="bench.settings",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def log(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def run(self) -> dict:
        started = time.monotonic()
        self.results["meta"] = {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, "bench/run.py", *sys.argv[1:]]),
            "size": "tiny" if self.opts.tiny else "full",
            "nproc": os.cpu_count(),
            "memory_gib": round(
                os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
            ),
            "web_workers": self.opts.web_workers,
            "worker_concurrency": self.opts.worker_concurrency,
            "wrk": f"{self.opts.wrk_threads} thread(s), {self.opts.connections} connections",
            "database": self.opts.db_name,
            "redis": self.redis_url,
        }
        try:
            self.log(f"database {self.opts.db_name}, redis {self.redis_url}")
            self.setup_database()
            self.django_setup()
            self.start_fake_twilio()
            self.create_workspace()
            phases = self.opts.phases
            if phases & {"check", "send", "audience"}:
                self.seed()  # the million contacts; the other phases do not read them
            self.start_gunicorn()
            if phases & {"webhook", "memory"}:
                self.phase_webhook()  # the memory phase stores its rows at the webhook's rate
            if "memory" in phases:
                self.phase_worker_memory()  # starts the worker
            if phases & {"stop", "send"} and "worker" not in self.procs:
                self.start_worker()
            if "stop" in phases:
                self.phase_stop()
            if "check" in phases:
                self.phase_check()
            if "send" in phases:
                self.phase_send()
            if "stop" in phases:
                self.recount_stops()
            if "audience" in phases:
                self.phase_audience()
            if "broadcast" in phases:
                self.phase_broadcast()
            if "pacing" in phases:
                self.phase_pacing()
            if "import" in phases:
                self.phase_import()
        finally:
            self.stop_all()
        self.results["meta"]["seconds"] = round(time.monotonic() - started, 1)
        self.results["table"] = table(self.results)
        (self.out / "results.json").write_text(json.dumps(self.results, indent=2, default=str))
        return self.results
