"""Who may talk to the MCP server over HTTP: a bearer token off loopback, and Host/Origin allow-lists always.

The MCP specification asks HTTP servers to validate Origin (DNS rebinding: a web page in the user's
browser reaching a server on localhost) and to bind to localhost unless they authenticate. The SDK holds
both mechanisms: `TransportSecuritySettings` checks Host and Origin (421 and 403), and a `TokenVerifier`
with `AuthSettings` puts its bearer middleware in front of /mcp (401). This module only decides their
inputs: which hosts and origins, and which token.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl

from trainproof.errors import ConfigError
from trainproof.listening import is_loopback, is_wildcard, url_host

TOKEN_ENV = "TRAINPROOF_MCP_TOKEN"  # noqa: S105  # a variable name, not a secret
MIN_TOKEN_LENGTH = 16
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _with_port(value: str, port: int) -> list[str]:
    """A Host header value as given when it has a port (or `:*`, any port); a bare name allows it on the
    server's port and without one (a proxy on port 80 or 443 sends no port)."""
    name, sep, tail = value.rpartition(":")
    if sep and (tail == "*" or tail.isdigit()) and (not value.startswith("[") or name.endswith("]")):
        return [value]
    return [value, f"{value}:{port}"]


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> list[str]:
    """Host header values accepted: localhost and the bound address on the server's port, then `extra`.

    A wildcard bind (0.0.0.0, ::) names no host, so remote clients need `extra`.
    """
    names: list[str] = list(_LOOPBACK_NAMES)
    if not is_wildcard(host) and url_host(host) not in names:
        names.append(url_host(host))
    values = [f"{name}:{port}" for name in names]
    for value in extra:
        values += [v for v in _with_port(url_host(value.strip()), port) if v not in values]
    return values


def allowed_origins(host: str, port: int, extra: Iterable[str] = ()) -> list[str]:
    """Origin header values accepted (browsers send one; other clients usually none, which passes)."""
    hosts = allowed_hosts(host, port)
    values = [f"http://{h}" for h in hosts]
    values += [o.strip().rstrip("/") for o in extra if o.strip().rstrip("/") not in values]
    return values


class StaticTokenVerifier:
    """The SDK's `TokenVerifier` for one shared bearer token, compared in constant time."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if not hmac.compare_digest(token.encode(), self._token):
            return None
        # The request scope gets a placeholder: the secret itself is kept only in this verifier.
        return AccessToken(token="verified", client_id="trainproof-mcp", scopes=[])  # noqa: S106


@dataclass(frozen=True)
class HttpSecurity:
    """Everything the HTTP transport enforces, and what `trainproof mcp` says about it at start-up."""

    host: str
    port: int
    transport: TransportSecuritySettings
    token: str | None
    token_generated: bool

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}/mcp"

    def verifier(self) -> StaticTokenVerifier | None:
        return StaticTokenVerifier(self.token) if self.token is not None else None

    def auth_settings(self) -> AuthSettings | None:
        """The SDK requires AuthSettings beside a verifier; trainproof itself issues the token, so the
        issuer is this server, and no OAuth routes or resource metadata are published."""
        if self.token is None:
            return None
        issuer = AnyHttpUrl(f"http://{url_host(self.host)}:{self.port}")
        return AuthSettings(issuer_url=issuer, resource_server_url=None)


def token_from(env: Mapping[str, str]) -> str | None:
    """TRAINPROOF_MCP_TOKEN, checked for what a bearer token must be (an empty value counts as unset)."""
    token = env.get(TOKEN_ENV, "").strip()
    if not token:
        return None
    if len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"{TOKEN_ENV} is shorter than {MIN_TOKEN_LENGTH} characters",
            "use a long random value, or unset it and let trainproof generate one",
        )
    if not all(33 <= ord(c) <= 126 for c in token):
        raise ConfigError(
            f"{TOKEN_ENV} holds spaces or characters outside printable ASCII, which an Authorization header "
            "cannot carry",
            "use letters, digits and punctuation only",
        )
    return token


def plan(
    host: str,
    port: int,
    *,
    extra_hosts: Iterable[str] = (),
    extra_origins: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
) -> HttpSecurity:
    """The HTTP transport's security for a bind address: Host/Origin checks always on; a bearer token when
    TRAINPROOF_MCP_TOKEN is set, and always off loopback (generated here when unset, shown once)."""
    token = token_from(os.environ if env is None else env)
    generated = False
    if token is None and not is_loopback(host):
        token, generated = secrets.token_urlsafe(32), True
    transport = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=allowed_hosts(host, port, extra_hosts),
        allowed_origins=allowed_origins(host, port, extra_origins),
    )
    return HttpSecurity(host=host, port=port, transport=transport, token=token, token_generated=generated)
