"""What drives the product: signed carrier webhooks, paced over a burst by a pool of threads
(one connection per request, as Twilio makes them), with faults fired at given points of the
burst. For each STOP the thread that got the 200 asks the database at once whether the opt-out
is on record."""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from faults import product
from faults.topology import ACCOUNT_SID, AUTH_TOKEN

_sids = itertools.count(1)
_sid_lock = threading.Lock()


def new_sid(tag: str) -> str:
    """A MessageSid of 34 characters, as Twilio's, unique in the run."""
    with _sid_lock:
        n = next(_sids)
    return f"SM{tag}{n:0{32 - len(tag)}d}"


@dataclass
class Text:
    """One inbound text: a STOP or an ordinary text, from `contact` to the workspace's `to`."""

    kind: str  # "stop" | "text"
    contact: str
    to: str
    body: str
    sid: str


@dataclass
class Answer:
    text: Text
    status: int  # 0: no answer (connection refused, reset or timed out)
    seconds: float  # request sent -> answer read
    started: float = 0.0  # time.monotonic() when the request was sent
    on_record: bool | None = None  # STOPs: opt-out on record right after the 200


class Webhooks:
    """Signed inbound webhooks (every workspace of the run shares the Twilio account)."""

    def __init__(self, topology, timeout: float = 15.0):
        from twilio.request_validator import RequestValidator

        self.t = topology
        self.timeout = timeout  # Twilio gives up on a webhook after 15 s
        self.validator = RequestValidator(AUTH_TOKEN)
        self.url = topology.public + product.WEBHOOK_PATH
        self._local = threading.local()
        self._conns: list = []
        self._conns_lock = threading.Lock()

    def signed(self, text: Text) -> tuple[str, str]:
        params = {
            "MessageSid": text.sid,
            "AccountSid": ACCOUNT_SID,
            "From": text.contact,
            "To": text.to,
            "Body": text.body,
            "NumMedia": "0",
        }
        return urlencode(params), self.validator.compute_signature(self.url, params)

    def _cursor(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            self._local.conn = self.t.connect()
            with self._conns_lock:
                self._conns.append(self._local.conn)
        return self._local.conn.cursor()

    def post(self, text: Text) -> Answer:
        body, signature = self.signed(text)
        conn = http.client.HTTPConnection("127.0.0.1", self.t.port, timeout=self.timeout)
        started = time.monotonic()
        try:
            conn.request(
                "POST",
                product.WEBHOOK_PATH,
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            conn.close()
        answer = Answer(text, status, time.monotonic() - started, started)
        if text.kind == "stop" and status == 200:
            with self._cursor() as cur:
                answer.on_record = product.opted_out_for_text(cur, text.sid)
        return answer

    def burst(
        self,
        texts: list[Text],
        seconds: float,
        events: dict[int, Callable[[], None]] | None = None,
        threads: int = 24,
    ) -> tuple[list[Answer], list[threading.Thread]]:
        """Posts `texts` evenly over `seconds`; `events[i]` runs in a thread of its own when the
        i-th text is due (a fault). Returns the answers and the event threads (still running,
        perhaps)."""
        events = events or {}
        answers: list[Answer] = []
        lock = threading.Lock()
        fired = []

        def one(text: Text) -> None:
            answer = self.post(text)
            with lock:
                answers.append(answer)

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for i, text in enumerate(texts):
                due = start + i * seconds / max(1, len(texts))
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if i in events:
                    thread = threading.Thread(target=events[i], daemon=True)
                    thread.start()
                    fired.append(thread)
                pool.submit(one, text)
        return answers, fired

    def close(self) -> None:
        with self._conns_lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
