"""What drives the server: signed webhook request files, wrk (bench/replay.lua) and plain
HTTP requests."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.config import ACCOUNT_SID, AUTH_TOKEN, LUA, NUMBER_A, REFERENCE_PATH, WEBHOOK
from bench.processes import cpu_ms_per_request


class DriversMixin:
    """Request files, wrk runs (with the CPU each request cost) and HTTP helpers."""

    def sid(self) -> str:
        self.seq += 1
        return f"SMbench{self.seq:026d}"

    def inbound(self, body: str, from_: str, to: str = NUMBER_A) -> tuple[str, str]:
        """(body, signature) of a signed inbound webhook with its own MessageSid."""
        from twilio.request_validator import RequestValidator

        params = {
            "MessageSid": self.sid(),
            "AccountSid": ACCOUNT_SID,
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
        }
        if not hasattr(self, "_validator"):
            self._validator = RequestValidator(AUTH_TOKEN)
        signature = self._validator.compute_signature(self.public + "/webhooks/twilio/sms/", params)
        return urlencode(params), signature

    def webhook_file(self, count: int, name: str, target: str = "/webhooks/twilio/sms/") -> Path:
        """Signed inbound webhooks, each with its own MessageSid, POSTed to `target` (the
        webhook, or the one-INSERT reference with the very same bodies)."""
        path = self.out / f"{name}.requests"
        form = "application/x-www-form-urlencoded"
        with path.open("w") as f:
            for _ in range(count):
                i = self.seq
                body, signature = self.inbound(
                    f"Hi, is this open today? #{i}", WEBHOOK.format(2_000_000 + i % 8_000_000)
                )
                f.write(f"POST\t{target}\t{form}\t{signature}\t{body}\n")
        return path

    def reference_file(self, count: int, name: str) -> Path:
        return self.webhook_file(count, name, target=REFERENCE_PATH)

    def wrk(
        self,
        path: Path,
        url_path: str,
        seconds: float,
        connections: int,
        auth: str = "",
        label: str = "",
    ) -> dict:
        # replay.lua sends each request to the path written in the file: refuse a mix-up.
        with path.open() as f:
            first = f.readline().split("\t")
        if len(first) < 2 or urlsplit(first[1]).path != urlsplit(url_path).path:
            raise SystemExit(f"{path.name} targets {first[1:2]}, not {url_path}")
        args = [
            "wrk",
            "-t",
            str(self.opts.wrk_threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self.port}{url_path}",
            "--",
            str(path),
            auth,
            str(self.opts.wrk_threads),
        ]
        before = self.cpu_snapshot()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        output = proc.stdout.read()
        proc.returncode = os.waitstatus_to_exitcode(status)
        after = self.cpu_snapshot()
        line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if proc.returncode != 0 or line is None:
            raise SystemExit(f"wrk failed ({proc.returncode}):\n{output}")
        result = json.loads(line.removeprefix("BENCH_JSON "))
        result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
        result["connections"] = connections
        ok = result["requests"] - result["non_2xx"]
        result["ok_rps"] = ok / (result["duration_us"] / 1e6)
        if label:
            wall = after["_t"] - before["_t"]
            self.cpu_record(
                label, before, after, {"wrk": round((usage.ru_utime + usage.ru_stime) / wall, 2)}
            )
            result["cpu_ms"] = cpu_ms_per_request(self.results["cpu"][label], wall, ok)
        return result

    def warm(self, path: Path, url_path: str, auth: str = "") -> None:
        """An unmeasured burst: every gunicorn worker imports and connects before timing."""
        self.wrk(path, url_path, self.opts.warm_s, self.opts.connections, auth=auth)

    def api_sends_refused(self, contacts: list[str]) -> str:
        refused = 0
        for contact in contacts:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request(
                "POST",
                "/api/v1/messages",
                json.dumps({"from": NUMBER_A, "to": contact, "body": "Sale today!"}),
                {"Content-Type": "application/json", "Authorization": f"Token {self.api_token}"},
            )
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            if response.status == 422 and b"recipient_opted_out" in payload:
                refused += 1
        return f"{refused}/{len(contacts)}"
