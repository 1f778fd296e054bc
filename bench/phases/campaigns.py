"""The broadcasts and imports phases (issue 15), not in the default run (`--phases all` or
`make bench` runs them):

- audience: resolving and storing a broadcast's recipients over the seeded million (100,000
  opt-outs in both scopes, 50,000 without consent) beside a hand-written anti-join that only
  counts them;
- broadcast: end-to-end broadcast throughput to the fake Twilio with pacing off, beside a plain
  loop of the twilio SDK with the same concurrency against the same fake;
- pacing: three numbers paced at their rates by two threads-pool worker processes, each
  number's rate read from the fake's arrival times;
- import: a contacts CSV imported through the product, beside PostgreSQL COPY of the same
  rows, and the importing process's memory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from bench import product
from bench.config import ACCOUNT_SID, AUTH_TOKEN, BIN, NUMBER_A, NUMBER_B, NUMBER_C, ROOT
from bench.processes import Proc, memory_mb

IMPORTED = "+1707{:07d}"  # contacts of the import phase
THROUGHPUT = "+1909{:07d}"  # contacts of the broadcast and pacing phases (a block of its own)
OUTBOUND_THREADS = 16


class CampaignPhases:
    """Phases `audience`, `broadcast`, `pacing`, `import`."""

    # ---------------------------------------------------------------- processes

    def start_campaign_workers(self, outbound: int = 1, **env) -> None:
        """As docker-compose.yml runs them: a prefork worker for the broadcasts' steps, and
        `outbound` threads-pool workers for the sends."""
        self.stop_campaign_workers()
        if "worker" in self.procs:  # the default phases' worker takes every queue
            self.procs.pop("worker").stop()
        self.procs["worker-broadcasts"] = Proc(
            "worker-broadcasts",
            [
                str(BIN / "celery"),
                "-A",
                product.CELERY_APP,
                "worker",
                "--loglevel=INFO",
                "-Q",
                "broadcasts,maintenance",
                "--concurrency=2",
                "-n",
                "broadcasts@%h",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            self.env(**env),
            self.logdir,
        )
        self.procs["worker-broadcasts"].wait_for_log("ready.")
        for i in range(outbound):
            name = f"worker-outbound{i}"
            self.procs[name] = Proc(
                name,
                [
                    str(BIN / "celery"),
                    "-A",
                    product.CELERY_APP,
                    "worker",
                    "--loglevel=INFO",
                    "-Q",
                    "outbound",
                    "--pool",
                    "threads",
                    f"--concurrency={OUTBOUND_THREADS}",
                    "-n",
                    f"outbound{i}@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                self.env(**env),
                self.logdir,
            )
            self.procs[name].wait_for_log("ready.")

    def stop_campaign_workers(self) -> None:
        for name in [n for n in self.procs if n.startswith(("worker-outbound", "worker-broad"))]:
            self.procs.pop(name).stop()

    def _tagged_contacts(self, first: int, count: int, tag: str) -> None:
        """`count` new contacts tagged `tag`, by COPY and one INSERT … SELECT."""
        from django.db import connection

        ws = self.workspace_id
        connection.ensure_connection()
        with (
            connection.connection.cursor() as raw,
            raw.copy(
                "COPY workspaces_contact (workspace_id, phone, name, time_zone, fields, created_at)"
                " FROM STDIN"
            ) as copy,
        ):
            for i in range(first, first + count):
                copy.write(
                    f"{ws}\t{THROUGHPUT.format(2_000_000 + i)}\tBench {i}\t\t{{}}\t"
                    "2025-01-01 00:00:00+00\n"
                )
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO workspaces_tag (workspace_id, name, created_at) VALUES (%s, %s, now())"
                " ON CONFLICT DO NOTHING",
                [ws, tag],
            )
            cur.execute(
                "INSERT INTO workspaces_contacttag (tag_id, contact_id)"
                " SELECT t.id, c.id FROM workspaces_tag t, workspaces_contact c"
                " WHERE t.workspace_id = %s AND t.name = %s AND c.workspace_id = %s"
                " AND c.phone >= %s AND c.phone <= %s ON CONFLICT DO NOTHING",
                [
                    ws,
                    tag,
                    ws,
                    THROUGHPUT.format(2_000_000 + first),
                    THROUGHPUT.format(2_000_000 + first + count - 1),
                ],
            )

    def _sent_count(self, broadcast_id: int) -> tuple[int, float | None]:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*), extract(epoch FROM max(m.updated_at))"
                " FROM messaging_broadcastrecipient r JOIN messaging_message m"
                " ON m.id = r.message_id WHERE r.broadcast_id = %s AND m.provider_sid IS NOT NULL",
                [broadcast_id],
            )
            n, last = cur.fetchone()
        return n, float(last) if last else None

    # ---------------------------------------------------------------- audience

    def phase_audience(self) -> None:
        """Resolving and storing the recipients of a broadcast to every seeded contact, beside a
        hand-written anti-join that only counts the eligible ones."""
        from django.db import connection

        ws = self.workspace_id
        n = self.size["contacts"]
        no_consent = max(10, n // 20)  # 50,000 of the million
        with_opt_in = max(10, n // 10)  # consent on record; the others texted in
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM workspaces_phonenumber WHERE number = %s", [NUMBER_A])
            sender = cur.fetchone()[0]
            # Contacts 0..no_consent-1 (by id): nothing. The next with_opt_in: consent on record
            # (inbox-wide, with its ledger event). Everyone else has texted in.
            cur.execute(
                "WITH c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i"
                " FROM workspaces_contact WHERE workspace_id = %s)"
                " UPDATE workspaces_contact w SET last_inbound_at = now() - interval '3 days'"
                " FROM c WHERE w.id = c.id AND c.i >= %s",
                [ws, no_consent + with_opt_in],
            )
            cur.execute(
                "WITH c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i"
                " FROM workspaces_contact WHERE workspace_id = %(ws)s),"
                " e AS (INSERT INTO optout_consentevent (workspace_id, contact_id, kind, source,"
                " scope, phone_number_id, numbers, message_body, reason, created_at, repeat,"
                " message_sid, language)"
                " SELECT %(ws)s, c.id, 'opt_in', 'import', 'inbox', %(sender)s, '[]'::jsonb, '',"
                " 'bench consent', now(), false, '', '' FROM c"
                " WHERE c.i >= %(a)s AND c.i < %(b)s RETURNING id, contact_id)"
                " INSERT INTO optout_optin (workspace_id, contact_id, phone_number_id, scope,"
                " status, source, evidence, event_id, created_at, confirmed_at)"
                " SELECT %(ws)s, e.contact_id, %(sender)s, 'inbox', 'confirmed', 'web_form',"
                " 'bench', e.id, now(), now() FROM e",
                {"ws": ws, "sender": sender, "a": no_consent, "b": no_consent + with_opt_in},
            )
            cur.execute("ANALYZE")
        product.campaign_settings(ws, consent_required=True)
        reference_sql = (
            "SELECT count(*) FROM workspaces_contact c WHERE c.workspace_id = %(ws)s"
            " AND c.phone ~ '^\\+[1-9][0-9]{6,14}$'"
            " AND NOT EXISTS (SELECT 1 FROM optout_optout o WHERE o.workspace_id = %(ws)s"
            " AND o.contact_id = c.id AND (o.scope = 'inbox' OR o.phone_number_id = %(s)s))"
            " AND (c.last_inbound_at IS NOT NULL OR EXISTS (SELECT 1 FROM optout_optin i"
            " WHERE i.workspace_id = %(ws)s AND i.contact_id = c.id AND i.status = 'confirmed'"
            " AND (i.scope = 'inbox' OR i.phone_number_id = %(s)s)))"
        )
        reference = []
        with connection.cursor() as cur:
            for _ in range(3):
                t0 = time.monotonic()
                cur.execute(reference_sql, {"ws": ws, "s": sender})
                eligible_ref = cur.fetchone()[0]
                reference.append(time.monotonic() - t0)
        broadcast_id = product.broadcast_create(
            ws,
            [NUMBER_A],
            {"all": True},
            "Bench {first_name|there}",
            send_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )
        t0 = time.monotonic()
        product.broadcast_resolve(broadcast_id)
        resolved_s = time.monotonic() - t0
        counts = product.broadcast_counts(broadcast_id)
        product.broadcast_cancel(broadcast_id)
        ref_s = min(reference)
        self.results["figures"]["audience"] = {
            "contacts": counts["total"],
            "counts": counts,
            "eligible_reference": eligible_ref,
            "reference_s": round(ref_s, 3),
            "resolve_s": round(resolved_s, 3),
            "ratio": resolved_s / ref_s if ref_s else 0.0,
            "same_eligible": counts["eligible"] == eligible_ref,
        }
        self.log(
            f"audience: {counts['total']} recipients stored in {resolved_s:.2f}s; the counting "
            f"anti-join {ref_s:.2f}s ({counts['eligible']} eligible, reference {eligible_ref})"
        )

    # ---------------------------------------------------------------- broadcast throughput

    def phase_broadcast(self) -> None:
        """A broadcast with pacing off, end to end to the fake, beside the SDK loop."""
        recipients = self.size.get("broadcast_recipients", 5000)
        product.campaign_settings(self.workspace_id, consent_required=False)
        product.set_rates({NUMBER_A: 10_000, NUMBER_B: 10_000, NUMBER_C: 10_000})
        self._tagged_contacts(0, recipients, "throughput")
        ref = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "sdk_loop.py"),
                self.twilio_url,
                ACCOUNT_SID,
                AUTH_TOKEN,
                NUMBER_A,
                str(recipients),
                str(OUTBOUND_THREADS),
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        reference = json.loads(ref.stdout)
        self.start_campaign_workers(outbound=1, SEND_PACING="false")
        before = self.cpu_snapshot()
        wall0 = time.time()
        broadcast_id = product.broadcast_create(
            self.workspace_id,
            [NUMBER_A, NUMBER_B, NUMBER_C],
            {"tag": "throughput"},
            "Bench {first_name|there}",
        )
        deadline = time.monotonic() + max(120, recipients / 20)
        sent, last = 0, None
        while time.monotonic() < deadline:
            sent, last = self._sent_count(broadcast_id)
            if sent >= recipients:
                break
            time.sleep(0.5)
        self.cpu_record("broadcast, pacing off", before, self.cpu_snapshot())
        elapsed = (last - wall0) if last else time.time() - wall0
        per_s = sent / elapsed if elapsed > 0 else 0.0
        self.results["figures"]["broadcast"] = {
            "recipients": recipients,
            "sent": sent,
            "seconds": round(elapsed, 2),
            "per_s": per_s,
            "reference": reference,
            "ratio": per_s / reference["per_s"] if reference["per_s"] else 0.0,
            "threads": OUTBOUND_THREADS,
        }
        self.log(
            f"broadcast: {sent}/{recipients} sent in {elapsed:.1f}s ({per_s:.0f}/s);"
            f" SDK loop {reference['per_s']:.0f}/s"
        )

    # ---------------------------------------------------------------- pacing

    def phase_pacing(self) -> None:
        """Each number paced by two threads-pool workers: its rate over the run, from the
        fake's arrival times."""
        seconds = self.size.get("pacing_s", 60)
        rates = {NUMBER_A: 10, NUMBER_B: 5, NUMBER_C: 3}
        product.campaign_settings(self.workspace_id, consent_required=False)
        product.set_rates(rates)
        stamps = Path(self.stamps_path)
        self.start_campaign_workers(outbound=2)
        first = 1_000_000
        for k, rate in enumerate(rates.values()):
            count = rate * seconds + 1
            self._tagged_contacts(first, count, f"pace{k}")
            first += count
        stamps.write_text("")
        ids = [
            product.broadcast_create(self.workspace_id, [number], {"tag": f"pace{k}"}, "Paced")
            for k, number in enumerate(rates)
        ]
        deadline = time.monotonic() + seconds * 2 + 60
        while time.monotonic() < deadline:
            if all(product.broadcast_counts(i)["status"] == "done" for i in ids):
                break
            time.sleep(1)
        arrivals: dict[str, list[float]] = {n: [] for n in rates}
        for line in stamps.read_text().splitlines():
            at, sender = line.split()
            if sender in arrivals:
                arrivals[sender].append(float(at))
        figures = {}
        for number, rate in rates.items():
            times = sorted(arrivals[number])
            span = times[-1] - times[0] if len(times) > 1 else 0.0
            measured = (len(times) - 1) / span if span else 0.0
            busiest = max(
                (sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)),
                default=0,
            )
            figures[number] = {
                "rate": rate,
                "sent": len(times),
                "seconds": round(span, 2),
                "measured": measured,
                "error": abs(measured - rate) / rate,
                "busiest_second": busiest,
            }
        self.results["figures"]["pacing"] = {"numbers": figures, "workers": 2, "seconds": seconds}
        self.stop_campaign_workers()
        self.log(
            "pacing: "
            + ", ".join(f"{n} {f['measured']:.2f}/s of {f['rate']}" for n, f in figures.items())
        )

    # ---------------------------------------------------------------- import

    def phase_import(self) -> None:
        """A contacts CSV through the product beside COPY of the same rows."""
        from django.db import connection

        rows = self.size.get("import_rows", 1_000_000)
        path = self.out / "import.csv"
        with path.open("w") as f:
            f.write("phone,name\n")
            for i in range(rows):
                f.write(f"{IMPORTED.format(2_000_000 + i)},Imported {i}\n")
        # COPY of the same rows into a table like the contacts' (same columns, indexes and
        # unique constraint), for another workspace id.
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_copy")
            cur.execute("CREATE TABLE bench_copy (LIKE workspaces_contact INCLUDING ALL)")
        t0 = time.monotonic()
        with (
            connection.connection.cursor() as raw,
            raw.copy(
                "COPY bench_copy (workspace_id, phone, name, time_zone, fields, created_at)"
                " FROM STDIN"
            ) as copy,
            path.open() as f,
        ):
            next(f)
            for line in f:
                phone, name = line.rstrip("\n").split(",", 1)
                copy.write(
                    f"{self.workspace_id}\t{phone}\t{name}\t\t{{}}\t2025-01-01 00:00:00+00\n"
                )
        connection.connection.commit()
        copy_s = time.monotonic() - t0
        with connection.cursor() as cur:
            cur.execute("DROP TABLE bench_copy")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        mem_before = memory_mb([os.getpid()])
        tracemalloc.start()
        t0 = time.monotonic()
        result = product.import_file(self.workspace_id, str(path), "contacts", ["phone", "name"])
        import_s = time.monotonic() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        mem_after = memory_mb([os.getpid()])
        self.results["figures"]["import"] = {
            "rows": rows,
            "result": result,
            "copy_s": round(copy_s, 2),
            "import_s": round(import_s, 2),
            "copy_rows_per_s": rows / copy_s,
            "import_rows_per_s": rows / import_s,
            "ratio": copy_s / import_s,
            "tracemalloc_peak_mb": round(peak / 2**20, 1),
            "rss_before_mb": mem_before["rss_mb"],
            "rss_after_mb": mem_after["rss_mb"],
            "max_rss_before_kb": rss_before,
        }
        path.unlink()
        self.log(
            f"import: {rows} rows in {import_s:.1f}s ({rows / import_s:.0f}/s); COPY "
            f"{copy_s:.1f}s ({rows / copy_s:.0f}/s); peak {peak / 2**20:.1f} MiB"
        )
