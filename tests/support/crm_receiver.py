"""A loopback CRM: an HTTP server that records the notifications posted to it and can be told to
fail the next ones. Tests point a webhook endpoint at `url` and check what arrived, as a CRM
would see it (body, signature header)."""

import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Notification:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class CrmReceiver:
    received: list[Notification] = field(default_factory=list)
    _failures: deque = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def fail_next(self, *statuses: int) -> None:
        """The next requests are answered with these statuses (then 200 again)."""
        self._failures.extend(statuses)

    def start(self) -> "CrmReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Notification(self.path, body, dict(self.headers)))
                status = receiver._failures.popleft() if receiver._failures else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
