"""Contacts with tags and custom fields, and the filters of `GET contacts`: search, tag, consent
state, opt-out state, keyset paging by id; another workspace's contacts never show."""

import pytest

from optout import services as consent
from workspaces.models import Contact

pytestmark = pytest.mark.django_db


def _phones(response):
    assert response.status_code == 200, response.content
    return [c["phone"] for c in response.json()["results"]]


def test_a_contact_carries_tags_and_custom_fields(api, world):
    response = api.post(
        "/api/v1/contacts",
        {
            "phone": "(415) 555-0130",
            "name": "Ada",
            "tags": ["VIP", " vip ", "Paris"],
            "fields": {"City": "Lyon", "Zip code": "69001"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tags"] == ["paris", "vip"]
    assert body["fields"] == {"city": "Lyon", "zip_code": "69001"}
    assert body["consent_status"] == "unknown" and body["country"] == "US"
    bad = api.post(
        "/api/v1/contacts", {"phone": "+14155550131", "fields": {"name": "x"}}, format="json"
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    assert "fields" in bad.json()["fields"]


def test_filters_by_tag_consent_and_opt_out(api, world):
    for i, tags in enumerate([["vip"], ["vip", "paris"], [], ["paris"]]):
        api.post("/api/v1/contacts", {"phone": f"+1415555014{i}", "tags": tags}, format="json")
    consent.opt_out_api(
        workspace=world.workspace, contact_phone="+14155550141", phone_number=world.number_a
    )
    consent.consent_record(
        workspace=world.workspace,
        contact_phone="+14155550142",
        source="web_form",
        evidence="Signed up on the website",
    )
    assert _phones(api.get("/api/v1/contacts", {"tag": "VIP"})) == ["+14155550140", "+14155550141"]
    assert _phones(api.get("/api/v1/contacts", {"opted_out": "true"})) == ["+14155550141"]
    assert _phones(api.get("/api/v1/contacts", {"consent": "opted_in"})) == ["+14155550142"]
    assert _phones(api.get("/api/v1/contacts", {"consent": "unknown", "tag": "paris"})) == [
        "+14155550143"
    ]
    assert _phones(api.get("/api/v1/contacts", {"phone": "(415) 555-0141"})) == ["+14155550141"]
    [row] = api.get("/api/v1/contacts", {"phone": "+14155550141"}).json()["results"]
    assert row["opted_out"] is True and row["consent_status"] == "opted_out"
    assert api.get("/api/v1/contacts", {"consent": "maybe"}).json()["code"] == "invalid_choice"
    assert api.get("/api/v1/contacts", {"after": "x"}).status_code == 400


def test_keyset_pages_walk_every_contact_once(api, world):
    Contact.objects.bulk_create(
        Contact(workspace=world.workspace, phone=f"+1415556{i:04d}") for i in range(25)
    )
    seen, after = [], 0
    while True:
        page = api.get("/api/v1/contacts", {"after": after, "limit": 10}).json()["results"]
        if not page:
            break
        seen += [c["phone"] for c in page]
        after = page[-1]["id"]
    assert len(seen) == len(set(seen)) == 25


def test_another_workspaces_contacts_never_show(api, world, other_world):
    Contact.objects.create(workspace=other_world.workspace, phone="+14155550166", name="Foreign")
    from workspaces.tagging import contact_tags_set

    contact_tags_set(contact=Contact.objects.get(phone="+14155550166"), names=["vip"])
    assert _phones(api.get("/api/v1/contacts", {"tag": "vip"})) == []
    assert _phones(api.get("/api/v1/contacts", {"q": "Foreign"})) == []


def test_a_number_gets_its_types_throughput(api, world):
    assert world.number_a.messages_per_second == 1
    toll_free = api.post("/api/v1/phone-numbers", {"number": "+18005550100"}).json()
    assert toll_free["messages_per_second"] == 3
    fast = api.post(
        "/api/v1/phone-numbers", {"number": "+14155550109", "messages_per_second": 40}
    ).json()
    assert fast["messages_per_second"] == 40
