"""The OpenAPI schema and its docs page."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ["/api/v1/messages", "/api/v1/opt-outs/check", "/api/v1/keywords"]:
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
