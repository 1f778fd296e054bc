"""Runs the loopback fake of Twilio's Messages API (tests/support/fake_twilio.py) as its own
process, so that its CPU is counted apart; prints `PORT <n>` once it listens."""

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_twilio import FakeTwilio  # noqa: E402


def main() -> None:
    fake = FakeTwilio().start()
    # The recorded requests are not needed here: keep the count, drop the list.
    fake.requests = _Counter()
    print(f"PORT {fake.port}", flush=True)
    threading.Event().wait()


# BENCH_STAMPS: a file where each send is written as "<unix time> <From>" (the pacing phase
# reads each number's rate from it).
_STAMPS_PATH = os.environ.get("BENCH_STAMPS")
_STAMPS = open(_STAMPS_PATH, "a", buffering=1) if _STAMPS_PATH else None  # noqa: SIM115


class _Counter(list):
    def append(self, item) -> None:  # O(1) memory however long the bench runs
        self.sent = getattr(self, "sent", 0) + 1
        if _STAMPS is not None:
            _STAMPS.write(f"{time.time():.6f} {item.from_}\n")


if __name__ == "__main__":
    main()
