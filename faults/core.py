"""The suite: one topology, one workspace per scenario, the scenarios in order, the report."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.config import ROOT
from faults.config import SIZES
from faults.report import table
from faults.scenarios.crm_outage import CrmOutage
from faults.scenarios.poison import Poison
from faults.scenarios.redis_kill import RedisKill
from faults.scenarios.twilio_crash import TwilioCrash
from faults.scenarios.worker_kill import WorkerKill
from faults.topology import Topology

# In the order they run; the poison rows are planted first and checked last.
SCENARIOS = {
    "poison": Poison,
    "redis": RedisKill,
    "worker": WorkerKill,
    "crash": TwilioCrash,
    "crm": CrmOutage,
}
ORDER = ["redis", "worker", "crash", "poison", "crm"]  # the table's order (the brief's)
LONG_LIVED = ("gunicorn", "beat", "worker", "fake_twilio", "redis")


class Suite:
    def __init__(self, opts):
        self.opts = opts
        self.size = SIZES["short" if opts.short else "full"]
        self.out = Path(opts.out).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.topology = Topology(opts, self.out)
        # After everything settled: two more sweeps, in case one sends something twice.
        self.grace_seconds = 2 * (opts.sweep_after + opts.sweep_interval) + 1
        chosen = opts.scenarios
        self.scenarios = [cls(self) for key, cls in SCENARIOS.items() if key in chosen]

    def pids(self) -> dict:
        return {
            name: (p.pid if p.popen.poll() is None else None)
            for name, p in self.topology.procs.items()
        }

    def heal(self, scenario, expect: bool = True) -> None:
        """What a person would have to do: start again any process that died and that the
        scenario was not meant to restart itself (gunicorn, beat, the worker, Redis). Recorded
        against the scenario, and the scenario fails."""
        t = self.topology
        for name in LONG_LIVED:
            if t.alive(name):
                continue
            scenario.person_restarts.append(name)
            t.log(f"  {name} is not running: a person would have to start it again")
            if name == "fake_twilio":
                raise SystemExit("the fake Twilio died: the run cannot go on")
            {
                "gunicorn": t.start_gunicorn,
                "beat": t.start_beat,
                "worker": t.start_worker,
                "redis": t.start_redis,
            }[name]()
        if not expect:
            return
        scenario.expect(
            "nobody had to restart anything",
            not scenario.person_restarts,
            ", ".join(scenario.person_restarts) or "nothing was restarted by hand",
        )

    def create_workspaces(self) -> None:
        def make(scenario):
            ws = self.topology.create_workspace(f"Faults {scenario.key}", scenario.numbers())
            ws["numbers"] = scenario.numbers()
            return scenario, ws

        with ThreadPoolExecutor(max_workers=3) as pool:
            for scenario, ws in pool.map(make, self.scenarios):
                scenario.workspace = ws

    def confirmation_texts(self) -> None:
        for scenario in self.scenarios:
            status, settings = self.topology.api(
                scenario.workspace["api_token"], "GET", "compliance-settings"
            )
            if status != 200:
                raise SystemExit(f"compliance-settings answered {status}: {settings}")
            scenario.workspace["confirmation"] = settings["opt_out_confirmation_text"]

    def run(self) -> dict:
        started = time.monotonic()
        t = self.topology
        results: dict = {"meta": self.meta(), "scenarios": []}
        try:
            t.start()
            # The workspaces (manage.py) while web, worker and beat start: they read no row
            # at start.
            with ThreadPoolExecutor(max_workers=2) as pool:
                services = pool.submit(t.start_services)
                self.create_workspaces()
                services.result()
            self.confirmation_texts()
            results["meta"]["setup_seconds"] = round(time.monotonic() - started, 1)
            t.log(f"topology up in {results['meta']['setup_seconds']} s")
            by_key = {s.key: s for s in self.scenarios}
            poison = by_key.get("poison")
            for scenario in self.scenarios:
                t.log(f"scenario {scenario.key}: {scenario.title}")
                began, began_wall = time.monotonic(), time.time()
                marks = t.log_marks()
                try:
                    scenario.run()
                except Exception as exc:  # a broken scenario fails, the others still run
                    scenario.expect("the scenario ran to its end", False, repr(exc))
                    t.log(f"  scenario {scenario.key} broke: {exc!r}")
                if scenario is not poison:
                    scenario.seconds = time.monotonic() - began
                    scenario.figures["healing"] = t.web_healing_counts(marks)
                    scenario.window = (began_wall, time.time())
                self.heal(scenario, expect=scenario is not poison)
            if poison is not None and hasattr(poison, "poison"):
                t.log("scenario poison: the dead letters")
                try:
                    poison.finish()
                except Exception as exc:
                    poison.expect("the scenario ran to its end", False, repr(exc))
                self.heal(poison)
        finally:
            t.stop_all()
            if not self.opts.keep_db:
                t.drop_database()
        for scenario in self.scenarios:
            if getattr(scenario, "window", None):
                scenario.figures["healing"].update(t.worker_healing_counts(*scenario.window))
        results["scenarios"] = [s.result() for key in ORDER for s in self.scenarios if s.key == key]
        results["meta"]["seconds"] = round(time.monotonic() - started, 1)
        results["passed"] = bool(self.scenarios) and all(s.passed for s in self.scenarios)
        results["table"] = table(results)
        (self.out / "results.json").write_text(json.dumps(results, indent=2, default=str))
        return results

    def meta(self) -> dict:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown"
        return {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": commit,
            "command": " ".join([Path(sys.executable).name, "faults/run.py", *sys.argv[1:]]),
            "size": "short" if self.opts.short else "full",
            "nproc": os.cpu_count(),
            "web_workers": self.opts.web_workers,
            "worker_concurrency": self.opts.worker_concurrency,
            "sweep_after_seconds": self.opts.sweep_after,
            "sweep_interval_seconds": self.opts.sweep_interval,
            "heartbeat_seconds": self.opts.heartbeat,
            "database": self.opts.db_name,
            "redis_port": self.topology.redis_port,
        }
