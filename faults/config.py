"""The run sizes of the fault suite: the full run (`make faults`) and `--short` (CI)."""

SIZES = {
    "full": dict(
        stops=500,  # scenarios 1 and 2: STOPs from new contacts ...
        texts=500,  # ... and ordinary texts from others, interleaved
        burst_s=15,  # paced over this long
        redis_down_s=4,  # Redis killed -9, started again this much later
        worker_down_s=3,  # the worker killed -9, started again this much later
        crash_rounds=3,  # scenario 3: rounds of sends killed in the Twilio call ...
        crash_sends=4,  # ... this many each (one per worker process)
        hold_s=6,  # the fake holds each answer this long
        poison_rows=6,
        crm_stops=50,
        crm_burst_s=5,
        crm_deadline_s=60,  # every CRM notification within this of Redis's return
        settle_s=180,  # the longest wait for everything to be processed and sent
    ),
    "short": dict(
        stops=50,
        texts=50,
        burst_s=5,
        redis_down_s=3,
        worker_down_s=2,
        crash_rounds=1,
        crash_sends=4,
        hold_s=5,
        poison_rows=4,
        crm_stops=20,
        crm_burst_s=3,
        crm_deadline_s=60,
        settle_s=150,
    ),
}
# The sweeper's delay and interval (SWEEP_AFTER_SECONDS, SWEEP_INTERVAL_SECONDS): small, so that
# recovery is quick. A poison row becomes a dead letter after about 16 x SWEEP_AFTER_SECONDS
# (INBOUND_MAX_ATTEMPTS 5: waits of 1, 2, 4 and 8).
SWEEP = {"full": (2, 1), "short": (1, 1)}
