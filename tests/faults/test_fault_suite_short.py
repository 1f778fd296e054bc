"""The fault suite passes: `faults/run.py --short` (about three minutes) starts the production
topology with its own redis-server on its own port and its own PostgreSQL database, kills Redis
and the worker at the worst moments, and must exit 0 with a well-formed results.json: nothing
lost, nothing twice, nothing stuck, no 5xx, nobody restarting anything."""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ["redis", "worker", "crash", "poison", "crm"]  # the table's order

pytestmark = pytest.mark.services


def _pg_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _needs() -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        skip_or_fail("the fault suite needs PostgreSQL (DATABASE_URL)")
    if shutil.which("redis-server") is None:
        skip_or_fail("the fault suite starts its own redis-server (apt-get install redis-server)")


def test_the_short_fault_suite_loses_nothing_and_does_nothing_twice(tmp_path):
    _needs()
    proc = subprocess.run(
        [
            sys.executable,
            "faults/run.py",
            "--short",
            "--out",
            str(tmp_path),
            "--pg-url",
            _pg_url(),
            "--db-name",
            "cc_faults_ci",
            "--redis-port",
            str(_free_port()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "| scenario | STOPs sent | opt-outs at 200 / end |" in proc.stdout

    results = json.loads((tmp_path / "results.json").read_text())
    assert results["passed"] is True
    assert results["meta"]["size"] == "short" and results["meta"]["seconds"] > 0
    assert [s["key"] for s in results["scenarios"]] == SCENARIOS
    assert len(results["table"]) == len(SCENARIOS)
    for row in results["table"]:
        assert row["result"] == "pass" and row["person"] == "no"

    for scenario in results["scenarios"]:
        f = scenario["figures"]
        assert scenario["passed"], scenario["expectations"]
        assert scenario["expectations"] and all(e["ok"] for e in scenario["expectations"])
        assert scenario["person_restarts"] == []
        assert f["lost"] == 0 and f["duplicates"] == 0 and f["stuck"] == 0, scenario
        assert f.get("http_5xx", f.get("api_5xx")) == 0, scenario
        assert f["max_ms"] >= f["p99_ms"] >= f["p50_ms"] > 0

    by_key = {s["key"]: s["figures"] for s in results["scenarios"]}
    for key in ("redis", "worker"):
        f = by_key[key]
        assert f["stops_sent"] == f["opt_outs_at_200"] == f["opt_outs_end"] == 50
        assert f["confirmations_once"] == 50 and f["texts_sent"] == f["texts_processed"] == 50
        assert f["worker_consuming_after_s"] is not None
    crash = by_key["crash"]
    assert crash["sends"] == crash["posted_once"] == crash["sid_matches"] > 0
    poison = by_key["poison"]
    assert poison["dead_letters"] == poison["poison_rows"] == poison["listed_by_api"] > 0
    assert poison["odd_stored"] == poison["odd_sent"] > 0
    crm = by_key["crm"]
    assert crm["crm_notifications"] == crm["crm_signatures_valid"] == crm["stops_sent"] > 0
    assert crm["crm_duplicates"] == 0


def test_an_unknown_scenario_is_refused():
    proc = subprocess.run(
        [sys.executable, "faults/run.py", "--scenarios", "redis,warp"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--scenarios" in proc.stderr
