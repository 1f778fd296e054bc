"""The run's database and data: a fresh database, migrated; the workspace; the seeded million
contacts and their opt-outs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from bench import product
from bench.config import ACCOUNT_SID, AUTH_TOKEN, NUMBER_A, NUMBER_B, NUMBER_C, ROOT, SEEDED


class SeedingMixin:
    """Database set-up, Django in this process, the workspace, the seed."""

    def setup_database(self) -> None:
        import psycopg

        name = self.opts.db_name
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "bench" not in name:
            raise SystemExit("--db-name must be a plain identifier containing 'bench'")
        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        subprocess.run(
            [sys.executable, product.MANAGE_PY, "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_reference (id bigserial PRIMARY KEY, payload text NOT NULL,"
                " created_at timestamptz NOT NULL DEFAULT now())"
            )
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def django_setup(self) -> None:
        os.environ.update(self.env())
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def create_workspace(self) -> None:
        result = subprocess.run(
            [
                sys.executable,
                product.MANAGE_PY,
                "create_workspace",
                "--name",
                "Bench",
                "--admin-email",
                "bench@bench.test",
                "--twilio-account-sid",
                ACCOUNT_SID,
                "--twilio-auth-token",
                AUTH_TOKEN,
                "--phone-number",
                NUMBER_A,
                "--phone-number",
                NUMBER_B,
                "--phone-number",
                NUMBER_C,
                "--json",
            ],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
        )
        ws = json.loads(result.stdout)
        self.workspace_id, self.api_token = ws["workspace_id"], ws["api_token"]
        # Phone-number scope, so that the scope of each seeded opt-out matters to the check.
        product.set_opt_out_scope(self.workspace_id, "phone_number")
        # The send phases measure the send path, not a carrier's limit: the numbers are paced
        # far above what this machine sends (the pacing phase sets its own rates).
        product.set_rates({NUMBER_A: 10_000, NUMBER_B: 10_000, NUMBER_C: 10_000})

    def seed(self) -> None:
        """1,000,000 contacts by COPY; every 10th opted out, mixed scope, with its ledger event."""
        from django.db import connection

        n, every = self.size["contacts"], self.size["contacts"] // self.size["opt_outs"]
        ws = self.workspace_id
        t0 = time.monotonic()
        connection.ensure_connection()
        with (
            connection.connection.cursor() as raw,
            raw.copy(
                # Every NOT NULL column without a database default (time_zone, fields).
                "COPY workspaces_contact (workspace_id, phone, name, time_zone, fields, created_at)"
                " FROM STDIN"
            ) as copy,
        ):
            chunk = []
            for i in range(n):
                chunk.append(
                    f"{ws}\t{SEEDED.format(2_000_000 + i)}\t\t\t{{}}\t2025-01-01 00:00:00+00\n"
                )
                if len(chunk) == 50_000:
                    copy.write("".join(chunk))
                    chunk = []
            if chunk:
                copy.write("".join(chunk))
        with connection.cursor() as cur:
            cur.execute(
                "SELECT array_agg(id ORDER BY number) FROM workspaces_phonenumber"
                " WHERE workspace_id = %s",
                [ws],
            )
            numbers = cur.fetchone()[0]
            # Opt-outs: contacts whose index is a multiple of `every`. Mixed scope: half inbox,
            # half phone_number, spread over the three numbers.
            cur.execute(
                """
                INSERT INTO optout_consentevent (workspace_id, contact_id, kind, source, scope,
                    phone_number_id, numbers, message_body, reason, created_at, repeat, language)
                SELECT c.workspace_id, c.id, 'opt_out', 'import',
                       CASE WHEN (c.i / %(every)s) %% 2 = 0 THEN 'inbox' ELSE 'phone_number' END,
                       (%(numbers)s::bigint[])[1 + (c.i / %(every)s) %% 3], '[]'::jsonb,
                       'STOP', 'bench seed', now() - interval '1 day', false, ''
                FROM (SELECT id, workspace_id, row_number() OVER (ORDER BY id) - 1 AS i
                      FROM workspaces_contact WHERE workspace_id = %(ws)s) c
                WHERE c.i %% %(every)s = 0
                """,
                {"ws": ws, "every": every, "numbers": numbers},
            )
            cur.execute(
                """
                INSERT INTO optout_optout (workspace_id, contact_id, phone_number_id, scope,
                    source, event_id, created_at)
                SELECT workspace_id, contact_id, phone_number_id, scope, source, id, created_at
                FROM optout_consentevent WHERE workspace_id = %s AND source = 'import'
                """,
                [ws],
            )
            cur.execute("ANALYZE")
            cur.execute("SELECT count(*) FROM workspaces_contact WHERE workspace_id = %s", [ws])
            contacts = cur.fetchone()[0]
            cur.execute(
                "SELECT scope, count(*) FROM optout_optout WHERE workspace_id = %s GROUP BY 1", [ws]
            )
            scopes = dict(cur.fetchall())
        self.results["seed"] = {
            "contacts": contacts,
            "opt_outs": scopes,
            "seconds": round(time.monotonic() - t0, 1),
        }
        self.log(f"seeded {contacts} contacts, opt-outs {scopes} in {time.monotonic() - t0:.1f}s")
