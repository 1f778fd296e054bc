"""5. CRM notifications across a broker outage: a loopback CRM registered through the API,
Redis killed -9, STOPs arrive, Redis started again. Every notification must arrive once, signed
with the endpoint's secret, within a bounded time."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import Counter

from faults import product
from faults.scenarios.base import Scenario
from tests.support.crm_receiver import CrmReceiver


class CrmOutage(Scenario):
    key = "crm"
    title = "CRM deliveries across a broker outage"
    index = 5

    def run(self) -> None:
        n = self.size
        pids = self.suite.pids()
        crm = CrmReceiver().start()
        try:
            self._run(n, pids, crm)
        finally:
            crm.stop()

    def _run(self, n: dict, pids: dict, crm: CrmReceiver) -> None:
        status, endpoint = self.t.api(
            self.workspace["api_token"], "POST", "webhook-endpoints", {"url": crm.url}
        )
        self.expect("the CRM endpoint is registered (201)", status == 201, f"{status}")
        if status != 201:
            return
        secret = endpoint["secret"]
        texts = self.texts(n["crm_stops"], 0)
        self.t.kill_redis()
        killed = time.monotonic()
        self.t.log(f"Redis killed -9; {len(texts)} STOPs over {n['crm_burst_s']} s")
        hooks = self.webhooks()
        answers, _ = hooks.burst(texts, n["crm_burst_s"])
        hooks.close()
        time.sleep(max(0.0, n["redis_down_s"] - (time.monotonic() - killed)))
        back_wall = time.time()
        self.t.start_redis()
        back = time.monotonic()
        watch = self.t.watch_worker_healthy(since=back_wall)
        self.faults.append(
            f"redis kill -9 before the STOPs; started again {back - killed:.1f} s later"
        )
        with self.t.connect() as conn, conn.cursor() as cur:
            pending = product.crm_deliveries(cur, self.workspace["workspace_id"])
        self.notes.append(f"CRM deliveries while Redis was down: {pending}")
        ok = sum(1 for a in answers if a.status == 200)
        deadline = back + n["crm_deadline_s"]
        last = None
        while time.monotonic() < deadline:
            if len({r.headers.get("X-Compliance-Event") for r in crm.received}) >= ok:
                last = time.monotonic() - back
                break
            time.sleep(0.2)
        watch["done"].wait()
        healthy = watch["at"]
        self.figures, took = self.wait_settled(texts, answers, timeout=n["settle_s"])
        received = list(crm.received)
        per_event = Counter(r.headers.get("X-Compliance-Event") for r in received)
        valid = 0
        contacts = set()
        for r in received:
            expected = hmac.new(secret.encode(), r.body, hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, r.headers.get("X-Compliance-Signature", "")):
                valid += 1
            payload = json.loads(r.body)
            if payload.get("type") == "contact.opt_out":
                contacts.add(payload.get("contact"))
        stop_contacts = {t.contact for t in texts}
        with self.t.connect() as conn, conn.cursor() as cur:
            final = product.crm_deliveries(cur, self.workspace["workspace_id"])
        f = self.figures
        f.update(
            {
                "crm_notifications": len(per_event),
                "crm_posts": len(received),
                "crm_duplicates": sum(c - 1 for c in per_event.values()),
                "crm_signatures_valid": valid,
                "crm_delivered_after_s": round(last, 1) if last is not None else None,
                "crm_deliveries": final,
                "worker_consuming_after_s": round(healthy - back_wall, 1) if healthy else None,
                "settled_after_s": round(took, 1) if took is not None else None,
            }
        )
        f["duplicates"] += f["crm_duplicates"]
        f["lost"] += max(0, ok - len(per_event))
        self.expect_burst(f)
        self.expect(
            f"every notification delivered within {n['crm_deadline_s']} s of Redis's return",
            last is not None and contacts >= stop_contacts,
            f"{len(per_event)}/{ok} events after {f['crm_delivered_after_s']} s;"
            f" deliveries {final}",
        )
        self.expect(
            "none delivered twice (by X-Compliance-Event)",
            f["crm_duplicates"] == 0,
            f"{len(received)} POSTs for {len(per_event)} events",
        )
        self.expect(
            "every signature valid (HMAC-SHA256 of the body, the endpoint's secret)",
            valid == len(received) and received,
            f"{valid}/{len(received)}",
        )
        after = self.suite.pids()
        self.expect(
            "the worker is the same process, consuming again",
            after["worker"] == pids["worker"] and healthy is not None,
            f"pid {pids['worker']} -> {after['worker']},"
            f" consuming {f['worker_consuming_after_s']} s after Redis was back",
        )
        self.expect_survivors(pids, after, ("gunicorn", "beat"))
