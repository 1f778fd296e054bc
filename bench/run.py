"""Benchmarks of the hot paths (issue 5): `make bench`, or `python bench/run.py [--tiny]`.

Runs the production topology on this machine — gunicorn (DEBUG off), PostgreSQL, Redis, a real
Celery worker, the Twilio backend against a loopback fake — drives it with wrk (and a paced
Python driver for the STOP phase), and prints one table: each figure beside its reference
measured in the same run, and the ratio against the target. Results also go to
<out>/results.json. Nothing here asserts speed; tests/test_bench_smoke.py runs it tiny.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "replay.lua"

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
NUMBER_A, NUMBER_B, NUMBER_C = "+14155550100", "+14155550101", "+14155550102"
# Contact number blocks (all valid US numbers): seeded contacts, then fresh ones per phase.
SEEDED = "+1415{:07d}"  # 2,000,000 + i
WEBHOOK = "+1628{:07d}"
STOPS = "+1650{:07d}"
CHATTER = "+1510{:07d}"

SIZES = {
    # name: contacts, opt-outs, seconds per wrk round, STOP-phase seconds, messages for memory
    "full": dict(
        contacts=1_000_000,
        opt_outs=100_000,
        round_s=8,
        rounds=2,
        stop_s=30,
        memory_messages=10_000,
        check_s=8,
        send_s=8,
        checks_inproc=3000,
    ),
    "tiny": dict(
        contacts=2_000,
        opt_outs=200,
        round_s=1,
        rounds=1,
        stop_s=1,
        memory_messages=0,
        check_s=1,
        send_s=1,
        checks_inproc=100,
    ),
}
REFERENCE_PATH = "/bench/one-insert/"
PHASES = ("webhook", "memory", "stop", "check", "send")  # in the order they run
STOP_RATE = 200  # inbound messages per second in the STOP phase, 1 in 10 a STOP


# ------------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process."""
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError):
            pass
    return used


CPU_GROUPS = {"web": "gunicorn", "database": "postgres (all databases)", "worker": "worker"}


def cpu_ms_per_request(cores: dict, wall: float, answered: int) -> dict:
    """CPU milliseconds each group spent per answered request over a wrk run (what a ratio
    between two endpoints comes from), with the whole machine's."""
    groups = {**CPU_GROUPS, "machine": "machine (every process)"}
    return {
        name: round(cores.get(key, 0.0) * wall * 1000 / max(1, answered), 2)
        for name, key in groups.items()
    }


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (every core, not idle or iowait)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


