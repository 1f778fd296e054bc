"""The benchmark tooling still runs: `bench/run.py --tiny` (a few hundred requests) against the
configured PostgreSQL and Redis, with its own database and Redis index. Asserts a well-formed
table with plausible values, never a speed."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.support.services import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.services


def _pg_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"


def _run_bench(tmp_path, *args) -> subprocess.CompletedProcess:
    if shutil.which("wrk") is None:
        skip_or_fail("the bench needs wrk (apt-get install wrk)")
    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    return subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--tiny",
            "--out",
            str(tmp_path),
            "--pg-url",
            _pg_url(),
            "--db-name",
            "compliance_bench_smoke",
            "--redis-url",
            broker + "/0",
            "--redis-db",
            "13",
            "--warm-s",
            "1",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_bench_tiny_produces_a_plausible_table(services_env, tmp_path):
    proc = _run_bench(tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "| figure | value | reference (same run) | ratio | target | met |" in proc.stdout

    results = json.loads((tmp_path / "results.json").read_text())
    assert len(results["table"]) == 13
    for row in results["table"]:
        assert set(row) == {"figure", "value", "reference", "ratio", "target", "met"}
        assert row["value"] and "nan" not in row["value"].lower()

    # CPU per process group and for the whole machine, never negative (a PostgreSQL backend
    # that ended during a phase once made the database's figure negative).
    assert results["cpu"]
    for groups in results["cpu"].values():
        assert groups["machine (every process)"] > 0
        assert all(v >= 0 for v in groups.values() if isinstance(v, float))

    f = results["figures"]
    for run in (f["webhook"]["webhook"], f["webhook"]["reference"]):
        assert run["requests"] > 0 and run["rps"] > 0 and run["p99_us"] > 0
        assert run["non_2xx"] == 0
        # What each request cost in CPU, per group: the explanation of every ratio.
        assert run["cpu_ms"]["web"] > 0 and run["cpu_ms"]["machine"] >= run["cpu_ms"]["web"]
    cpu_rows = [r for r in results["table"] if "CPU per request" in r["figure"]]
    assert [r["figure"].split(":")[0] for r in cpu_rows] == ["signed inbound webhook", "API send"]
    assert f["webhook"]["inbound_rows"] >= f["webhook"]["answered_200"] > 0
    # The reference really ran the one-INSERT view (not the webhook): one row per answer,
    # warm-up included.
    assert f["webhook"]["reference_rows"] >= f["webhook"]["reference_answered_200"] > 0

    stop = f["stop"]
    assert stop["stops_sent"] > 0 and stop["answers_not_200"] == 0
    assert stop["lost"] == 0 and stop["enforced"] == stop["stops_sent"]
    assert stop["p99_ms"] >= stop["p50_ms"] >= 0
    assert stop["stop_answer_p99_ms"] >= stop["stop_answer_p50_ms"] > 0
    assert stop["e2e_p99_ms"] >= stop["e2e_p50_ms"] >= stop["p50_ms"]
    assert stop["rate_answered"] > 0 and stop["driver_lag_p99_ms"] >= stop["driver_lag_p50_ms"]
    assert stop["other_answer_p99_ms"] >= stop["other_answer_p50_ms"] > 0

    check = f["check"]
    assert check["server_samples"] > 0 and check["server_p99_ms"] > 0
    assert check["saturated_samples"] > 0 and check["saturated_p99_ms"] > 0
    assert check["http"]["non_2xx"] == 0 and check["http_single"]["non_2xx"] == 0
    assert check["http_single"]["connections"] == 1 and check["http_status"] == 200
    assert check["policy_queries_max"] == 1
    assert check["explain_execution_ms"] and check["explain_execution_ms"] > 0
    assert "Index" in check["explain"]

    send = f["send"]
    assert send["api"]["non_2xx"] == 0 and send["accepted"] > 0
    assert send["sent"] == send["accepted"] and send["sent_per_s"] > 0
    assert send["api"]["cpu_ms"]["web"] > 0 and send["reference"]["cpu_ms"]["web"] > 0

    memory = f["worker_memory"]
    assert memory["processed"] > 0 and memory["start"]["pss_mb"] > 0


def test_one_phase_alone_gives_only_its_rows(services_env, tmp_path):
    proc = _run_bench(tmp_path, "--phases", "stop")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["figures"]) == {"stop"}
    assert [row["figure"].split(" ")[0] for row in results["table"]] == ["STOP", "", "STOPs"]
    stop = results["figures"]["stop"]
    assert stop["lost"] == 0 and stop["enforced"] == stop["stops_sent"] > 0
    assert "seeded" not in proc.stdout  # the million contacts are only for check and send


def test_an_unknown_phase_is_refused(tmp_path):
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--phases", "stop,warp"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--phases" in proc.stderr
