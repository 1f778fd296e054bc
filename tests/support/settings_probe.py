"""Settings as a fresh process reads them from its environment: what `compliance_center.settings`
derives at import (from PUBLIC_BASE_URL, DEBUG, …) cannot be re-derived by overriding settings in
the test process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
import django
django.setup()
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}, default=str))
"""

# Variables of the test run that would change what is probed.
_CLEARED = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")


def settings_in_subprocess(names: list[str], **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environ.update(env, DJANGO_SETTINGS_MODULE="compliance_center.settings")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *names],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
