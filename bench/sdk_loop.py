"""The reference of the broadcast phase: a plain loop of the twilio SDK sending N messages with
C threads to the fake Twilio, nothing else (no database, no queue). Prints JSON: sent, seconds,
per_s. Usage: sdk_loop.py BASE_URL ACCOUNT_SID AUTH_TOKEN FROM N C"""

import json
import sys
import threading
import time

from requests.adapters import HTTPAdapter
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class BaseUrl(TwilioHttpClient):
    def __init__(self, base: str):
        super().__init__(timeout=10, pool_connections=True)
        self.base = base
        self.session.mount("http://", HTTPAdapter(pool_maxsize=64))

    def request(self, method, url, *args, **kwargs):
        return super().request(
            method, url.replace("https://api.twilio.com", self.base), *args, **kwargs
        )


def main() -> None:
    base, sid, token, sender, n, c = sys.argv[1:7]
    n, c = int(n), int(c)
    client = Client(sid, token, http_client=BaseUrl(base))
    counter = iter(range(n))
    lock = threading.Lock()
    sent = [0]

    def worker() -> None:
        while True:
            with lock:
                k = next(counter, None)
            if k is None:
                return
            client.messages.create(
                to=f"+1707{3_000_000 + k:07d}",
                from_=sender,
                body=f"Reference {k}",
                status_callback="http://127.0.0.1:9/x",
            )
            with lock:
                sent[0] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - t0
    print(json.dumps({"sent": sent[0], "seconds": seconds, "per_s": sent[0] / seconds}))


if __name__ == "__main__":
    main()
