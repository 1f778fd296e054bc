"""Scope and signature rules: pure, no database."""

import pytest

from optout import scope, signature
from optout.scope import ActiveOptOut

A, B = "+14155550100", "+14155550101"


def test_inbox_opt_out_blocks_every_number():
    opt_outs = [ActiveOptOut(1, scope.INBOX, A)]
    assert scope.blocking(opt_outs, B, scope.PHONE_NUMBER).id == 1


def test_phone_number_opt_out_blocks_only_its_number():
    opt_outs = [ActiveOptOut(1, scope.PHONE_NUMBER, A)]
    assert scope.blocking(opt_outs, A, scope.PHONE_NUMBER).id == 1
    assert scope.blocking(opt_outs, B, scope.PHONE_NUMBER) is None


def test_switching_to_inbox_scope_widens_old_per_number_opt_outs():
    opt_outs = [ActiveOptOut(1, scope.PHONE_NUMBER, A)]
    assert scope.blocking(opt_outs, B, scope.INBOX).id == 1


def test_switching_to_per_number_never_weakens_an_inbox_promise():
    opt_outs = [ActiveOptOut(1, scope.INBOX, A)]
    assert scope.blocking(opt_outs, B, scope.PHONE_NUMBER).id == 1


def test_no_opt_outs_blocks_nothing():
    assert scope.blocking([], A, scope.INBOX) is None


def test_opt_in_under_inbox_lifts_everything():
    opt_outs = [ActiveOptOut(1, scope.PHONE_NUMBER, A), ActiveOptOut(2, scope.INBOX, B)]
    assert {o.id for o in scope.lifted_by_opt_in(opt_outs, A, scope.INBOX)} == {1, 2}


def test_opt_in_under_phone_number_scope_lifts_only_that_number():
    opt_outs = [ActiveOptOut(1, scope.PHONE_NUMBER, A), ActiveOptOut(2, scope.PHONE_NUMBER, B)]
    assert [o.id for o in scope.lifted_by_opt_in(opt_outs, A, scope.PHONE_NUMBER)] == [1]


@pytest.mark.parametrize(
    "existing, setting, expected",
    [
        (None, scope.INBOX, scope.INBOX),
        (None, scope.PHONE_NUMBER, scope.PHONE_NUMBER),
        (scope.INBOX, scope.PHONE_NUMBER, scope.INBOX),
        (scope.PHONE_NUMBER, scope.INBOX, scope.INBOX),
    ],
)
def test_effective_scope_is_never_weaker(existing, setting, expected):
    assert scope.effective_scope(existing, setting) == expected


SIG = "Reply STOP to opt out."


@pytest.mark.parametrize(
    "mode, system, signed_before, expected",
    [
        (signature.OFF, False, False, False),
        (signature.EVERY_MESSAGE, False, False, True),
        (signature.EVERY_MESSAGE, False, True, True),
        (signature.FIRST_IN_CONVERSATION, False, False, True),
        (signature.FIRST_IN_CONVERSATION, False, True, False),
        (signature.EVERY_MESSAGE, True, False, False),
        (signature.FIRST_IN_CONVERSATION, True, False, False),
    ],
)
def test_should_sign(mode, system, signed_before, expected):
    assert (
        signature.should_sign(
            mode=mode,
            signature=SIG,
            body="Hello",
            is_system_reply=system,
            conversation_signed=signed_before,
        )
        is expected
    )


def test_never_signed_twice():
    body = "Hello\nreply stop to opt out.  "
    assert not signature.should_sign(
        mode=signature.EVERY_MESSAGE,
        signature=SIG,
        body=body,
        is_system_reply=False,
        conversation_signed=False,
    )


def test_blank_signature_is_never_appended():
    assert not signature.should_sign(
        mode=signature.EVERY_MESSAGE,
        signature="  ",
        body="Hi",
        is_system_reply=False,
        conversation_signed=False,
    )


def test_apply_puts_signature_on_its_own_line():
    assert signature.apply("Hello  ", SIG) == "Hello\nReply STOP to opt out."
