"""The client's address behind a known number of reverse proxies (compliance_center/client_ip.py):
X-Forwarded-For only counts when proxies are trusted, and then only the part they wrote."""

import pytest

from compliance_center.client_ip import client_address


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.7"}, 0, "203.0.113.7"),
        # No trusted proxy: the header is the client's own words and is ignored.
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, 0, "203.0.113.7"),
        # One proxy: it appended the address it saw; what the client wrote before is ignored.
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.7"}, 1, "192.0.2.7"),
        (
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 192.0.2.7"},
            1,
            "192.0.2.7",
        ),
        # Two proxies (a load balancer, then nginx): the balancer's view, second from the right.
        (
            {"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 192.0.2.7, 10.0.0.2"},
            2,
            "192.0.2.7",
        ),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": " 2001:db8::1 "}, 1, "2001:db8::1"),
        # A request that did not come through the proxies: the peer is the only sure address.
        ({"REMOTE_ADDR": "203.0.113.7"}, 1, "203.0.113.7"),
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, 2, "203.0.113.7"),
        # Garbage where an address should be: the peer.
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "unknown"}, 1, "10.0.0.2"),
        ({}, 0, None),
    ],
)
def test_client_address(meta, proxies, expected):
    assert client_address(meta, proxies) == expected
