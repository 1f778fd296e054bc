"""Where CRM notifications may be posted: the rules on a URL and on the addresses its host
resolves to, without any I/O (the lookup and the connection are `optout.crm_http`'s).

In production a CRM URL is https and every address of its host is a public internet address: no
loopback, private, link-local (the cloud metadata service at 169.254.169.254), shared, multicast,
reserved or unspecified address, in IPv4 or IPv6, nor an IPv6 address that embeds such an IPv4
address (IPv4-mapped, IPv4-compatible, 6to4, NAT64). Otherwise the server would post, for anyone
who may add a webhook endpoint, to the services on its own network (server-side request
forgery). `allow_private` (settings.CRM_ALLOW_PRIVATE_URLS: the embedded mode, tests) lifts both
rules."""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def literal_address(host: str) -> Address | None:
    """The address a host names literally, or None for a name to look up. The old IPv4 spellings
    that resolvers still accept count too: `127.1`, `0x7f.0.0.1`, `2130706433`, `0177.0.0.1`."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if not host or not all(c.isalnum() or c == "." for c in host) or not host[0].isdigit():
        return None  # a name: inet_aton would read "1e100.net" as nothing, but be sure
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))  # pure parsing, no lookup
    except OSError:
        return None


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and would reach, if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: Address) -> str | None:
    """What makes an address unfit for CRM notifications ("a loopback address"…), or None
    for a public internet address."""
    inner = embedded_ipv4(address)
    if inner is not None:
        kind = _kind(inner)
        return f"an IPv6 form of {inner}, {kind}" if kind else None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast:
        return "a multicast address"
    if not address.is_global or address.is_reserved or address.is_unspecified:
        return "not a public internet address"
    return None


def address_refusal(address: Address) -> str | None:
    """Why CRM notifications may not go to this address (a sentence), or None when it is a
    public internet address."""
    kind = _kind(address)
    return f"{address} is {kind}" if kind else None


def _parts(url: str) -> tuple[SplitResult | None, str | None]:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return None, "The URL is not valid."
    return parts, None


def url_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why CRM notifications may not be posted to this URL, judged without any lookup (a
    sentence), or None. A URL that passes may still name a host whose addresses are refused."""
    parts, problem = _parts(url)
    if parts is None:
        return problem
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return "The URL must start with https://."
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "The URL has no host."
    if allow_private:
        return None
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return f"{host} is this server itself: CRM notifications go only to public internet hosts."
    address = literal_address(host)
    refusal = address_refusal(address) if address is not None else None
    if refusal:
        return f"{refusal}: CRM notifications go only to public internet addresses."
    if scheme != "https":
        return "The URL must use https."
    return None


def host_and_port(url: str) -> tuple[str, int]:
    """The host to look up (without brackets or a final dot) and the port to connect to, of a
    URL that `url_refusal` accepted."""
    parts = urlsplit(url.strip())
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return (parts.hostname or "").rstrip("."), port


def addresses_refusal(host: str, addresses: list[Address]) -> str | None:
    """Why a host whose name resolved to these addresses may not be posted to: any one refused
    address is enough (an attacker's DNS may answer with a public and a private one)."""
    for address in addresses:
        kind = _kind(address)
        if kind:
            return (
                f"{host} resolves to {address}, {kind}: CRM notifications go only to public "
                "internet addresses."
            )
    return None
