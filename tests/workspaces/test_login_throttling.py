"""Login throttling (django-axes): failures are counted per account *and* address together, on the
login page and on /admin/ alike. After LOGIN_FAILURE_LIMIT wrong passwords that account is refused
from that address, even with the right password, until LOGIN_COOLOFF_MINUTES have passed; other
accounts from that address, and that account from other addresses, still log in.

The policy is deliberate: locking the account everywhere would let anyone lock a known user out,
and locking the address would lock out a whole office behind one NAT."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

LOCKED = "Too many failed attempts for this account from this address. Try again in"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _login(client, email, password, *, path="/login/", address="203.0.113.7", **headers):
    return client.post(
        path, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def _fail(client, email, times, **kwargs):
    return [_login(client, email, "wrong-password", **kwargs) for _ in range(times)]


def test_wrong_passwords_then_the_right_one_is_refused_with_the_message(client, world):
    answers = _fail(client, "admin@acme.test", 5)
    assert [a.status_code for a in answers[:4]] == [200] * 4  # the form again, with its error
    assert answers[4].status_code == 429
    right = _login(client, "admin@acme.test", "pw-admin-1")
    assert right.status_code == 429
    page = right.content.decode()
    assert f"{LOCKED} 15 minutes." in page
    assert 'id="id_password"' in page  # still the login page, not a bare error
    assert _logged_in_as(client) is None


def test_another_account_from_the_same_address_still_logs_in(client, world):
    _fail(client, "admin@acme.test", 6)
    answer = _login(client, "manager@acme.test", "pw-manager-1")
    assert answer.status_code == 302
    assert _logged_in_as(client) == str(world.manager_user.pk)


def test_the_same_account_from_another_address_still_logs_in(client, world):
    _fail(client, "admin@acme.test", 6)
    answer = _login(client, "admin@acme.test", "pw-admin-1", address="198.51.100.20")
    assert answer.status_code == 302
    assert _logged_in_as(client) == str(world.admin_user.pk)


def test_a_case_variant_of_the_email_counts_against_the_same_account(client, world):
    _fail(client, "Admin@Acme.test", 3)
    _fail(client, "ADMIN@ACME.TEST", 2)
    assert _login(client, "admin@acme.test", "pw-admin-1").status_code == 429


def test_after_the_cool_off_the_right_password_works(client, world):
    _fail(client, "admin@acme.test", 5)
    assert _login(client, "admin@acme.test", "pw-admin-1").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert _login(client, "admin@acme.test", "pw-admin-1").status_code == 302
    assert _logged_in_as(client) == str(world.admin_user.pk)


def test_a_success_before_the_limit_starts_the_count_again(client, world):
    _fail(client, "admin@acme.test", 4)
    assert _login(client, "admin@acme.test", "pw-admin-1").status_code == 302
    client.post("/logout/")
    _fail(client, "admin@acme.test", 4)
    assert _login(client, "admin@acme.test", "pw-admin-1").status_code == 302


def test_the_admin_login_is_throttled_too(client, world):
    world.admin_user.is_staff = True
    world.admin_user.save(update_fields=["is_staff"])
    _fail(client, "admin@acme.test", 5, path="/admin/login/")
    answer = _login(client, "admin@acme.test", "pw-admin-1", path="/admin/login/")
    assert answer.status_code == 429
    assert LOCKED in answer.content.decode()
    assert _logged_in_as(client) is None


def test_failures_on_the_admin_and_the_login_page_add_up(client, world):
    _fail(client, "admin@acme.test", 3, path="/admin/login/")
    _fail(client, "admin@acme.test", 2)
    assert _login(client, "admin@acme.test", "pw-admin-1").status_code == 429


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):  # a client cannot escape the count by inventing addresses
        _login(client, "admin@acme.test", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    answer = _login(client, "admin@acme.test", "pw-admin-1", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert answer.status_code == 429


def test_behind_one_trusted_proxy_the_address_it_saw_is_counted(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"  # every request arrives from the proxy
    for _ in range(5):  # one client, which also sends a forged header of its own
        _login(
            client, "admin@acme.test", "x", address=proxy, HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.7"
        )
    locked = _login(
        client, "admin@acme.test", "pw-admin-1", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.7"
    )
    assert locked.status_code == 429
    other_client = _login(
        client, "admin@acme.test", "pw-admin-1", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.8"
    )
    assert other_client.status_code == 302
