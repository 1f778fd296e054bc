"""The REST API's token authentication: no token or a wrong one is a 401 with its code."""

import pytest
from rest_framework.test import APIClient

from tests.support.api import client_for

pytestmark = pytest.mark.django_db


def test_requests_without_a_valid_token_are_401(world):
    anonymous = APIClient()
    response = anonymous.get("/api/v1/compliance-settings")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = client_for("cc_wrong").get("/api/v1/compliance-settings")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
