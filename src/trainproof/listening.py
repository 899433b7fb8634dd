"""Addresses a server of trainproof listens on: which only this machine can reach, and how a URL writes them.

The web console and the MCP server over HTTP both refuse to listen off loopback without a deliberate
step (a token, `--allow-remote`), so both ask here what loopback is.
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback", "is_wildcard", "url_host"]


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost).

    Any other name counts as reachable from the network: what it resolves to can change.
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """True for 0.0.0.0 and ::, which listen on every interface."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def url_host(host: str) -> str:
    """`host` as written in a URL or a Host header (IPv6 in brackets)."""
    bare = host.strip("[]")
    try:
        return f"[{bare}]" if ipaddress.ip_address(bare).version == 6 else bare
    except ValueError:
        return host
