"""Where the Reporting API token may be sent.

Every request carries the token as a Bearer header, so the base URL decides who receives it. A
trainproof.toml lying in a working folder must not be able to redirect it, so: KnowBe4's API hosts
(https) and loopback (a local simulator or proxy) are always fine; any other host must be asked for
explicitly (KNOWBE4_BASE_URL, or `allow_custom_base_url = true` in [knowbe4]); plain HTTP never leaves
the machine; link-local and cloud-metadata addresses (where a request can reach an instance's
credentials service) are refused whatever was asked.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from trainproof.errors import ConfigError

REGIONS: dict[str, str] = {
    "us": "https://us.api.knowbe4.com",
    "eu": "https://eu.api.knowbe4.com",
    "ca": "https://ca.api.knowbe4.com",
    "uk": "https://uk.api.knowbe4.com",
    "de": "https://de.api.knowbe4.com",
}
KNOWBE4_HOSTS = frozenset(f"{region}.api.knowbe4.com" for region in REGIONS)

# Cloud instance-metadata services by name and by address (besides all of 169.254.0.0/16 and fe80::/10):
# Google's names, AWS's names and IPv6 address, Alibaba's address, Azure's WireServer, Tencent's name.
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
    }
)
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200", "168.63.129.16"))

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_base_url(url: str, *, explicit: bool, origin: str) -> str:
    """The base URL without a trailing slash, or ConfigError saying why the token may not go there.

    `explicit` is True when the person asked for this URL on purpose (KNOWBE4_BASE_URL, a program
    passing it, or `allow_custom_base_url = true`); `origin` names where it came from, for the message.
    """
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{origin} is not an http(s) URL", "e.g. https://eu.api.knowbe4.com or http://127.0.0.1:8765")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"{origin} holds a user name or password",
            "remove the part before @: KnowBe4 takes only the KNOWBE4_API_KEY token",
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"{origin} has a query or fragment", "give only scheme, host, port and path")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ConfigError(f"{origin} has no host", "e.g. https://eu.api.knowbe4.com")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{origin} has an invalid port", "e.g. http://127.0.0.1:8765") from None
    shown = _shown(parts, host, port)
    address = _address(host.partition("%")[0])  # an IPv6 zone (fe80::1%eth0) does not change the address

    if host in METADATA_NAMES or (address is not None and (address.is_link_local or address in METADATA_ADDRESSES)):
        raise ConfigError(
            f"{origin} {shown} is a link-local or cloud-metadata address, where the token is never sent",
            "use your KnowBe4 region (KNOWBE4_REGION) or a proxy's own address",
        )
    if address is not None and address.is_unspecified:
        raise ConfigError(
            f"{origin} {shown} is a listening address, not one to connect to", "use 127.0.0.1 (or ::1) instead"
        )
    if _is_loopback(host, address):
        return text
    if parts.scheme == "http":
        raise ConfigError(
            f"{origin} {shown} would send the token unencrypted over plain HTTP",
            "use https:// (plain HTTP is allowed only to 127.0.0.1, ::1 or localhost)",
        )
    if host in KNOWBE4_HOSTS or explicit:
        return text
    raise ConfigError(
        f"{origin} {shown} is not a KnowBe4 API host ({', '.join(sorted(KNOWBE4_HOSTS))})",
        "to send the token there on purpose add allow_custom_base_url = true under [knowbe4] "
        "or set KNOWBE4_BASE_URL in the environment; otherwise set region instead",
    )


def _address(host: str) -> _Address | None:
    """The IP address a host names, including forms the resolver accepts (2852039166, 0xa9.0xfe.43518)."""
    try:
        address: _Address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_loopback(host: str, address: _Address | None) -> bool:
    if address is not None:
        return address.is_loopback
    return host == "localhost" or host.endswith(".localhost")  # RFC 6761: always the machine itself


def _shown(parts: SplitResult, host: str, port: int | None) -> str:
    """scheme://host[:port]: enough to recognise the URL, never anything that could hold a secret."""
    name = f"[{host}]" if ":" in host else host
    return f"'{parts.scheme}://{name}{f':{port}' if port is not None else ''}'"
