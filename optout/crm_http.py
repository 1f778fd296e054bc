"""Posting a CRM notification to the address that was checked, and no other.

A URL's host is resolved, every address it resolves to is checked (`url_rules`), and the
connection goes to a checked address: a DNS answer that changes between the check and the
connection (DNS rebinding) cannot send the post to the server's own network. TLS still verifies
the certificate against the URL's host name (SNI and hostname check) and the Host header names
it. Redirects are not followed (a 3xx is a failed delivery), nor are proxies from the
environment used (a proxy would resolve the name again).

With settings.CRM_ALLOW_PRIVATE_URLS (the embedded mode, tests) there is nothing to check: any
http(s) URL is posted to directly."""

import ipaddress
import os
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest

from . import url_rules
from .url_rules import Address


class UrlRefused(Exception):
    """The URL, or an address its host resolves to, may not receive notifications. Not
    transient: the delivery fails without retry."""


def resolve(host: str, port: int) -> list[Address]:
    """Every address the host resolves to, in the resolver's order, without repeats."""
    found: list[Address] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(sockaddr[0]))
        if address not in found:
            found.append(address)
    return found


def refusal_at_creation(url: str, *, allow_private: bool) -> str | None:
    """Why an endpoint may not be created with this URL, or None. A host that does not resolve
    now is accepted (every delivery checks again)."""
    refusal = url_rules.url_refusal(url, allow_private=allow_private)
    if refusal or allow_private:
        return refusal
    host, port = url_rules.host_and_port(url)
    if url_rules.literal_address(host) is not None:
        return None  # judged by url_refusal
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return None
    return url_rules.addresses_refusal(host, addresses)


def checked_address(url: str) -> Address:
    """The address to connect to for this URL: its host resolved, every address checked. Raises
    UrlRefused, or requests.ConnectionError when the name does not resolve (worth a retry)."""
    refusal = url_rules.url_refusal(url, allow_private=False)
    if refusal:
        raise UrlRefused(refusal)
    host, port = url_rules.host_and_port(url)
    literal = url_rules.literal_address(host)
    if literal is not None:
        return literal
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise requests.ConnectionError(f"{host} does not resolve: {exc}") from exc
    if not addresses:
        raise requests.ConnectionError(f"{host} does not resolve")
    refusal = url_rules.addresses_refusal(host, addresses)
    if refusal:
        raise UrlRefused(refusal)
    return addresses[0]


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to one given address, whatever the URL's host resolves to by then; TLS checks
    the certificate against the URL's host name, and the Host header names it."""

    def __init__(self, address: Address, **kwargs: Any) -> None:
        self.address = address
        super().__init__(**kwargs)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        hostname = host_params["host"]
        host_params = {**host_params, "host": str(self.address)}
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": hostname, "assert_hostname": hostname}
        return host_params, pool_kwargs

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        netloc = urlsplit(str(request.url)).netloc
        request.headers["Host"] = netloc.rpartition("@")[2]


def _ca_bundle() -> str | bool:
    """The CA bundle requests would use (environment proxies are off, and with them requests'
    reading of REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> requests.Response:
    """POSTs `body` to a CRM URL. Raises UrlRefused (no retry) or a requests exception."""
    if settings.CRM_ALLOW_PRIVATE_URLS:
        return requests.post(url, data=body, timeout=timeout, headers=headers)
    address = checked_address(url)
    with requests.Session() as session:
        session.trust_env = False
        adapter = PinnedAddressAdapter(address)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session.post(
            url,
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            verify=_ca_bundle(),
        )
