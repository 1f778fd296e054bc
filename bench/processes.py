"""The processes a run starts (gunicorn, the Celery workers, the fake Twilio), each in its own
process group, and what they cost: process trees, CPU and memory sampling, ports."""

from __future__ import annotations

import contextlib
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import product
from bench.config import BIN, ROOT


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


class ProcessesMixin:
    """Starts and stops the run's processes; CPU snapshots of every group of processes."""

    def start_fake_twilio(self) -> None:
        extra = {}
        if "pacing" in self.opts.phases:  # each send's arrival time and sender, to a file
            self.stamps_path = str(self.out / "stamps.txt")
            extra["BENCH_STAMPS"] = self.stamps_path
        proc = Proc(
            "fake_twilio",
            [sys.executable, "bench/fake_twilio_server.py"],
            self.env(**extra),
            self.logdir,
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
            product.WSGI_APPLICATION,
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
            product.CELERY_APP,
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
                    product.CELERY_APP,
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
        for name in list(self.procs):  # the broadcasts phases' workers
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
