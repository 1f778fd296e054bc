"""Waits on the worker's queues, shared by the phases: inbound rows, outbound messages."""

from __future__ import annotations

import time

from bench import product


class QueuesMixin:
    """Counts of stored and processed inbound rows; waits until the queues have drained."""

    def inbound_counts(self) -> tuple[int, int]:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT count(*), count(processed_at) FROM messaging_inboundmessage")
            return cur.fetchone()

    def wait_outbound_drained(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        in_flight = product.outbound_in_flight()
        while time.monotonic() < deadline:
            if not in_flight.exists():
                return
            time.sleep(0.3)

    def wait_inbound_drained(self) -> None:
        """The next phases are measured on an idle worker, not beside the STOP backlog."""
        deadline = time.monotonic() + self.opts.drain_timeout
        while time.monotonic() < deadline:
            total, processed = self.inbound_counts()
            if processed >= total:
                return
            time.sleep(0.5)
