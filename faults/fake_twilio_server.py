"""The fault suite's fake Twilio: tests/support/fake_twilio.py (unchanged) run as its own
process, plus a small control server on a second loopback port, so that the suite can read
every POST the fake received and tell it to hold or fail its next answers. Prints
`PORT <api port> CONTROL <control port>` once both listen.

Control routes (JSON):
- `GET /sent`: every POST to Messages.json, in order: `to`, `from`, `body`, `account_sid`;
- `GET /accepted`: the messages it accepted (`sid`, `to`, `from`, `body`);
- `POST /hold` `{"seconds": s, "times": n}`: the next n sends are accepted at once (listed by
  `GET Messages.json`) but answered only after s seconds (`hold_next_answer`);
- `POST /fail` `{"status": 500, "code": 20500, "times": n}`: the next n sends fail (`fail_next`).
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_twilio import FakeTwilio  # noqa: E402


def control_server(fake: FakeTwilio) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802 (http.server's name)
            with fake._lock:
                if self.path == "/sent":
                    payload = [
                        {"to": r.to, "from": r.from_, "body": r.body, "account_sid": r.account_sid}
                        for r in fake.requests
                    ]
                elif self.path == "/accepted":
                    payload = [
                        {k: m[k] for k in ("sid", "to", "from", "body")} for m in fake.accepted
                    ]
                else:
                    return self._json(404, {"error": "unknown route"})
            return self._json(200, payload)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            args = json.loads(self.rfile.read(length) or b"{}")
            times = int(args.get("times", 1))
            if self.path == "/hold":
                for _ in range(times):
                    fake.hold_next_answer(float(args["seconds"]))
            elif self.path == "/fail":
                fake.fail_next(
                    status=int(args.get("status", 500)),
                    code=int(args.get("code", 20500)),
                    message=str(args.get("message", "fault injected")),
                    times=times,
                )
            else:
                return self._json(404, {"error": "unknown route"})
            return self._json(200, {"ok": True})

        def _json(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    fake = FakeTwilio().start()
    control = control_server(fake)
    print(f"PORT {fake.port} CONTROL {control.server_address[1]}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
