"""/healthz: the database and the broker, 503 when one is down."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client, monkeypatch):
    from compliance_center import health

    monkeypatch.setattr(health, "_broker", lambda: "ok")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "workers": 0}
    monkeypatch.setattr(health, "_broker", lambda: "down: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["broker"].startswith("down")