def pids_named(name: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def memory_mb(pids) -> dict:
    """Sum of PSS (shared pages split fairly between processes) and of RSS, in MB."""
    pss = rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            pass
    return {"pss_mb": round(pss / 1024, 1), "rss_mb": round(rss / 1024, 1)}


class Proc:
    """A process this script started, in its own process group (stopped by that id only)."""

    def __init__(self, name: str, args: list[str], env: dict, logdir: Path):
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self.log = self.log_path.open("w")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def set_cpu_weight(self, nice: int) -> None:
        """Gives this process's session the CPU weight of `nice` against the others. Each
        process starts a session of its own, and with the kernel's autogroup scheduling
        (/proc/sys/kernel/sched_autogroup_enabled) the CPU is shared between sessions first: a
        plain `nice` only weighs processes inside one session. This is what `cpu_shares` does
        for a container."""
        # Without autogroup the file is missing, and `nice -n` on the command line does the same.
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.pid}/autogroup").write_text(str(nice))

    def pids(self) -> list[int]:
        return tree(self.pid)

    def wait_for_log(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise SystemExit(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            if needle in self.log_path.read_text():
                return
            time.sleep(0.1)
        tail = self.log_path.read_text()[-3000:]
        raise SystemExit(f"{self.name} not ready in {timeout}s:\n{tail}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def wait_http(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answers 200 on :{port}{path}")


# ------------------------------------------------------------------------------ the bench


class Bench:
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

    # ---------------------------------------------------------------- setup

    def setup_database(self) -> None:
        import psycopg

        name = self.opts.db_name
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name:
            raise SystemExit("--db-name must be a plain identifier containing 'bench'")
        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_reference (id bigserial PRIMARY KEY, payload text NOT NULL,"
                " created_at timestamptz NOT NULL DEFAULT now())"
            )
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def django_setup(self) -> None:
        os.environ.update(self.env())
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def create_workspace(self) -> None:
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "create_workspace",
                "--name",
                "Bench",
                "--admin-email",
                "bench@bench.test",
                "--twilio-account-sid",
                ACCOUNT_SID,
                "--twilio-auth-token",
                AUTH_TOKEN,
                "--phone-number",
                NUMBER_A,
                "--phone-number",
                NUMBER_B,
                "--phone-number",
                NUMBER_C,
                "--json",
            ],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
        )
        ws = json.loads(result.stdout)
        self.workspace_id, self.api_token = ws["workspace_id"], ws["api_token"]
        from optout.services import compliance_settings_update
        from workspaces.models import Workspace

        # Phone-number scope, so that the scope of each seeded opt-out matters to the check.
        compliance_settings_update(
            workspace=Workspace.objects.get(pk=self.workspace_id), opt_out_scope="phone_number"
        )

    def seed(self) -> None:
        """1,000,000 contacts by COPY; every 10th opted out, mixed scope, with its ledger event."""
        from django.db import connection

        n, every = self.size["contacts"], self.size["contacts"] // self.size["opt_outs"]
        ws = self.workspace_id
        t0 = time.monotonic()
        connection.ensure_connection()
        with (
            connection.connection.cursor() as raw,
            raw.copy(
                "COPY messaging_contact (workspace_id, phone, name, created_at) FROM STDIN"
            ) as copy,
        ):
            chunk = []
            for i in range(n):
                chunk.append(f"{ws}\t{SEEDED.format(2_000_000 + i)}\t\t2025-01-01 00:00:00+00\n")
                if len(chunk) == 50_000:
                    copy.write("".join(chunk))
                    chunk = []
            if chunk:
                copy.write("".join(chunk))
        with connection.cursor() as cur:
            cur.execute(
                "SELECT array_agg(id ORDER BY number) FROM workspaces_phonenumber"
                " WHERE workspace_id = %s",
                [ws],
            )
            numbers = cur.fetchone()[0]
            # Opt-outs: contacts whose index is a multiple of `every`. Mixed scope: half inbox,
            # half phone_number, spread over the three numbers.
            cur.execute(
                """
                INSERT INTO optout_consentevent (workspace_id, contact_id, kind, source, scope,
                    phone_number_id, numbers, message_body, reason, created_at)
                SELECT c.workspace_id, c.id, 'opt_out', 'import',
                       CASE WHEN (c.i / %(every)s) %% 2 = 0 THEN 'inbox' ELSE 'phone_number' END,
                       (%(numbers)s::bigint[])[1 + (c.i / %(every)s) %% 3], '[]'::jsonb,
                       'STOP', 'bench seed', now() - interval '1 day'
                FROM (SELECT id, workspace_id, row_number() OVER (ORDER BY id) - 1 AS i
                      FROM messaging_contact WHERE workspace_id = %(ws)s) c
                WHERE c.i %% %(every)s = 0
                """,
                {"ws": ws, "every": every, "numbers": numbers},
            )
            cur.execute(
                """
                INSERT INTO optout_optout (workspace_id, contact_id, phone_number_id, scope,
                    source, event_id, created_at)
                SELECT workspace_id, contact_id, phone_number_id, scope, source, id, created_at
                FROM optout_consentevent WHERE workspace_id = %s AND source = 'import'
                """,
                [ws],
            )
            cur.execute("ANALYZE")
            cur.execute("SELECT count(*) FROM messaging_contact WHERE workspace_id = %s", [ws])
            contacts = cur.fetchone()[0]
            cur.execute(
                "SELECT scope, count(*) FROM optout_optout WHERE workspace_id = %s GROUP BY 1", [ws]
            )
            scopes = dict(cur.fetchall())
        self.results["seed"] = {
            "contacts": contacts,
            "opt_outs": scopes,
            "seconds": round(time.monotonic() - t0, 1),
        }
        self.log(f"seeded {contacts} contacts, opt-outs {scopes} in {time.monotonic() - t0:.1f}s")

    # ---------------------------------------------------------------- processes

    def start_fake_twilio(self) -> None:
        proc = Proc(
            "fake_twilio", [sys.executable, "bench/fake_twilio_server.py"], self.env(), self.logdir
        )
        self.procs["fake_twilio"] = proc
        proc.wait_for_log("PORT ")
        port = int(proc.log_path.read_text().split("PORT ")[1].split()[0])
        self.twilio_url = f"http://127.0.0.1:{port}"

    def start_gunicorn(self, access_log: bool = False) -> None:
        if "gunicorn" in self.procs:
            self.procs.pop("gunicorn").stop()
        args = [
            str(BIN / "gunicorn"),
            "compliance_center.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.opts.web_workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        if access_log:
            self.access_log = self.logdir / "access.log"
            self.access_log.write_text("")
            args += [
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
            ]
        self.procs["gunicorn"] = Proc("gunicorn", args, self.env(), self.logdir)
        wait_http(self.port)
        # Warm every worker (imports, first connection) before anything is measured.
        for _ in range(self.opts.web_workers * 4):
            wait_http(self.port)

    def start_worker(self) -> None:
        # Nice 9 is about an eighth of the CPU weight (137 against 1024), as `cpu_shares: 128` in
        # docker-compose.yml: set on the command line and on the session (set_cpu_weight), which
        # is what counts with autogroup.
        args = [
            "nice",
            "-n",
            str(self.opts.worker_nice),
            str(BIN / "celery"),
            "-A",
            "compliance_center",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.opts.worker_concurrency}",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        self.procs["worker"] = Proc("worker", args, self.env(), self.logdir)
        self.procs["worker"].set_cpu_weight(self.opts.worker_nice)
        self.procs["worker"].wait_for_log("ready.")
        if self.opts.keyword_worker:
            # As docker-compose.yml runs it: one small worker that only takes keyword texts, so a
            # STOP never waits for a free process behind a campaign's replies.
            self.procs["worker-keywords"] = Proc(
                "worker-keywords",
                [
                    str(BIN / "celery"),
                    "-A",
                    "compliance_center",
                    "worker",
                    "--loglevel=INFO",
                    "-Q",
                    "keywords",
                    "--concurrency=2",
                    "-n",
                    "keywords@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                self.env(),
                self.logdir,
            )
            self.procs["worker-keywords"].wait_for_log("ready.")
        time.sleep(1.0)  # let the pool children finish starting

    def stop_all(self) -> None:
        for name in ("worker-keywords", "worker", "gunicorn", "fake_twilio"):
            if name in self.procs:
                self.procs.pop(name).stop()

    # ---------------------------------------------------------------- CPU accounting

    def cpu_snapshot(self) -> dict:
        snap = {name: cpu_seconds(p.pids()) for name, p in self.procs.items()}
        snap["postgres (all databases)"] = cpu_seconds(pids_named("postgres"))
        snap["redis"] = cpu_seconds(pids_named("redis-server"))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        snap["bench/run.py"] = {0: usage.ru_utime + usage.ru_stime}
        snap["machine (every process)"] = {0: machine_busy_seconds()}
        snap["_t"] = time.monotonic()
        return snap

    def cpu_record(self, phase: str, before: dict, after: dict, extra: dict | None = None) -> None:
        """Cores each group used on average over the phase. Per process, so that a process that
        started or ended during the phase (a PostgreSQL backend) cannot make a group negative;
        what an ended process used is missing, the machine's line has everything."""
        wall = after["_t"] - before["_t"]
        cores = {
            k: round(sum(t - before[k].get(pid, 0.0) for pid, t in after[k].items()) / wall, 2)
            for k in after
            if k != "_t" and k in before
        }
        cores.update(extra or {})
        self.results["cpu"][phase] = cores

    # ---------------------------------------------------------------- request files

    def sid(self) -> str:
        self.seq += 1
        return f"SMbench{self.seq:026d}"

    def inbound(self, body: str, from_: str, to: str = NUMBER_A) -> tuple[str, str]:
        """(body, signature) of a signed inbound webhook with its own MessageSid."""
        from twilio.request_validator import RequestValidator

        params = {
            "MessageSid": self.sid(),
            "AccountSid": ACCOUNT_SID,
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
        }
        if not hasattr(self, "_validator"):
            self._validator = RequestValidator(AUTH_TOKEN)
        signature = self._validator.compute_signature(self.public + "/webhooks/twilio/sms/", params)
        return urlencode(params), signature

    def webhook_file(self, count: int, name: str, target: str = "/webhooks/twilio/sms/") -> Path:
        """Signed inbound webhooks, each with its own MessageSid, POSTed to `target` (the
        webhook, or the one-INSERT reference with the very same bodies)."""
        path = self.out / f"{name}.requests"
        form = "application/x-www-form-urlencoded"
        with path.open("w") as f:
            for _ in range(count):
                i = self.seq
                body, signature = self.inbound(
                    f"Hi, is this open today? #{i}", WEBHOOK.format(2_000_000 + i % 8_000_000)
                )
                f.write(f"POST\t{target}\t{form}\t{signature}\t{body}\n")
        return path

    def reference_file(self, count: int, name: str) -> Path:
        return self.webhook_file(count, name, target=REFERENCE_PATH)

    def wrk(
        self,
        path: Path,
        url_path: str,
        seconds: float,
        connections: int,
        auth: str = "",
        label: str = "",
    ) -> dict:
        # replay.lua sends each request to the path written in the file: refuse a mix-up.
        with path.open() as f:
            first = f.readline().split("\t")
        if len(first) < 2 or urlsplit(first[1]).path != urlsplit(url_path).path:
            raise SystemExit(f"{path.name} targets {first[1:2]}, not {url_path}")
        args = [
            "wrk",
            "-t",
            str(self.opts.wrk_threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self.port}{url_path}",
            "--",
            str(path),
            auth,
            str(self.opts.wrk_threads),
        ]
        before = self.cpu_snapshot()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        output = proc.stdout.read()
        proc.returncode = os.waitstatus_to_exitcode(status)
        after = self.cpu_snapshot()
        line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if proc.returncode != 0 or line is None:
            raise SystemExit(f"wrk failed ({proc.returncode}):\n{output}")
        result = json.loads(line.removeprefix("BENCH_JSON "))
        result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
        result["connections"] = connections
        ok = result["requests"] - result["non_2xx"]
        result["ok_rps"] = ok / (result["duration_us"] / 1e6)
        if label:
            wall = after["_t"] - before["_t"]
            self.cpu_record(
                label, before, after, {"wrk": round((usage.ru_utime + usage.ru_stime) / wall, 2)}
            )
            result["cpu_ms"] = cpu_ms_per_request(self.results["cpu"][label], wall, ok)
        return result

    def warm(self, path: Path, url_path: str, auth: str = "") -> None:
        """An unmeasured burst: every gunicorn worker imports and connects before timing."""
        self.wrk(path, url_path, self.opts.warm_s, self.opts.connections, auth=auth)

    # ---------------------------------------------------------------- phase 1: webhook

    def phase_webhook(self) -> None:
        """Signed inbound webhook vs the one-INSERT reference, interleaved rounds, worker off."""
        from django.db import connection

        s = self.size
        per_round = int(s["round_s"] * self.opts.max_rps)
        refs, hooks = [], []
        warm_n = int(self.opts.warm_s * self.opts.max_rps)
        self.warm(self.reference_file(warm_n, "warm-reference"), REFERENCE_PATH)
        self.warm(self.webhook_file(warm_n, "warm-webhook"), "/webhooks/twilio/sms/")
        for r in range(s["rounds"]):
            ref_file = self.reference_file(per_round, f"reference-{r}")
            hook_file = self.webhook_file(per_round, f"webhook-{r}")
            refs.append(
                self.wrk(
                    ref_file,
                    REFERENCE_PATH,
                    s["round_s"],
                    self.opts.connections,
                    label=f"reference round {r + 1}",
                )
            )
            hooks.append(
                self.wrk(
                    hook_file,
                    "/webhooks/twilio/sms/",
                    s["round_s"],
                    self.opts.connections,
                    label=f"webhook round {r + 1}",
                )
            )
            self.log(
                f"round {r + 1}: reference {refs[-1]['rps']:.0f}/s, "
                f"webhook {hooks[-1]['rps']:.0f}/s"
            )
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM messaging_inboundmessage")
            stored = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM bench_reference")
            reference_rows = cur.fetchone()[0]
        ok = sum(h["requests"] - h["non_2xx"] for h in hooks)
        best_ref = max(refs, key=lambda x: x["rps"])
        best_hook = max(hooks, key=lambda x: x["rps"])
        self.results["figures"]["webhook"] = {
            "reference": best_ref,
            "webhook": best_hook,
            "rounds_reference": refs,
            "rounds_webhook": hooks,
            "answered_200": ok,
            "inbound_rows": stored,
            "reference_answered_200": sum(r["requests"] - r["non_2xx"] for r in refs),
            "reference_rows": reference_rows,
            "throughput_ratio": best_hook["rps"] / best_ref["rps"],
            "p99_ratio": best_hook["p99_us"] / best_ref["p99_us"],
        }
        if any(h["non_2xx"] or h["wrapped"] for h in hooks + refs):
            self.results["notes"].append("webhook phase: non-2xx answers or replayed requests")

    # ---------------------------------------------------------------- phase 2: memory

    def inbound_counts(self) -> tuple[int, int]:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT count(*), count(processed_at) FROM messaging_inboundmessage")
            return cur.fetchone()

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

    def wait_outbound_drained(self, timeout: float = 120) -> None:
        from django.db.models import Q

        from messaging.models import Message

        deadline = time.monotonic() + timeout
        in_flight = Q(status="queued") | Q(status="sending", provider_sid__isnull=True)
        while time.monotonic() < deadline:
            if not Message.objects.filter(in_flight).exists():
                return
            time.sleep(0.3)

    # ---------------------------------------------------------------- phase 3: STOP → enforced

    def phase_stop(self) -> None:
        """Inbound at 200/s, 1 in 10 a STOP from a new contact; time until sends are refused."""
        from django.db import connection

        from optout.selectors import block_for

        total = int(STOP_RATE * self.size["stop_s"])
        plan = []  # (is_stop, contact, body, signature)
        for i in range(total):
            if i % 10 == 9:
                contact = STOPS.format(2_000_000 + i)
                body, sig = self.inbound(
                    random.choice(["STOP", "Stop.", "stop", "UNSUBSCRIBE"]), contact
                )
                plan.append((True, contact, body, sig))
            else:
                contact = CHATTER.format(2_000_000 + i % 500)  # ongoing conversations
                body, sig = self.inbound(f"Thanks, see you at {i % 12 + 1}pm", contact)
                plan.append((False, contact, body, sig))
        pending: dict[str, tuple[float, float]] = {}  # STOP contact -> (request sent, answered)
        # STOP contact -> seconds until refused: (from the answer, the figure; from the
        # request, end to end)
        enforced: dict[str, tuple[float, float]] = {}
        lock = threading.Lock()
        answers = {"ok": 0, "bad": 0, "late": 0}  # late: answered > 100 ms after due
        answer_times: dict[bool, list[float]] = {True: [], False: []}  # STOP?, request -> 200
        driver_lag: list[float] = []  # due -> request started (a thread of this script was free)
        last_answer = [0.0]
        sending_done = threading.Event()

        def post(item, due):
            is_stop, contact, body, sig = item
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            started = time.monotonic()
            try:
                conn.request(
                    "POST",
                    "/webhooks/twilio/sms/",
                    body,
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": sig,
                    },
                )
                response = conn.getresponse()
                response.read()
                answered = time.monotonic()
                status = response.status
            except OSError:
                status, answered = 0, time.monotonic()
            finally:
                conn.close()
            with lock:
                answers["ok" if status == 200 else "bad"] += 1
                if answered - due > 1.0 / STOP_RATE * 20:
                    answers["late"] += 1
                if status == 200:
                    answer_times[is_stop].append(answered - started)
                driver_lag.append(started - due)
                last_answer[0] = max(last_answer[0], answered)
                if is_stop and status == 200:
                    pending[contact] = (started, answered)

        def poll():
            # One batched query per tick finds the STOPs that now have an opt-out; each is then
            # confirmed with the send path's own policy check (block_for).
            from django.db import connections

            conn = connections.create_connection("default")
            while True:
                with lock:
                    waiting = list(pending)
                if not waiting and sending_done.is_set():
                    break
                if waiting:
                    t = time.monotonic()
                    with conn.cursor() as cur:
                        # c.workspace_id: the contact index is (workspace, phone); without it
                        # this was a parallel scan of the million contacts every 5 ms, which
                        # took a core from the server (docs/benchmarks.md, item 20).
                        cur.execute(
                            "SELECT c.phone FROM optout_optout o JOIN messaging_contact c"
                            " ON c.id = o.contact_id WHERE o.workspace_id = %s"
                            " AND c.workspace_id = %s AND c.phone = ANY(%s)",
                            [self.workspace_id, self.workspace_id, waiting],
                        )
                        found = [r[0] for r in cur.fetchall()]
                    for phone in found:
                        if (
                            block_for(
                                workspace_id=self.workspace_id, contact_phone=phone, number=NUMBER_A
                            )
                            is not None
                        ):
                            with lock:
                                sent, answered = pending.pop(phone)
                                enforced[phone] = (max(t - answered, 0.0), t - sent)
                if time.monotonic() > deadline_all:
                    break
                time.sleep(self.opts.poll_ms / 1000)
            conn.close()
            connection.close()

        before = self.cpu_snapshot()
        poller = threading.Thread(target=poll, daemon=True)
        deadline_all = time.monotonic() + self.size["stop_s"] + self.opts.stop_wait + 60
        poller.start()
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for i, item in enumerate(plan):
                due = start + i / STOP_RATE
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(post, item, due)
            sent_for = time.monotonic() - start + 1 / STOP_RATE
        deadline_all = time.monotonic() + self.opts.stop_wait
        sending_done.set()
        poller.join()
        after = self.cpu_snapshot()
        self.cpu_record("STOP phase (200 msg/s)", before, after)
        stops = sum(1 for p in plan if p[0])
        latencies = sorted(from_answer for from_answer, _ in enforced.values())
        end_to_end = sorted(from_request for _, from_request in enforced.values())
        # Count every STOP in the database: an opt-out row and a ledger event for each contact.
        stop_contacts = [p[1] for p in plan if p[0]]
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(DISTINCT c.phone) FROM optout_optout o JOIN messaging_contact c"
                " ON c.id = o.contact_id WHERE c.workspace_id = %s AND c.phone = ANY(%s)",
                [self.workspace_id, stop_contacts],
            )
            opted_out = cur.fetchone()[0]
            cur.execute(
                "SELECT count(DISTINCT c.phone) FROM optout_consentevent e JOIN messaging_contact c"
                " ON c.id = e.contact_id WHERE e.kind = 'opt_out' AND c.workspace_id = %s"
                " AND c.phone = ANY(%s)",
                [self.workspace_id, stop_contacts],
            )
            events = cur.fetchone()[0]
        self.stop_contacts = stop_contacts
        refused = self.api_sends_refused(random.sample(stop_contacts, min(20, len(stop_contacts))))
        self.results["figures"]["stop"] = {
            "rate_target": STOP_RATE,
            "rate_achieved": len(plan) / sent_for,
            # What the server really answered: all requests over the time to the last answer.
            "rate_answered": answers["ok"] / (last_answer[0] - start) if answers["ok"] else 0.0,
            "driver_lag_p50_ms": pct(sorted(driver_lag), 50) * 1000,
            "driver_lag_p99_ms": pct(sorted(driver_lag), 99) * 1000,
            "inbound": len(plan),
            "stops_sent": stops,
            "answered_200": answers["ok"],
            "answers_not_200": answers["bad"],
            "sent_late": answers["late"],
            "enforced": len(latencies),
            "opt_out_rows": opted_out,
            "consent_events": events,
            "lost": stops - opted_out,
            "p50_ms": pct(latencies, 50) * 1000,
            "p99_ms": pct(latencies, 99) * 1000,
            "max_ms": (latencies[-1] * 1000) if latencies else 0.0,
            "e2e_p50_ms": pct(end_to_end, 50) * 1000,
            "e2e_p99_ms": pct(end_to_end, 99) * 1000,
            # A keyword text is processed inside its webhook request: how long the answer takes.
            "stop_answer_p50_ms": pct(sorted(answer_times[True]), 50) * 1000,
            "stop_answer_p99_ms": pct(sorted(answer_times[True]), 99) * 1000,
            "other_answer_p50_ms": pct(sorted(answer_times[False]), 50) * 1000,
            "other_answer_p99_ms": pct(sorted(answer_times[False]), 99) * 1000,
            "poll_ms": self.opts.poll_ms,
            "api_send_refused": refused,
        }
        self.log(
            f"STOP phase: {len(latencies)}/{stops} enforced, p50 {pct(latencies, 50) * 1000:.0f}"
            f" ms, p99 {pct(latencies, 99) * 1000:.0f} ms"
        )
        self.wait_inbound_drained()
        self.wait_outbound_drained()

    def wait_inbound_drained(self) -> None:
        """The next phases are measured on an idle worker, not beside the STOP backlog."""
        deadline = time.monotonic() + self.opts.drain_timeout
        while time.monotonic() < deadline:
            total, processed = self.inbound_counts()
            if processed >= total:
                return
            time.sleep(0.5)

    def recount_stops(self) -> None:
        """After every queue has drained: a STOP still without its opt-out is lost, not late."""
        from django.db import connection

        self.wait_outbound_drained(timeout=self.opts.drain_timeout)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(DISTINCT c.phone) FROM optout_optout o JOIN messaging_contact c"
                " ON c.id = o.contact_id WHERE c.workspace_id = %s AND c.phone = ANY(%s)",
                [self.workspace_id, self.stop_contacts],
            )
            final = cur.fetchone()[0]
        stop = self.results["figures"]["stop"]
        stop["opt_out_rows_final"] = final
        stop["lost"] = stop["stops_sent"] - final
        stop["late_beyond_wait"] = stop["stops_sent"] - stop["enforced"]

    def api_sends_refused(self, contacts: list[str]) -> str:
        refused = 0
        for contact in contacts:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request(
                "POST",
                "/api/v1/messages",
                json.dumps({"from": NUMBER_A, "to": contact, "body": "Sale today!"}),
                {"Content-Type": "application/json", "Authorization": f"Token {self.api_token}"},
            )
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            if response.status == 422 and b"recipient_opted_out" in payload:
                refused += 1
        return f"{refused}/{len(contacts)}"

    # ---------------------------------------------------------------- phase 4: opt-out check

    def phase_check(self) -> None:
        """GET opt-outs/check over the seeded million (server-side time from gunicorn's log),
        the send service's policy check in-process, queries per check, and EXPLAIN ANALYZE."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from optout.selectors import block_for

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

    # ---------------------------------------------------------------- phase 5: API send

    def phase_send(self) -> None:
        """POST /api/v1/messages to contacts without an opt-out; worker sends to the fake Twilio."""
        from django.db import connection

        n = self.size["contacts"]
        every = n // self.size["opt_outs"]
        count = int(self.size["send_s"] * self.opts.max_rps)
        path = self.out / "send.requests"
        rnd = random.Random(7)
        with path.open("w") as f:
            for k in range(count):
                p = rnd.randrange(n) | 1
                if p % every == 0:
                    p += 1
                body = json.dumps(
                    {
                        "from": NUMBER_A,
                        "to": SEEDED.format(2_000_000 + p),
                        "body": f"Your order #{k} has shipped.",
                    }
                )
                f.write(f"POST\t/api/v1/messages\tapplication/json\t\t{body}\n")
        warm_path = self.out / "send-warm.requests"
        lines = path.read_text().splitlines(keepends=True)
        warm_path.write_text("".join(lines[-int(self.opts.warm_s * 300) :]))
        self.warm(
            self.reference_file(int(self.opts.warm_s * self.opts.max_rps), "warm-send"),
            REFERENCE_PATH,
        )
        self.warm(warm_path, "/api/v1/messages", auth=f"Token {self.api_token}")
        self.wait_outbound_drained(timeout=self.opts.drain_timeout)
        ref = self.wrk(
            self.reference_file(count, "reference-send"),
            REFERENCE_PATH,
            self.size["send_s"],
            self.opts.connections,
            label="reference (worker running)",
        )
        with connection.cursor() as cur:
            cur.execute("SELECT coalesce(max(id), 0) FROM messaging_message")
            first_id = cur.fetchone()[0]
        wall0 = time.time()
        result = self.wrk(
            path,
            "/api/v1/messages",
            self.size["send_s"],
            self.opts.connections,
            auth=f"Token {self.api_token}",
            label="API send (worker running)",
        )
        t0 = time.monotonic()
        before = self.cpu_snapshot()
        self.wait_outbound_drained(timeout=self.opts.drain_timeout)
        self.cpu_record("API send: worker drains", before, self.cpu_snapshot())
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*), count(*) FILTER (WHERE provider_sid IS NOT NULL),"
                " count(*) FILTER (WHERE status = 'queued'),"
                " extract(epoch FROM max(updated_at) FILTER (WHERE provider_sid IS NOT NULL))"
                " FROM messaging_message WHERE id > %s AND source = 'api'",
                [first_id],
            )
            accepted, sent, still_queued, last = cur.fetchone()
        elapsed = (float(last) - wall0) if last else (time.monotonic() - t0)
        self.results["figures"]["send"] = {
            "reference": ref,
            "api": result,
            "accepted": accepted,
            "sent": sent,
            "still_queued": still_queued,
            "accepted_per_s": result["ok_rps"],
            "sent_per_s": sent / elapsed if elapsed > 0 else 0.0,
            "sent_seconds": round(elapsed, 2),
            "accepted_ratio": result["ok_rps"] / ref["rps"],
        }
        self.results["figures"]["send"]["sent_ratio"] = (
            self.results["figures"]["send"]["sent_per_s"] / ref["rps"]
        )
        self.log(
            f"API send: accepted {result['ok_rps']:.0f}/s, sent {sent} in {elapsed:.1f}s; "
            f"reference {ref['rps']:.0f}/s"
        )

    # ---------------------------------------------------------------- run

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
            if phases & {"check", "send"}:
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
        finally:
            self.stop_all()
        self.results["meta"]["seconds"] = round(time.monotonic() - started, 1)
        self.results["table"] = table(self.results)
        (self.out / "results.json").write_text(json.dumps(self.results, indent=2, default=str))
        return self.results


def pct(values: list, p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _ms(us: float) -> str:
    return f"{us / 1000:.2f} ms"


def table(results: dict) -> list[dict]:
    """Rows of the one table: figure, value, reference in the same run, ratio, target, met; only
    for the phases that ran (`--phases`)."""
    f = results["figures"]
    rows = []
    if "webhook" in f:
        rows += _webhook_rows(f["webhook"])
    if "stop" in f:
        rows += _stop_rows(f["stop"])
    if "check" in f:
        rows += _check_rows(f["check"])
    if "send" in f:
        rows += _send_rows(f["send"])
    if "worker_memory" in f:
        rows.append(memory_row(f["worker_memory"]))
    return rows


def _webhook_rows(w: dict) -> list[dict]:
    rows = []
    hook, ref = w["webhook"], w["reference"]
    rows.append(
        dict(
            figure="signed inbound webhook: requests/s",
            value=f"{hook['rps']:.0f}/s",
            reference=f"one-INSERT view {ref['rps']:.0f}/s",
            ratio=f"{w['throughput_ratio']:.2f}x",
            target=">= 0.80x",
            met=w["throughput_ratio"] >= 0.8,
        )
    )
    rows.append(
        dict(
            figure="signed inbound webhook: p50 / p99",
            value=f"{_ms(hook['p50_us'])} / {_ms(hook['p99_us'])}",
            reference=f"{_ms(ref['p50_us'])} / {_ms(ref['p99_us'])}",
            ratio=f"p99 {w['p99_ratio']:.2f}x",
            target="p99 <= 2x",
            met=w["p99_ratio"] <= 2.0,
        )
    )
    rows += _cpu_rows("signed inbound webhook", hook, ref)
    return rows


def _cpu_rows(what: str, measured: dict, reference: dict) -> list[dict]:
    """Where a throughput ratio comes from: the CPU each request costs, beside the reference's."""
    if "cpu_ms" not in measured or "cpu_ms" not in reference:
        return []
    mine, ref = measured["cpu_ms"], reference["cpu_ms"]

    def show(cpu: dict) -> str:
        return f"{cpu['web']:.1f} / {cpu['database']:.1f} / {cpu['machine']:.1f} ms"

    return [
        dict(
            figure=f"{what}: CPU per request, web / database / machine",
            value=show(mine),
            reference=show(ref),
            ratio=f"web {mine['web'] / ref['web']:.1f}x" if ref["web"] else "-",
            target="-",
            met=None,
        )
    ]


