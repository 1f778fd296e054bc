"""What every part of the bench shares: paths, the workspace's credentials and numbers, the
contact number blocks, the run sizes, the phases."""

from __future__ import annotations

import sys
from pathlib import Path

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
        broadcast_recipients=5000,
        pacing_s=60,
        import_rows=1_000_000,
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
        broadcast_recipients=200,
        pacing_s=4,
        import_rows=2000,
    ),
}
REFERENCE_PATH = "/bench/one-insert/"
PHASES = ("webhook", "memory", "stop", "check", "send")  # in the order they run
# Broadcasts and imports (bench/phases/campaigns.py): run after the others, and only when asked
# (`--phases all`, as `make bench` does, or by name).
CAMPAIGN_PHASES = ("audience", "broadcast", "pacing", "import")
ALL_PHASES = PHASES + CAMPAIGN_PHASES
STOP_RATE = 200  # inbound messages per second in the STOP phase, 1 in 10 a STOP
