"""Custom keywords are one word or a short phrase (as long as the Keywords card shows), sort
naturally, and the add field is disabled at 20 of 20."""

import re

import pytest

from compliance_center.errors import DomainError
from optout import services
from optout.models import Keyword
from optout.selectors import custom_keywords_by_kind
from tests.support.pages import text

pytestmark = pytest.mark.django_db


def test_a_keyword_longer_than_the_card_is_refused_by_the_service(world):
    with pytest.raises(DomainError) as refused:
        services.keyword_add(
            workspace=world.workspace, kind="opt_out", keyword="please take me off this list now"
        )
    assert refused.value.code == "invalid_keyword" and refused.value.field == "keyword"
    assert "one word or a short phrase: 24 characters at most (this one has 32)" in (
        refused.value.detail
    )
    phrase = services.keyword_add(workspace=world.workspace, kind="opt_out", keyword="  no   more ")
    assert phrase.keyword == "NOMORE"  # spaces inside are ignored when matching
    assert services.keyword_add(workspace=world.workspace, kind="help", keyword="x" * 24)


def test_the_api_refuses_it_with_the_same_words(api, world):
    response = api.post("/api/v1/keywords", {"kind": "opt_out", "keyword": "a" * 25}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_keyword"
    assert "24 characters at most" in response.json()["detail"]


def test_the_tab_says_so_next_to_the_field(as_admin, world):
    response = as_admin.post(
        "/compliance/keywords/add/opt_out/",
        {"opt_out-keyword": "b" * 30, "opt_out-kind": "opt_out"},
    )
    assert "24 characters at most (this one has 30)" in text(response)
    assert not Keyword.objects.exists()


def test_custom_keywords_sort_naturally(as_admin, world):
    for word in ("DEAL10", "deal2", "Alpha", "DEAL1"):
        services.keyword_add(workspace=world.workspace, kind="opt_in", keyword=word)
    ordered = [k.keyword for k in custom_keywords_by_kind(world.workspace)["opt_in"]]
    assert ordered == ["ALPHA", "DEAL1", "DEAL2", "DEAL10"]
    page = as_admin.get("/compliance/keywords/").content.decode()
    shown = re.findall(r'data-keyword="([^"]+)"', page)
    assert shown == ordered


def test_the_add_field_is_disabled_at_the_limit(as_admin, world):
    for i in range(20):
        services.keyword_add(workspace=world.workspace, kind="help", keyword=f"AIDE{i}")
    page = as_admin.get("/compliance/keywords/").content.decode()
    card = page[page.index('id="kw-help"') :]
    card = card[: card.index("</section>")]
    assert re.search(r'<input[^>]*name="help-keyword"[^>]*disabled', card)
    assert re.search(r'<button type="submit" class="primary" disabled>Add</button>', card)
    assert "20 of 20: remove a custom keyword to add another." in card
    other = page[page.index('id="kw-opt_out"') :]
    other = other[: other.index("</section>")]
    assert "disabled" not in other
