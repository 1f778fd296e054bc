"""Password reset through Django's views in the product's look: the email (through EMAIL_URL's
backend) links to PUBLIC_BASE_URL, the link sets a new password once."""

import re

from django.core import mail

from tests.support.settings_pages import field_errors, words


def test_a_forgotten_password_is_reset_by_email(client, world, settings):
    settings.PUBLIC_BASE_URL = "https://cc.example.com"
    assert "Reset your password" in words(client.get("/password-reset/"))
    response = client.post("/password-reset/", {"email": "ADMIN@acme.test"})
    assert response["Location"] == "/password-reset/sent/"
    assert "Check your email" in words(client.get(response["Location"]))
    [email] = mail.outbox
    assert email.subject == "Reset your Compliance Center password"
    link = re.search(r"https://cc\.example\.com/password-reset/\S+/\S+/", email.body).group(0)
    path = link.removeprefix("https://cc.example.com")
    form = client.get(path, follow=True)
    assert "Choose a new password" in words(form)
    set_password = form.redirect_chain[-1][0]
    weak = client.post(set_password, {"new_password1": "password", "new_password2": "password"})
    assert "This password is too common." in field_errors(weak, "new_password1")
    done = client.post(
        set_password, {"new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"}
    )
    assert done["Location"] == "/password-reset/done/"
    world.admin_user.refresh_from_db()
    assert world.admin_user.check_password("brand-new-pass-42")
    # The link works once.
    assert "This password reset link was already used or has expired" in words(
        client.get(path, follow=True)
    )


def test_an_unknown_email_gets_the_same_page_and_no_email(client, db):
    response = client.post("/password-reset/", {"email": "nobody@nowhere.test"})
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []
