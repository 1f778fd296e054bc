"""The production topology on this machine, with its own Redis: redis-server (AOF on, its own
port and folder), a fresh PostgreSQL database, gunicorn, one Celery worker, beat and the fake
Twilio, each a process in its own group (bench/processes.py's Proc). The suite may kill -9
Redis and the worker and start them again; nothing else is ever restarted."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.config import BIN, ROOT
from bench.processes import Proc, ProcessesMixin, free_port, wait_http
from faults import product

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "faults-auth-token-0123456789abcdef"


def _port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Topology(ProcessesMixin):
    """The run's processes and how to reach them."""

    def __init__(self, opts, out: Path):
        self.opts = opts
        self.out = out
        self.logdir = out / "logs"
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, Proc] = {}
        self.port = free_port()
        self.public = f"http://127.0.0.1:{self.port}"
        server = urlsplit(opts.pg_url)
        self.pg_admin_url = urlunsplit(server._replace(path="/postgres"))
        self.database_url = urlunsplit(server._replace(path="/" + opts.db_name))
        self.redis_port = opts.redis_port or free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.redis_dir = Path(tempfile.mkdtemp(prefix="faults-redis-"))
        self.twilio_url = "http://127.0.0.1:9"
        self.control_port = 0
        self.starts = {"redis": 0, "worker": 0}  # how many times each was started
        self.schedule = self.logdir / "celerybeat-schedule"

    # ---------------------------------------------------------------- environment

    def env(self, **extra) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CELERY_", "BROKER_"))
            and k not in ("DATABASE_URL", "REDIS_URL")
        }
        env.update(
            DJANGO_SETTINGS_MODULE=product.SETTINGS_MODULE,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            DEBUG="false",
            SECRET_KEY="faults-secret-key-" + "x" * 40,
            FIELD_ENCRYPTION_KEY="ZmF1bHRzLWZpZWxkLWtleS0wMTIzNDU2Nzg5YWJjZGU=",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_BASE_URL=self.public,
            SMS_BACKEND="twilio",
            TWILIO_API_BASE_URL=self.twilio_url,
            SWEEP_AFTER_SECONDS=str(self.opts.sweep_after),
            SWEEP_INTERVAL_SECONDS=str(self.opts.sweep_interval),
            INBOUND_MAX_ATTEMPTS=str(product.MAX_INBOUND_ATTEMPTS),
            HEARTBEAT_SECONDS=str(self.opts.heartbeat),
            SEND_RETRY_BACKOFF="1",
            # The CRM receiver listens on loopback; production refuses private CRM URLs.
            CRM_ALLOW_PRIVATE_URLS="true",
            LOG_LEVEL="INFO",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def log(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    # ---------------------------------------------------------------- database

    def setup_database(self) -> None:
        import psycopg

        name = self.opts.db_name
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "faults" not in name:
            raise SystemExit("--db-name must be a plain identifier containing 'faults'")
        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        subprocess.run(
            [sys.executable, product.MANAGE_PY, "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )

    def drop_database(self) -> None:
        import psycopg

        with (
            contextlib.suppress(Exception),
            psycopg.connect(self.pg_admin_url, autocommit=True) as conn,
        ):
            conn.execute(f"DROP DATABASE IF EXISTS {self.opts.db_name} WITH (FORCE)")

    def connect(self):
        import psycopg

        return psycopg.connect(self.database_url, autocommit=True)

    def create_workspace(self, name: str, numbers: list[str]) -> dict:
        args = [
            sys.executable,
            product.MANAGE_PY,
            "create_workspace",
            "--name",
            name,
            "--admin-email",
            f"{name.lower().replace(' ', '-')}@faults.test",
            "--twilio-account-sid",
            ACCOUNT_SID,
            "--twilio-auth-token",
            AUTH_TOKEN,
            "--json",
        ]
        for number in numbers:
            args += ["--phone-number", number]
        result = subprocess.run(
            args, cwd=ROOT, env=self.env(), check=True, capture_output=True, text=True
        )
        return json.loads(result.stdout)

    # ---------------------------------------------------------------- Redis

    def start_redis(self) -> None:
        """redis-server as docker-compose runs it (`--appendonly yes`), on this run's port and
        folder; started again after a kill with the very same arguments (the AOF is reloaded)."""
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is needed (apt-get install redis-server)")
        if _port_answers(self.redis_port):
            raise SystemExit(f"something already listens on :{self.redis_port}; not our Redis")
        self.starts["redis"] += 1
        name = "redis" if self.starts["redis"] == 1 else f"redis-{self.starts['redis']}"
        args = [
            "redis-server",
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
            "--dir",
            str(self.redis_dir),
            "--save",
            "",
            "--daemonize",
            "no",
        ]
        self.procs["redis"] = Proc(name, args, self.env(), self.logdir)
        self.procs["redis"].wait_for_log("Ready to accept connections", timeout=30)

    def kill_redis(self) -> None:
        """kill -9 of our own redis-server (by its process id, never by name)."""
        self.kill9("redis")

    # ---------------------------------------------------------------- app processes

    def start_fake_twilio(self) -> None:
        proc = Proc(
            "fake_twilio",
            [sys.executable, "faults/fake_twilio_server.py"],
            self.env(),
            self.logdir,
        )
        self.procs["fake_twilio"] = proc
        proc.wait_for_log("CONTROL ")
        words = proc.log_path.read_text().split()
        self.twilio_url = f"http://127.0.0.1:{words[words.index('PORT') + 1]}"
        self.control_port = int(words[words.index("CONTROL") + 1])

    def start_worker(self) -> None:
        """`celery -A compliance_center worker --concurrency=4`, as docker-compose.yml runs it
        (with its CPU weight: nice 9 and the session's autogroup, as `cpu_shares: 128`)."""
        self.starts["worker"] += 1
        n = self.starts["worker"]
        args = [
            "nice",
            "-n",
            str(self.opts.worker_nice),
            str(BIN / "celery"),
            "-A",
            product.CELERY_APP,
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.opts.worker_concurrency}",
        ]
        proc = Proc("worker" if n == 1 else f"worker-{n}", args, self.env(), self.logdir)
        self.procs["worker"] = proc
        proc.set_cpu_weight(self.opts.worker_nice)
        proc.wait_for_log("ready.", timeout=90)

    def start_beat(self) -> None:
        args = [
            str(BIN / "celery"),
            "-A",
            product.CELERY_APP,
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.schedule}",
        ]
        self.procs["beat"] = Proc("beat", args, self.env(), self.logdir)
        self.procs["beat"].wait_for_log("beat: Starting", timeout=60)

    def kill9(self, name: str) -> None:
        """SIGKILL to the whole process group of one of our processes (a worker's pool children
        die with it), and reap it."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait(timeout=10)
        proc.log.close()

    def alive(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.popen.poll() is None

    def start(self) -> None:
        self.log(
            f"database {self.opts.db_name}, redis :{self.redis_port} (AOF in {self.redis_dir})"
        )
        self.start_redis()
        self.setup_database()
        self.start_fake_twilio()

    def start_services(self) -> None:
        """After the workspaces exist: web, worker, beat."""
        self.start_gunicorn()
        self.start_worker()
        self.start_beat()
        self.wait_worker_healthy(since=None, timeout=60)

    def stop_all(self) -> None:
        for name in ("beat", "worker", "gunicorn", "fake_twilio", "redis"):
            if name in self.procs:
                with contextlib.suppress(Exception):
                    self.procs.pop(name).stop()
        shutil.rmtree(self.redis_dir, ignore_errors=True)

    # ---------------------------------------------------------------- logs

    def log_marks(self) -> dict[Path, int]:
        """Where every log of the run ends now (see `logs_since`)."""
        return {path: path.stat().st_size for path in self.logdir.glob("*.log")}

    def logs_since(self, marks: dict[Path, int], prefix: str) -> str:
        """What the logs whose name starts with `prefix` (gunicorn, worker, beat) got since
        `marks`, new log files (a worker started again) whole."""
        text = []
        for path in sorted(self.logdir.glob(f"{prefix}*.log")):
            with path.open("rb") as f:
                f.seek(marks.get(path, 0))
                text.append(f.read().decode(errors="replace"))
        return "".join(text)

    def web_healing_counts(self, marks: dict[Path, int]) -> dict:
        """What the web tier's log says since `marks`: publishes it gave up on (left to the
        sweeper), keyword texts handed to the queue instead of being processed in the request."""
        web = self.logs_since(marks, "gunicorn")
        return {
            "publishes_given_up_by_web": web.count("the sweeper will retry"),
            "keyword_texts_not_processed_inline": web.count("keyword not processed inline"),
        }

    def worker_healing_counts(self, since: float, until: float) -> dict:
        """What the workers' logs say happened between two wall-clock times: rows and messages
        the sweepers found, half-sent messages looked up at Twilio, lost broker connections.
        Read by the time stamps of the lines, once the run is over (a worker's log may lag)."""
        import datetime as dt

        lines = []
        for path in sorted(self.logdir.glob("worker*.log")):
            for line in path.read_text(errors="replace").splitlines():
                m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}):", line)
                if m:
                    at = dt.datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S").timestamp()
                    if since <= at + int(m[2]) / 1000 <= until:
                        lines.append(line)
        worker = "\n".join(lines)
        swept = [
            tuple(int(n) for n in m)
            for m in re.findall(r"swept (\d+) inbound, (\d+) queued, (\d+) half-sent", worker)
        ]
        crm = re.findall(r"webhook_deliveries_sweep\[[^]]+\] succeeded in \S+: (\d+)", worker)
        return {
            "swept_inbound": sum(s[0] for s in swept),
            "swept_queued_messages": sum(s[1] for s in swept),
            "swept_half_sent_messages": sum(s[2] for s in swept),
            "swept_crm_deliveries": sum(int(n) for n in crm),
            "worker_connection_lost": worker.count("Connection to broker lost"),
        }

    # ---------------------------------------------------------------- HTTP

    def http(
        self, method: str, path: str, body: bytes | None = None, headers=None, timeout=15.0
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body, headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def api(self, token: str, method: str, path: str, payload=None) -> tuple[int, object]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self.http(
            method,
            product.API + path,
            body,
            {"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            return status, json.loads(data or b"null")
        except ValueError:
            return status, data.decode(errors="replace")

    def control(self, method: str, path: str, payload=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=15)
        try:
            body = json.dumps(payload).encode() if payload is not None else None
            conn.request(method, path, body, {"Content-Type": "application/json"})
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def twilio_posts(self) -> list[dict]:
        """Every POST the fake Twilio received (to, from, body)."""
        return self.control("GET", "/sent")

    def worker_health(self) -> tuple[int, dict]:
        try:
            status, body = self.http("GET", product.WORKER_HEALTH_PATH, timeout=5)
            return status, json.loads(body)
        except (OSError, ValueError):
            return 0, {}

    def wait_worker_healthy(self, since: float | None, timeout: float) -> float | None:
        """The wall-clock time at which /healthz/worker answered 200 with a heartbeat written
        after `since` (a wall-clock time), or None if it did not within `timeout`."""
        import datetime as dt

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.worker_health()
            if status == 200:
                beats = [
                    dt.datetime.fromisoformat(w["beat_at"]).timestamp()
                    for w in body.get("workers", [])
                ]
                if since is None or any(b >= since for b in beats):
                    return time.time()
            time.sleep(0.25)
        return None

    def watch_worker_healthy(self, since: float, timeout: float = 90) -> dict:
        """Watches /healthz/worker from now on, in a thread: the returned dict gets `at` (the
        wall-clock time it first answered 200 with a heartbeat written after `since`) and
        `done` (an Event)."""
        import threading

        seen: dict = {"at": None, "done": threading.Event()}

        def watch() -> None:
            seen["at"] = self.wait_worker_healthy(since=since, timeout=timeout)
            seen["done"].set()

        threading.Thread(target=watch, daemon=True).start()
        return seen

    def wait_web(self) -> None:
        wait_http(self.port, product.HEALTH_PATH, timeout=30)
