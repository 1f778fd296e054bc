"""What the Compliance Center's browser tests share: the screen sizes of their screenshots, the
carrier's signed texts posted over HTTP to the live server, and a month of consent history."""

from datetime import timedelta

from django.utils import timezone

from messaging.models import Message
from optout import services
from optout.models import ConsentEvent, OptOut
from tests.support.twilio_webhooks import inbound_params, sign
from tests.support.world import CONTACT, NUMBER_A
from workspaces.models import Contact

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
WEBHOOK = "/webhooks/twilio/sms/"


def text_in_over_http(page, base: str, body: str, *, to: str = NUMBER_A, from_: str = CONTACT):
    """The carrier's side: a signed inbound SMS posted to the live server."""
    params = inbound_params(body, to=to, from_=from_)
    response = page.request.post(
        f"{base}{WEBHOOK}", form=params, headers={"X-Twilio-Signature": sign(WEBHOOK, params)}
    )
    assert response.status == 200, response.text()
    assert "<Response" in response.text()
    return params["MessageSid"]


def processed(sid: str):
    return Message.objects.filter(provider_sid=sid).exists()


def seed_history(world):
    """A month of opt-outs and opt-ins so the Overview's figures and chart have something."""
    now = timezone.now()
    for i, days_ago in enumerate([0, 0, 1, 3, 3, 3, 6, 9, 12, 12, 17, 22, 26]):
        contact = Contact.objects.create(
            workspace=world.workspace, phone=f"+1415555{i + 300:04d}", name=f"Demo contact {i}"
        )
        number = world.number_a if i % 3 else world.number_b
        services.opt_out_record(
            workspace=world.workspace,
            contact=contact,
            phone_number=number,
            source="keyword",
            text=services.TextEvidence(body="STOP"),
        )
        if i % 5 == 4:
            services.opt_in_record(
                workspace=world.workspace,
                contact=contact,
                phone_number=number,
                source="keyword",
                text=services.TextEvidence(body="START"),
            )
        ConsentEvent.objects.filter(contact=contact).update(
            created_at=now - timedelta(days=days_ago, hours=1)
        )
        OptOut.objects.filter(contact=contact).update(
            created_at=now - timedelta(days=days_ago, hours=1)
        )
