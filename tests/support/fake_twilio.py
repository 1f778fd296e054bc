"""A loopback fake of Twilio's Messages API, for tests and benchmarks.

The real `twilio` SDK talks to it (TWILIO_API_BASE_URL). It records every request, keeps the
messages it accepted (listed back by `GET Messages.json?To=&From=`, as Twilio's list does), can
be told to answer the next sends with an error (21610, a 500, ...), and to hold the next answer
for a while (a worker killed during the Twilio call). Accounts registered with `add_account` can
be fetched (`GET Accounts/{sid}.json`) and list their incoming phone numbers
(`GET Accounts/{sid}/IncomingPhoneNumbers.json`), with their auth token checked (401, 20003),
as the Twilio settings page's "Check connection" does.
"""

import base64
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class SentRequest:
    account_sid: str
    auth: tuple[str, str]
    params: dict[str, str]

    @property
    def to(self) -> str:
        return self.params.get("To", "")

    @property
    def from_(self) -> str:
        return self.params.get("From", "")

    @property
    def body(self) -> str:
        return self.params.get("Body", "")


@dataclass
class FakeTwilio:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[SentRequest] = field(default_factory=list)
    accepted: list[dict] = field(default_factory=list)  # the Message resources created
    _errors: deque = field(default_factory=deque)
    _delays: deque = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: dict[str, dict] = field(default_factory=dict)  # sid -> token, name, numbers

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                if parts[:2] == ["2010-04-01", "Accounts"] and (
                    (len(parts) == 3 and parts[2].endswith(".json"))
                    or (len(parts) == 4 and parts[3] == "IncomingPhoneNumbers.json")
                ):
                    return self._account_get(parts)
                if len(parts) != 4 or parts[0] != "2010-04-01" or parts[3] != "Messages.json":
                    return self._json(404, {"code": 20404, "message": "not found", "status": 404})
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                with fake._lock:
                    found = [
                        m
                        for m in reversed(fake.accepted)  # newest first, as Twilio lists them
                        if m["account_sid"] == parts[2]
                        and query.get("To", m["to"]) == m["to"]
                        and query.get("From", m["from"]) == m["from"]
                    ][: int(query.get("PageSize", 50))]
                return self._json(
                    200,
                    {
                        "messages": found,
                        "next_page_uri": None,
                        "previous_page_uri": None,
                        "first_page_uri": url.path,
                        "uri": self.path,
                        "page": 0,
                        "page_size": len(found),
                        "start": 0,
                        "end": max(len(found) - 1, 0),
                    },
                )

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode()
                params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                parts = self.path.strip("/").split("/")
                if len(parts) != 4 or parts[0] != "2010-04-01" or parts[3] != "Messages.json":
                    return self._json(404, {"code": 20404, "message": "not found", "status": 404})
                auth = self.headers.get("Authorization", "")
                user, _, password = (
                    base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
                )
                if user != parts[2]:
                    return self._json(
                        401, {"code": 20003, "message": "Authenticate", "status": 401}
                    )
                with fake._lock:
                    fake.requests.append(SentRequest(parts[2], (user, password), params))
                    error = fake._errors.popleft() if fake._errors else None
                    delay = fake._delays.popleft() if fake._delays and not error else 0
                if error:
                    status, code, message = error
                    return self._json(status, {"code": code, "message": message, "status": status})
                sid = "SM" + uuid.uuid4().hex
                resource = {
                    "sid": sid,
                    "account_sid": parts[2],
                    "to": params.get("To"),
                    "from": params.get("From"),
                    "body": params.get("Body"),
                    "status": "queued",
                    "num_segments": "1",
                    "date_created": format_datetime(datetime.now(UTC), usegmt=True),
                    "uri": f"/2010-04-01/Accounts/{parts[2]}/Messages/{sid}.json",
                }
                with fake._lock:
                    fake.accepted.append(resource)  # accepted before the answer is sent
                if delay:
                    time.sleep(delay)
                return self._json(201, resource)

            def _account_get(self, parts):
                """The account itself, or its incoming numbers; 401 (20003) unless the Basic
                auth is the registered account's SID and token."""
                sid = parts[2].removesuffix(".json")
                auth = self.headers.get("Authorization", "")
                user, _, password = (
                    base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
                )
                with fake._lock:
                    account = fake.accounts.get(sid)
                if account is None or user != sid or password != account["auth_token"]:
                    return self._json(
                        401, {"code": 20003, "message": "Authenticate", "status": 401}
                    )
                if len(parts) == 3:
                    return self._json(
                        200,
                        {
                            "sid": sid,
                            "friendly_name": account["friendly_name"],
                            "status": "active",
                            "type": "Full",
                            "uri": f"/2010-04-01/Accounts/{sid}.json",
                        },
                    )
                numbers = [
                    {
                        "sid": "PN" + uuid.uuid5(uuid.NAMESPACE_URL, n["phone_number"]).hex,
                        "account_sid": sid,
                        "phone_number": n["phone_number"],
                        "friendly_name": n["phone_number"],
                        "sms_url": n.get("sms_url", ""),
                        "sms_method": "POST",
                    }
                    for n in account["numbers"]
                ]
                path = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
                return self._json(
                    200,
                    {
                        "incoming_phone_numbers": numbers,
                        "next_page_uri": None,
                        "previous_page_uri": None,
                        "first_page_uri": path,
                        "uri": path,
                        "page": 0,
                        "page_size": len(numbers),
                        "start": 0,
                        "end": max(len(numbers) - 1, 0),
                    },
                )

            def _json(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fail_next(self, *, status: int, code: int, message: str = "error", times: int = 1) -> None:
        with self._lock:
            self._errors.extend([(status, code, message)] * times)

    def add_account(
        self,
        sid: str,
        auth_token: str,
        *,
        numbers: list[str] = (),
        sms_url: str = "",
        friendly_name: str = "Test account",
    ) -> None:
        """An account that can be fetched with `auth_token`, owning `numbers` (E.164) whose
        incoming-message webhook is `sms_url`."""
        with self._lock:
            self.accounts[sid] = {
                "auth_token": auth_token,
                "friendly_name": friendly_name,
                "numbers": [{"phone_number": n, "sms_url": sms_url} for n in numbers],
            }

    def hold_next_answer(self, seconds: float) -> None:
        """The next send is accepted at once but answered only after `seconds`."""
        with self._lock:
            self._delays.append(seconds)

    def sent_to(self, number: str) -> list[SentRequest]:
        with self._lock:
            return [r for r in self.requests if r.to == number]
