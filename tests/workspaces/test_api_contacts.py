"""The REST API's contacts: E.164 normalisation, duplicates, invalid numbers, the opted-out flag."""

import pytest

from tests.support.world import CONTACT

pytestmark = pytest.mark.django_db


def test_contacts(api, world):
    response = api.post("/api/v1/contacts", {"phone": "415-555-0123", "name": "Ada"})
    assert response.status_code == 201
    assert response.json()["phone"] == CONTACT
    again = api.post("/api/v1/contacts", {"phone": CONTACT})
    assert (again.status_code, again.json()["code"]) == (409, "contact_exists")
    assert api.post("/api/v1/contacts", {"phone": "abc"}).json()["code"] == "invalid_number"
    [contact] = api.get("/api/v1/contacts").json()["results"]
    assert contact["opted_out"] is False
