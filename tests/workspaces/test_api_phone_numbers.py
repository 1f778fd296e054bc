"""The REST API's phone numbers: the workspace's own list, E.164 normalisation, a number taken by
another workspace, an invalid number."""

import pytest

from tests.support.world import NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


def test_phone_numbers(api, world, other_world):
    listed = [n["number"] for n in api.get("/api/v1/phone-numbers").json()["results"]]
    assert listed == [NUMBER_A, NUMBER_B]  # not the other workspace's
    response = api.post("/api/v1/phone-numbers", {"number": "(415) 555-0102", "label": "Ops"})
    assert response.status_code == 201 and response.json()["number"] == "+14155550102"
    response = api.post("/api/v1/phone-numbers", {"number": "+14155550199"})
    assert (response.status_code, response.json()["code"]) == (409, "number_taken")
    response = api.post("/api/v1/phone-numbers", {"number": "12"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_number")
