""" "Check connection" on the Twilio settings page: calls Twilio with the workspace's credentials
through the SDK (the same TWILIO_API_BASE_URL-aware client the SMS backend uses) and says in
plain words what works and what does not: the SID's format, Twilio's refusal of the credentials
(20003), a network that does not reach Twilio, the workspace's numbers missing from the account,
and numbers whose incoming-message URL is not ours."""

import re
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException

from compliance_center.phone import pretty
from compliance_center.twilio_client import twilio_client

from .models import Workspace

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
AUTHENTICATION_FAILED = 20003
NOT_FOUND = 20404
MAX_NUMBERS = 1000


@dataclass
class ConnectionCheck:
    """What a check found: `ok` when Twilio accepted the credentials and every number of the
    workspace is on the account; `problems` and `warnings` are sentences for people."""

    ok: bool = False
    account_name: str = ""
    account_status: str = ""
    numbers_on_account: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.ok:
            return "Connected" + (f" to {self.account_name}" if self.account_name else "")
        return self.problems[0] if self.problems else "Not connected"


def webhook_urls() -> dict[str, str]:
    """The exact URLs to paste into Twilio: messages coming in, and delivery status."""
    base = settings.PUBLIC_BASE_URL
    return {"sms": base + reverse("twilio-sms"), "status": base + reverse("twilio-status")}


def _rest_problem(exc: TwilioRestException, account_sid: str) -> str:
    if exc.code == AUTHENTICATION_FAILED or exc.status == 401:
        return (
            "Twilio refused these credentials (error 20003, authentication failed): the Auth "
            "Token does not belong to this Account SID. Copy both again from the Twilio "
            "Console's Account Info and save them."
        )
    if exc.code == NOT_FOUND or exc.status == 404:
        return f"Twilio has no account {account_sid} (error 20404): check the Account SID."
    detail = f"error {exc.code}" if exc.code else f"HTTP {exc.status}"
    return f"Twilio answered with {detail}: {exc.msg or 'no details'}."


def _network_problem(exc: Exception) -> str:
    reason = (
        "it did not answer in time" if isinstance(exc, requests.Timeout) else "network unreachable"
    )
    return (
        f"Could not reach Twilio at {settings.TWILIO_API_BASE_URL} ({reason}). Check this "
        "server's internet access, then try again."
    )


def twilio_connection_check(workspace: Workspace) -> ConnectionCheck:
    """Fetches the account, then lists its incoming phone numbers and compares them with the
    workspace's. Makes no change anywhere."""
    result = ConnectionCheck()
    sid = workspace.twilio_account_sid
    if workspace.twilio_credentials_changed_at is None:
        result.problems.append("Enter your Account SID and Auth Token first, then check them.")
        return result
    if not ACCOUNT_SID_RE.match(sid or ""):
        result.problems.append(
            "The Account SID is not in Twilio's format (AC followed by 32 letters and digits)."
        )
        return result
    client = twilio_client(sid, workspace.twilio_auth_token)
    account: Any
    try:
        account = client.api.v2010.accounts(sid).fetch()
        incoming = client.api.v2010.accounts(sid).incoming_phone_numbers.list(limit=MAX_NUMBERS)
    except TwilioRestException as exc:
        result.problems.append(_rest_problem(exc, sid))
        return result
    except (requests.RequestException, TwilioException, OSError) as exc:
        result.problems.append(_network_problem(exc))
        return result
    result.account_name = account.friendly_name or ""
    result.account_status = account.status or ""
    if result.account_status and result.account_status != "active":
        result.problems.append(
            f"The Twilio account is {result.account_status}, not active: it cannot send."
        )
    on_account = {n.phone_number: n for n in incoming if n.phone_number}
    result.numbers_on_account = len(on_account)
    ours = list(workspace.phone_numbers.order_by("number").values_list("number", flat=True))
    missing = [n for n in ours if n not in on_account]
    if missing:
        result.problems.append(
            "Not on this Twilio account: "
            + ", ".join(pretty(n) for n in missing)
            + ". Texts to them cannot be received nor sent with these credentials: add them "
            "to the account in Twilio, or remove them here."
        )
    sms_url = webhook_urls()["sms"]
    for number in ours:
        found = on_account.get(number)
        if found is not None and (found.sms_url or "") != sms_url:
            result.warnings.append(
                f"{pretty(number)}: “A message comes in” points at "
                f"{found.sms_url or 'nothing'}; set it to {sms_url}."
            )
    if not ours:
        result.warnings.append(
            "This workspace has no phone number yet: add one under Phone numbers."
        )
    result.ok = not result.problems
    return result
