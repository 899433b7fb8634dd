"""Sign-in: the one-time link `trainproof serve` prints opens a session; without one, no page holds data.

Runs inside Starlette's SessionMiddleware (which signs the cookie) and starlette-csrf's middleware. The
login link's token is taken out of the address at once (a 303 to the same path without it), so it stays
out of the browser's history and of any later Referer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from trainproof.console.rendering import json_response, page, wants_json
from trainproof.console.security import LoginToken

__all__ = ["SignIn", "signed_in"]

STATIC_PREFIX = "/static/"
_SIGNED_IN = "signed_in"


def signed_in(request: Request) -> bool:
    session: dict[str, Any] = request.scope.get("session", {})
    return bool(session.get(_SIGNED_IN))


def _refused(request: Request, why: str) -> Response:
    if wants_json(request):
        return json_response({"error": why}, 401)
    return page(request, "login.html", {"title": "Sign in", "why": why}, 401)


@dataclass(frozen=True)
class SignIn:
    """Pure ASGI middleware: redeem the login token, or answer 401 to a request without a session."""

    app: ASGIApp
    token: LoginToken

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        offered = request.query_params.get("token")
        if offered is not None:
            if self.token.redeem(offered):
                scope["session"][_SIGNED_IN] = True
            elif not signed_in(request):
                why = "this sign-in link was already used or is not this console's: run `trainproof serve` again"
                await _refused(request, why)(scope, receive, send)
                return
            rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
            where = request.url.path + (f"?{rest}" if rest else "")
            await RedirectResponse(where, 303)(scope, receive, send)
            return
        if not signed_in(request):
            why = "sign in with the link `trainproof serve` printed (each link works once)"
            await _refused(request, why)(scope, receive, send)
            return
        await self.app(scope, receive, send)
