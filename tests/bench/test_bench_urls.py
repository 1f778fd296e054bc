"""The bench's one-INSERT reference view lives in bench/urls.py, selected only by bench/settings.py:
the product's own settings never route it."""

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

REFERENCE = "/bench/one-insert/"


def test_the_product_does_not_route_the_reference_view(client):
    assert settings.ROOT_URLCONF == "compliance_center.urls"
    with pytest.raises(Resolver404):
        resolve(REFERENCE)
    assert client.post(REFERENCE, {"MessageSid": "SM" + "0" * 32}).status_code == 404


def test_the_bench_urlconf_routes_it_beside_the_product_routes():
    assert resolve(REFERENCE, urlconf="bench.urls").url_name == "bench-one-insert"
    assert resolve("/webhooks/twilio/sms/", urlconf="bench.urls").url_name == "twilio-sms"
