"""Who may use the console, and what a browser may do with its pages.

The console serves compliance data of a whole company from a laptop, so each defence is a well-kept
mechanism rather than code of our own:

- the bind: loopback only unless `--allow-remote` (then TLS belongs in front of it);
- DNS rebinding: Starlette's TrustedHostMiddleware answers 400 to any Host header not of this server;
- sign-in: like Jupyter and datasette's `--root`, a one-time token in the printed URL; opening it puts a
  signed, HttpOnly, SameSite=Strict session cookie (Starlette's SessionMiddleware, itsdangerous) whose
  key is new at every start, so a restart signs everyone out;
- CSRF: starlette-csrf's double-submit token on every POST (htmx sends it as the X-CSRFToken header);
- the browser: a Content-Security-Policy without inline script (the one inline style allowed is the
  chart's, by its hash), no framing, no referrer (the login URL holds the token), no caching of pages
  that hold personal data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trainproof.errors import ConfigError
from trainproof.listening import is_loopback, url_host

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "LoginToken",
    "SecurityHeaders",
    "allowed_hosts",
    "check_bind",
    "is_loopback",
    "url_host",
]

SESSION_COOKIE = "trainproof_session"
CSRF_COOKIE = "trainproof_csrf"
CSRF_HEADER = "x-csrftoken"


def _chart_style() -> str:
    """The CSP source of the one inline style the pages carry: the `style` attribute every chart of
    `trainproof.reports.charts` puts on its <svg> (fonts, scaling), allowed by its hash alone."""
    from trainproof.reports.charts import line_chart

    found = re.search(r' style="([^"]*)"', line_chart([], [], title=""))
    style = found.group(1) if found else ""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return f"'unsafe-hashes' 'sha256-{digest}'"


CSP = (
    f"default-src 'none'; script-src 'self'; style-src 'self' {_chart_style()}; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cache-control", "no-store"),
)
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def check_bind(host: str, *, allow_remote: bool) -> str | None:
    """Refuse a host other machines can reach unless `allow_remote`; then return the warning to show."""
    if is_loopback(host):
        return None
    if not allow_remote:
        raise ConfigError(
            f"--host {host} would let other machines reach the console",
            "keep the default 127.0.0.1, or add --allow-remote behind a TLS proxy",
        )
    return (
        f"warning: the console on {host} speaks plain HTTP: put a TLS proxy in front of it "
        "and give its public name with --allowed-host"
    )


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> list[str]:
    """Host header names accepted (without port): loopback names, the bound address unless it is a
    wildcard (0.0.0.0 names no host), and `extra` (the name a proxy forwards)."""
    names: list[str] = list(_LOOPBACK_NAMES)
    candidates = [host.strip("[]"), *(e.strip().strip("[]") for e in extra)]
    for name in candidates:
        if not name or name.lower() in names:
            continue
        try:
            if ipaddress.ip_address(name).is_unspecified:
                continue
        except ValueError:
            if not re.fullmatch(r"[A-Za-z0-9.-]+", name):
                raise ConfigError(
                    f"--allowed-host {name!r} is not a host name", "give a name like console.example.com"
                ) from None
        names.append(name.lower())
    return names


class LoginToken:
    """The secret in the printed URL: good for one sign-in, compared in constant time."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value or secrets.token_urlsafe(32)
        self._used = False
        self._lock = threading.Lock()

    def redeem(self, candidate: str) -> bool:
        """True once, for the right value; every later or wrong try is False."""
        with self._lock:
            if self._used or not hmac.compare_digest(candidate.encode(), self.value.encode()):
                return False
            self._used = True
            return True


@dataclass(frozen=True)
class SecurityHeaders:
    """Pure ASGI middleware adding the browser-side policy to every response, errors included."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
