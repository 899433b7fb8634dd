"""The inputs the HTTP transport's checks get: which Host and Origin values, and when a token is required.

The checks themselves run in the SDK; tests/faults/test_mcp_hardening.py drives them over real HTTP.
"""

from __future__ import annotations

import anyio
import pytest

from trainproof.errors import ConfigError
from trainproof.mcp_server.http_security import (
    StaticTokenVerifier,
    allowed_hosts,
    allowed_origins,
    is_loopback,
    plan,
)

LOCAL = ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.2.1", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "myhost", "localhost.example.com"])
def test_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_a_wildcard_bind_adds_no_host_of_its_own() -> None:
    assert allowed_hosts("0.0.0.0", 8000) == LOCAL
    assert allowed_hosts("::", 8000) == LOCAL


def test_the_bound_address_is_allowed_on_its_port() -> None:
    assert allowed_hosts("192.168.1.5", 8000) == [*LOCAL, "192.168.1.5:8000"]
    assert allowed_hosts("fe80::1", 8000) == [*LOCAL, "[fe80::1]:8000"]
    assert allowed_hosts("localhost", 8000) == LOCAL


def test_extra_hosts_with_and_without_a_port() -> None:
    extra = ["mcp.example.com", "proxy.example.com:8443", "any.example.com:*", "::2", "[::3]:9"]
    assert allowed_hosts("0.0.0.0", 8000, extra)[len(LOCAL) :] == [
        "mcp.example.com",
        "mcp.example.com:8000",
        "proxy.example.com:8443",
        "any.example.com:*",
        "[::2]",
        "[::2]:8000",
        "[::3]:9",
    ]


def test_origins_are_local_pages_on_the_servers_port_and_the_ones_given() -> None:
    assert allowed_origins("0.0.0.0", 8000, ["https://app.example.com/"]) == [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
        "https://app.example.com",
    ]


def test_a_token_is_required_off_loopback_and_whenever_one_is_set() -> None:
    assert plan("127.0.0.1", 8000, env={}).token is None
    generated = plan("0.0.0.0", 8000, env={})
    assert generated.token_generated
    assert generated.token is not None
    assert len(generated.token) >= 32
    assert generated.token != plan("0.0.0.0", 8000, env={}).token
    chosen = "c" * 20
    for host in ("127.0.0.1", "0.0.0.0"):
        security = plan(host, 8000, env={"TRAINPROOF_MCP_TOKEN": chosen})
        assert (security.token, security.token_generated) == (chosen, False)
        assert security.transport.enable_dns_rebinding_protection
    assert plan("127.0.0.1", 8000, env={"TRAINPROOF_MCP_TOKEN": "  "}).token is None  # empty counts as unset


@pytest.mark.parametrize("token", ["abc123", "with a space in it", "non-ascii-tökenvalue"])
def test_a_token_a_header_cannot_carry_or_too_short_is_refused(token: str) -> None:
    with pytest.raises(ConfigError) as caught:
        plan("0.0.0.0", 8000, env={"TRAINPROOF_MCP_TOKEN": token})
    assert token not in caught.value.message


def test_the_verifier_accepts_only_the_token_and_keeps_no_copy_in_its_answer() -> None:
    token = "s3cret-" + "z" * 30
    verifier = StaticTokenVerifier(token)

    async def check() -> None:
        accepted = await verifier.verify_token(token)
        assert accepted is not None
        assert token not in accepted.model_dump_json()
        for wrong in ("", token[:-1], token + "z", token.upper(), "ü" * len(token)):
            assert await verifier.verify_token(wrong) is None

    anyio.run(check)