def _stop_rows(s: dict) -> list[dict]:
    rows = []
    rows.append(
        dict(
            figure=(
                f"STOP -> enforced at {s['rate_achieved']:.0f} msg/s sent, "
                f"{s['rate_answered']:.0f}/s answered (1 in 10 STOP): p50 / p99"
            ),
            value=f"{s['p50_ms']:.0f} ms / {s['p99_ms']:.0f} ms",
            reference="-",
            ratio="-",
            target="p99 < 250 ms",
            # The target holds at 200 inbound/s: a run the server answered more slowly is no proof.
            met=s["p99_ms"] < 250 and s["enforced"] > 0 and s["rate_answered"] >= 0.95 * STOP_RATE,
        )
    )
    rows.append(
        dict(
            figure="  end to end: STOP request sent -> enforced, p50 / p99",
            value=f"{s['e2e_p50_ms']:.0f} ms / {s['e2e_p99_ms']:.0f} ms",
            reference=(
                f"answers p50 / p99: STOP {s['stop_answer_p50_ms']:.0f} / "
                f"{s['stop_answer_p99_ms']:.0f} ms, other texts {s['other_answer_p50_ms']:.0f} / "
                f"{s['other_answer_p99_ms']:.0f} ms"
            ),
            ratio="-",
            target="(includes waiting for a free web worker)",
            met=None,
        )
    )
    rows.append(
        dict(
            figure="STOPs sent / enforced within the wait / lost at the end (API send refused)",
            value=f"{s['stops_sent']} / {s['enforced']} / {s['lost']} ({s['api_send_refused']})",
            reference="-",
            ratio="-",
            target="0 lost",
            met=s["lost"] == 0 and s["stops_sent"] > 0,
        )
    )
    return rows


