"""Where CRM notifications may go (optout/url_rules.py), without any lookup: https to public
internet addresses in production; anything http(s) when private URLs are allowed."""

import ipaddress

import pytest

from optout.url_rules import address_refusal, addresses_refusal, literal_address, url_refusal


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "https://127.0.0.1/hook",
        "https://127.0.0.1:8443/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/",
        "https://172.16.3.4/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",  # carrier-grade NAT, shared
        "https://0.0.0.0/",  # reaches this host
        "https://224.0.0.1/",
        "https://255.255.255.255/",
        "https://[::1]/",
        "https://[::]/",
        "https://[fe80::1]/",
        "https://[fd00::5]/",
        "https://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "https://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, mapped
        "https://[::7f00:1]/",  # IPv4-compatible 127.0.0.1
        "https://[64:ff9b::a00:5]/",  # NAT64 of 10.0.0.5
        "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "https://2130706433/",  # 127.0.0.1 as one number
        "https://0x7f.1/",
        "https://127.1/",
        "https://0177.0.0.1/",
        "https://localhost/",
        "https://LOCALHOST./",
        "https://api.localhost/",
    ],
)
def test_private_loopback_and_link_local_urls_are_refused_in_production(url):
    refusal = url_refusal(url, allow_private=False)
    assert refusal, url
    assert refusal.endswith(".")


@pytest.mark.parametrize(
    "url",
    ["https://crm.example.com/hook", "https://93.184.215.14/x", "https://[2606:4700::1]:8443/x"],
)
def test_https_to_a_name_or_a_public_address_passes(url):
    assert url_refusal(url, allow_private=False) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://crm.example.com/hook", "https"),
        ("ftp://crm.example.com/", "https://"),
        ("file:///etc/passwd", "https://"),
        ("gopher://127.0.0.1:6379/", "https://"),
        ("https:///hook", "no host"),
        ("https://crm.example.com:99999/", "not valid"),
    ],
)
def test_other_schemes_and_broken_urls_are_refused(url, words):
    assert words in url_refusal(url, allow_private=False)


def test_the_refusal_names_the_address_and_what_it_is():
    assert url_refusal("https://169.254.169.254/", allow_private=False) == (
        "169.254.169.254 is a link-local address: "
        "CRM notifications go only to public internet addresses."
    )
    assert "::ffff:7f00:1 is an IPv6 form of 127.0.0.1, a loopback address" in url_refusal(
        "https://[::ffff:127.0.0.1]/", allow_private=False
    )


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://[::1]/", "https://10.0.0.5/", "http://localhost/"]
)
def test_private_urls_pass_when_allowed(url):
    assert url_refusal(url, allow_private=True) is None


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "https:///x", "javascript:alert(1)"])
def test_only_http_urls_with_a_host_pass_when_private_is_allowed(url):
    assert url_refusal(url, allow_private=True)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("crm.example.com", None),
        ("1e100.net", None),
        ("123.example", None),
    ],
)
def test_literal_address(host, expected):
    found = literal_address(host)
    assert (str(found) if found else None) == expected


def test_public_addresses_pass():
    for text in ("8.8.8.8", "93.184.215.14", "2606:4700::1", "::ffff:8.8.8.8"):
        assert address_refusal(ipaddress.ip_address(text)) is None, text


def test_a_name_is_refused_if_any_of_its_addresses_is():
    public, private = ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.5")
    assert addresses_refusal("crm.example.com", [public]) is None
    refusal = addresses_refusal("crm.example.com", [public, private])
    assert refusal == (
        "crm.example.com resolves to 10.0.0.5, a private address: "
        "CRM notifications go only to public internet addresses."
    )
