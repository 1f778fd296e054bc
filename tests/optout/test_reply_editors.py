"""The replies a workspace edits (opt-out and opt-in confirmations, HELP, the double opt-in
request, the welcome text) preview live as the contact would get them, counted server-side,
with soft warnings; a saved section says so next to itself."""

import pytest

from optout import replies
from optout.selectors import reply_text_preview
from tests.support.pages import text

pytestmark = pytest.mark.django_db

PREVIEW = "/compliance/opt-out/reply-preview/"


def live(client, kind, field, value):
    return client.post(PREVIEW, {"kind": kind, field: value}).content.decode()


def test_an_opt_out_confirmation_says_how_to_opt_back_in_in_one_segment(world):
    good = reply_text_preview(
        workspace=world.workspace,
        kind="opt_out",
        text="You are unsubscribed. Reply START to opt back in.",
    )
    assert good.warnings == [] and good.info.segments == 1
    silent = reply_text_preview(workspace=world.workspace, kind="opt_out", text="Unsubscribed.")
    assert len(silent.warnings) == 1 and "how to opt back in" in silent.warnings[0]
    long = reply_text_preview(
        workspace=world.workspace, kind="opt_out", text="Bye, reply START to return. " * 7
    )
    assert long.info.segments == 2
    assert any("runs past one segment (2 segments)" in w for w in long.warnings)


def test_a_custom_opt_in_keyword_counts_as_the_way_back(world):
    from optout import services

    services.keyword_add(workspace=world.workspace, kind="opt_in", keyword="REJOIN")
    preview = reply_text_preview(
        workspace=world.workspace, kind="opt_out", text="Unsubscribed. Text REJOIN to come back."
    )
    assert preview.warnings == []


def test_the_double_opt_in_request_lists_what_it_lacks_and_names_the_brand(world):
    preview = reply_text_preview(
        workspace=world.workspace, kind="double_opt_in", text="{brand}: reply YES for deals."
    )
    assert preview.final == "Acme: reply YES for deals."
    assert "how to stop (STOP)" in preview.missing
    assert "“Msg & data rates may apply”" in preview.missing
    assert "the brand ({brand} or your business name)" not in preview.missing
    assert (
        replies.double_opt_in_missing(
            "{brand}: reply YES to get 4 msgs/month. STOP to stop, HELP for help. Msg & data rates "
            "may apply.",
            "Acme",
        )
        == []
    )


def test_the_live_preview_endpoint_answers_each_editor(as_admin, world):
    page = live(as_admin, "opt_out", "opt_out_confirmation_text", "You're out.")
    assert "You&#x27;re out." in page and "how to opt back in" in page
    assert 'data-segments="1"' in page
    welcome = live(as_admin, "welcome", "welcome_text", "{brand} says hi 🙂")
    assert "Acme says hi" in welcome and 'data-encoding="UCS-2"' in welcome
    help_reply = live(as_admin, "help", "help_text", "x" * 161)
    assert 'data-segments="2"' in help_reply and "runs past one segment" in help_reply
    empty = live(as_admin, "opt_in", "opt_in_confirmation_text", "")
    assert "Write the text the contact receives." in empty
    assert as_admin.post(PREVIEW, {"kind": "nope"}).status_code == 400


def test_the_editors_are_wired_to_their_preview(as_admin, world):
    opt_out = as_admin.get("/compliance/opt-out/").content.decode()
    for kind in ("opt_out", "double_opt_in", "welcome"):
        assert f'hx-target="#preview-{kind}"' in opt_out and f'id="preview-{kind}"' in opt_out
    keywords = as_admin.get("/compliance/keywords/").content.decode()
    for kind in ("opt_in", "help"):
        assert f'hx-target="#preview-{kind}"' in keywords and f'id="preview-{kind}"' in keywords


def test_a_saved_section_confirms_next_to_itself(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "confirmation",
            "opt_out_confirmation_enabled": "on",
            "opt_out_confirmation_text": "Unsubscribed. Reply START to opt back in.",
        },
        follow=True,
    )
    page = response.content.decode()
    section = page[page.index('id="confirmation"') :]
    section = section[: section.index("</section>")]
    assert 'data-saved="confirmation"' in section and "Opt-out confirmation saved." in section
    top = page[: page.index("<main")]
    assert "Opt-out confirmation saved." not in top  # not in the flash far above
    assert 'data-saved="confirmation"' not in text(as_admin.get("/compliance/opt-out/"))

    kept = as_admin.post(
        "/compliance/keywords/replies/",
        {"opt_in_confirmation_text": "Welcome back!", "help_text": "Call us."},
        follow=True,
    ).content.decode()
    replies_card = kept[kept.index('id="replies"') :]
    assert 'data-saved="replies"' in replies_card[: replies_card.index("</section>")]
