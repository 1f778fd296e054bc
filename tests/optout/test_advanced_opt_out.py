"""Advanced opt-out through signed webhooks: keyword packs in French and Spanish with replies in
the keyword's language, Canada's ARRET, reply overrides by country and language, keywords the
carrier already answered (Twilio's OptOutType, toll-free numbers), and repeated STOPs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_center.errors import DomainError
from messaging.services.outbound import message_send
from optout import services
from optout.defaults import PACK_REPLIES
from optout.models import ConsentEvent, OptOut
from tests.support.twilio_webhooks import SMS, inbound_params, post_signed
from workspaces import services as workspace_services

MONTREAL = "+15145550123"
MEXICO = "+5215512345678"
US_CONTACT = "+14155550123"
TOLL_FREE = "+18885550100"


@pytest.fixture
def incoming(client, django_capture_on_commit_callbacks):
    """A signed inbound text (with any extra Twilio parameters), and what it queued, run."""

    def _incoming(body, *, from_=US_CONTACT, to=None, **extra):
        params = inbound_params(body, from_=from_, **({"to": to} if to else {}))
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, SMS, {**params, **extra})
        assert response.status_code == 200, response.content
        return response

    return _incoming


def _bodies(fake_twilio, contact):
    return [r.body for r in fake_twilio.sent_to(contact)]


def test_arret_from_montreal_opts_out_with_the_french_confirmation(world, fake_twilio, incoming):
    world.workspace.compliance_settings.__class__.objects.filter(workspace=world.workspace).update(
        language_packs=[]
    )  # the French pack is off: Canada answers ARRET anyway
    incoming("ARRÊT", from_=MONTREAL)
    event = ConsentEvent.objects.get()
    assert (event.kind, event.language, event.message_body) == ("opt_out", "fr", "ARRÊT")
    assert _bodies(fake_twilio, MONTREAL) == [PACK_REPLIES[("opt_out", "fr")]]
    incoming("STOP", from_="+15145550124")  # and STOP, in English, from the same country
    assert _bodies(fake_twilio, "+15145550124")[0].startswith("You have been unsubscribed")


def test_a_ca_french_override_beats_the_pack_reply(world, fake_twilio, incoming):
    services.reply_override_add(
        workspace=world.workspace,
        kind="opt_out",
        language="fr",
        country="CA",
        text="Désabonnement confirmé au Québec. Répondez START pour revenir.",
    )
    services.reply_override_add(
        workspace=world.workspace, kind="opt_out", language="fr", text="Désabonné (fr)."
    )
    incoming("arret", from_=MONTREAL)
    assert _bodies(fake_twilio, MONTREAL) == [
        "Désabonnement confirmé au Québec. Répondez START pour revenir."
    ]
    incoming("ARRET", from_="+33612345678")  # French, not Canadian: the language override
    assert _bodies(fake_twilio, "+33612345678") == ["Désabonné (fr)."]


def test_alto_opts_out_with_the_spanish_reply(world, fake_twilio, incoming):
    incoming("Alto", from_=MEXICO)
    assert OptOut.objects.get().contact.phone == MEXICO
    assert _bodies(fake_twilio, MEXICO) == [PACK_REPLIES[("opt_out", "es")]]
    incoming("ayuda", from_=MEXICO)
    assert _bodies(fake_twilio, MEXICO)[-1] == PACK_REPLIES[("help", "es")]


def test_a_pack_switched_off_answers_no_keyword_but_a_revocation_still_counts(
    world, fake_twilio, incoming
):
    services.compliance_settings_update(workspace=world.workspace, language_packs=["fr"])
    incoming("AYUDA")
    assert _bodies(fake_twilio, US_CONTACT) == []  # no Spanish HELP keyword any more
    incoming("ALTO")
    # Not the Spanish keyword, but still a revocation "by any reasonable means" (FCC, 2025).
    assert OptOut.objects.get().source == "revocation"


def test_stop_twilio_already_answered_is_recorded_without_a_second_confirmation(
    world, fake_twilio, incoming
):
    incoming("STOP", OptOutType="STOP")
    assert OptOut.objects.filter(contact__phone=US_CONTACT).exists()
    assert _bodies(fake_twilio, US_CONTACT) == []  # Twilio's Advanced Opt-Out replied
    incoming("START", OptOutType="START")
    assert not OptOut.objects.exists()
    assert _bodies(fake_twilio, US_CONTACT) == []


def test_a_toll_free_number_leaves_confirmations_to_the_carrier_and_yes_is_no_opt_in(
    world, fake_twilio, incoming
):
    number = workspace_services.phone_number_add(workspace=world.workspace, number=TOLL_FREE)
    assert number.opt_out_confirmations == "carrier"  # detected
    incoming("STOP", to=TOLL_FREE)
    assert OptOut.objects.filter(phone_number=number).exists()
    incoming("YES", to=TOLL_FREE)
    assert OptOut.objects.filter(phone_number=number).exists()  # YES does not opt back in
    incoming("UNSTOP", to=TOLL_FREE)
    assert not OptOut.objects.filter(phone_number=number).exists()
    assert _bodies(fake_twilio, US_CONTACT) == []  # the carrier confirmed each itself


def test_two_stops_a_second_apart_get_one_confirmation_and_count_once(world, fake_twilio, incoming):
    incoming("STOP")
    incoming("STOP")
    assert len(_bodies(fake_twilio, US_CONTACT)) == 1
    first, second = ConsentEvent.objects.order_by("id")
    assert (first.repeat, second.repeat) == (False, True)
    # A day later, a repeated STOP is confirmed again.
    OptOut.objects.update(last_confirmed_at=timezone.now() - timedelta(hours=25))
    incoming("STOP")
    assert len(_bodies(fake_twilio, US_CONTACT)) == 2


def test_the_overview_counts_contacts_not_repeats(world, incoming):
    from optout.selectors import compliance_stats

    for _ in range(3):
        incoming("STOP")
    incoming("STOP", from_="+14155550124")
    stats = compliance_stats(workspace=world.workspace)
    assert (stats.opt_outs_7, stats.blocked_contacts) == (2, 2)
    assert sum(n for _, n in stats.daily_opt_outs) == 2


def test_a_manual_opt_out_of_an_opted_out_contact_says_so(world, api, incoming):
    incoming("STOP")
    with pytest.raises(DomainError) as refused:
        services.opt_out_manual(
            workspace=world.workspace,
            contact_phone=US_CONTACT,
            phone_number=world.number_a,
            actor=world.admin_user,
            reason="asked again",
        )
    assert refused.value.code == "already_opted_out"
    response = api.post(
        "/api/v1/opt-outs",
        {"contact": US_CONTACT, "phone_number": world.number_b.number},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "already_opted_out")
    assert ConsentEvent.objects.count() == 1  # no silent duplicate


def test_crm_notifications_carry_language_country_and_text(world, incoming):
    from optout import crm

    incoming("Arrêt", from_=MONTREAL)
    payload = crm.event_payload(ConsentEvent.objects.get())
    assert payload["language"] == "fr"
    assert payload["country"] == "CA"
    assert payload["text"] == "Arrêt"
    assert payload["source"] == "keyword"
    assert payload["repeat"] is False


def test_system_replies_in_a_pack_still_bypass_the_block_list(world, fake_twilio, incoming):
    incoming("BAJA", from_=MEXICO)
    with pytest.raises(DomainError):
        message_send(
            workspace=world.workspace,
            from_number=world.number_a.number,
            to=MEXICO,
            body="One more offer",
        )
    assert _bodies(fake_twilio, MEXICO) == [PACK_REPLIES[("opt_out", "es")]]