def _check_rows(c: dict) -> list[dict]:
    rows = []
    rows.append(
        dict(
            figure="opt-out check (GET opt-outs/check), one at a time: server-side p50 / p99",
            value=f"{c['server_p50_ms']:.2f} ms / {c['server_p99_ms']:.2f} ms",
            reference=f"EXPLAIN ANALYZE {c['explain_execution_ms']} ms",
            ratio=f"{c['http_single']['rps']:.0f} checks/s",
            target="p99 < 5 ms",
            met=0 < c["server_p99_ms"] < 5,
        )
    )
    rows.append(
        dict(
            figure=f"opt-out check at saturation ({c['http']['connections']} connections): "
            "server-side p50 / p99",
            value=f"{c['saturated_p50_ms']:.2f} ms / {c['saturated_p99_ms']:.2f} ms",
            reference="-",
            ratio=f"{c['http']['rps']:.0f} checks/s",
            target="(throughput; latency includes waiting for a CPU)",
            met=None,
        )
    )
    rows.append(
        dict(
            figure="send policy check (block_for): p50 / p99, queries per check",
            value=f"{c['policy_p50_ms']:.2f} ms / {c['policy_p99_ms']:.2f} ms, "
            f"{c['policy_queries_max']} query",
            reference=f"EXPLAIN ANALYZE {c['explain_execution_ms']} ms",
            ratio=f"HTTP check: {c['http_queries']} queries",
            target="1 indexed query, p99 < 5 ms",
            met=c["policy_queries_max"] == 1
            and not re.search(r"Seq Scan on (messaging_contact|optout_optout)", c["explain"])
            and c["policy_p99_ms"] < 5,
        )
    )
    return rows


