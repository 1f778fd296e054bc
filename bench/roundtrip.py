"""Round trip on a running server (e.g. `make run`): signed STOP/START webhooks from a demo
contact, time to the webhook's answer and to the confirmation being delivered.

    .venv/bin/python bench/roundtrip.py [--base-url http://127.0.0.1:8000] [--count 20]

Reads the same database as the server (run it from the same checkout and environment).
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import product  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", product.SETTINGS_MODULE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--workspace", default="demo")
    parser.add_argument("--contact", default="+14155550126")
    args = parser.parse_args()
    os.environ.setdefault("PUBLIC_BASE_URL", args.base_url)

    import django

    django.setup()
    from django.conf import settings
    from twilio.request_validator import RequestValidator

    Workspace, InboundMessage, Message = product.roundtrip_models()

    workspace = Workspace.objects.get(slug=args.workspace)
    number = workspace.phone_numbers.first().number
    validator = RequestValidator(workspace.twilio_auth_token)
    path = "/webhooks/twilio/sms/"
    answers, delivered = [], []
    for i in range(args.count):
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": workspace.twilio_account_sid,
            "From": args.contact,
            "To": number,
            "Body": "STOP" if i % 2 == 0 else "START",
        }
        signature = validator.compute_signature(settings.PUBLIC_BASE_URL + path, params)
        start = time.perf_counter()
        response = requests.post(
            args.base_url + path, data=params, headers={"X-Twilio-Signature": signature}
        )
        answers.append(time.perf_counter() - start)
        response.raise_for_status()
        inbound = InboundMessage.objects.get(message_sid=params["MessageSid"])
        deadline = start + 30
        while not Message.objects.filter(reply_to=inbound, status="delivered").exists():
            if time.perf_counter() > deadline:
                raise SystemExit(f"no confirmation delivered for {params['Body']} within 30 s")
            time.sleep(0.005)
        delivered.append(time.perf_counter() - start)
    print(
        f"webhook answer: median {statistics.median(answers) * 1000:.1f} ms, "
        f"max {max(answers) * 1000:.1f} ms"
    )
    median = statistics.median(delivered) * 1000
    print(
        f"STOP/START -> confirmation delivered: median {median:.0f} ms, "
        f"max {max(delivered) * 1000:.0f} ms ({args.count} texts)"
    )


if __name__ == "__main__":
    main()