def _send_rows(d: dict) -> list[dict]:
    rows = []
    rows.append(
        dict(
            figure="API send (POST /api/v1/messages): accepted/s",
            value=f"{d['accepted_per_s']:.0f}/s",
            reference=f"one-INSERT view {d['reference']['rps']:.0f}/s",
            ratio=f"{d['accepted_ratio']:.2f}x",
            target=">= 0.50x",
            met=d["accepted_ratio"] >= 0.5,
        )
    )
    rows += _cpu_rows("API send", d["api"], d["reference"])
    rows.append(
        dict(
            figure="API send: end-to-end sent/s (fake Twilio)",
            value=f"{d['sent_per_s']:.0f}/s ({d['sent']}/{d['accepted']} sent)",
            reference=f"one-INSERT view {d['reference']['rps']:.0f}/s",
            ratio=f"{d['sent_ratio']:.2f}x",
            target=">= 0.50x",
            met=d["sent_ratio"] >= 0.5,
        )
    )
    return rows


def memory_row(m: dict) -> dict:
    return dict(
        figure=f"worker memory (PSS, {m['concurrency']} children) after {m['processed']} inbound",
        value=f"{m['end']['pss_mb']:.0f} MB (+{m['growth_pss_mb']:.1f} MB)",
        reference=f"after start-up {m['start']['pss_mb']:.0f} MB",
        ratio=f"{m['inbound_per_s']:.0f} inbound/s",
        target="grows < 50 MB",
        met=m["growth_pss_mb"] < 50 and m["processed"] > 0,
    )


def render(results: dict) -> str:
    rows = results["table"]
    head = ["figure", "value", "reference (same run)", "ratio", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    r["figure"],
                    r["value"],
                    r["reference"],
                    r["ratio"],
                    r["target"],
                    "-" if r["met"] is None else "yes" if r["met"] else "**no**",
                ]
            )
            + " |"
        )
    meta = results["meta"]
    lines.append("")
    lines.append(
        f"{meta['date']} · {meta['nproc']} cores, {meta['memory_gib']} GiB · "
        f"gunicorn {meta['web_workers']} sync workers · celery prefork "
        f"{meta['worker_concurrency']} · wrk {meta['wrk']} · {meta['seconds']} s"
    )
    return "\n".join(lines)


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
        help=f"comma-separated, of {', '.join(PHASES)}; the million contacts are seeded only "
        "for check and send (a STOP-only run: --phases stop)",
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
    if not opts.phases or opts.phases - set(PHASES):
        parser.error(f"--phases: choose among {', '.join(PHASES)}")
    # SIGTERM / Ctrl-C still stop the processes this script started (finally: in Bench.run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    results = Bench(opts).run()
    print()
    print(render(results))
    print(f"\nresults: {Path(opts.out).resolve() / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
