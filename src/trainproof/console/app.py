"""The console as an ASGI application: routes, and the defences of `security.py` in front of them.

Middleware, outermost first: Host check (DNS rebinding) -> browser policy headers -> signed session
cookie -> CSRF -> sign-in. So a wrong Host never reaches the session, a POST without its CSRF token
never reaches sign-in or a page, and no page runs without a session.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette_csrf.middleware import CSRFMiddleware

from trainproof.config import Settings
from trainproof.console import accounts_page, evidence_pages, overview_page, pages, report_pages, selection_pages
from trainproof.console.rendering import JSON_SUFFIX, json_response, page, wants_json
from trainproof.console.security import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    LoginToken,
    SecurityHeaders,
    allowed_hosts,
)
from trainproof.console.signin import SignIn
from trainproof.console.state import ConsoleState
from trainproof.console.upload import UploadTooLarge
from trainproof.errors import ConfigError, TrainproofError
from trainproof.store.handle import StoreEngine
from trainproof.store.person_index import UnknownPerson

__all__ = ["create_app"]

Endpoint = Callable[[Request], Any]


def _twin(path: str, endpoint: Endpoint, name: str) -> list[BaseRoute]:
    """The page and its `.json` twin (the twin first: `/people/{who}` would also match `x.json`)."""
    twin = "/index" + JSON_SUFFIX if path == "/" else path + JSON_SUFFIX
    return [Route(twin, endpoint, name=f"{name}.json"), Route(path, endpoint, name=name)]


def _routes() -> list[BaseRoute]:
    from importlib.resources import files

    static = files("trainproof.console") / "static"
    return [
        *_twin("/", overview_page.overview, "overview"),
        Route("/people/{who}/reset", pages.reset, methods=["POST"], name="reset"),
        Route("/people/{who}/certificates/{training}.pdf", pages.certificate, name="certificate"),
        Route("/people.csv", pages.people, name="people.csv"),
        *_twin("/people", pages.people, "people"),
        *_twin("/people/{who}", pages.person, "person"),
        *_twin("/evidence", evidence_pages.evidence, "evidence"),
        Route("/evidence/verify.json", evidence_pages.evidence_verify, methods=["POST"], name="evidence_verify.json"),
        Route("/evidence/verify", evidence_pages.evidence_verify, methods=["POST"], name="evidence_verify"),
        Route("/evidence/{training}.zip", evidence_pages.evidence_pack, name="evidence_pack"),
        Route("/sync/run", pages.sync_run, methods=["POST"], name="sync_run"),
        *_twin("/sync/progress", pages.sync_progress, "sync_progress"),
        *_twin("/sync", pages.sync_history, "sync"),
        *_twin("/trainings", selection_pages.trainings, "trainings"),
        Route("/trainings/preview", selection_pages.trainings_change, methods=["POST"], name="trainings_preview"),
        Route("/trainings/save", selection_pages.trainings_change, methods=["POST"], name="trainings_save"),
        *_twin("/campaigns", selection_pages.campaigns, "campaigns"),
        *_twin("/accounts", accounts_page.accounts, "accounts"),
        *_twin("/reports", report_pages.reports, "reports"),
        Route("/reports/{name}", report_pages.report, name="report"),
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]


def _status_of(exc: TrainproofError) -> int:
    if isinstance(exc, UnknownPerson | pages.NoCertificate):
        return 404
    if isinstance(exc, pages.ReadOnly):
        return 403
    if isinstance(exc, UploadTooLarge):
        return 413
    if isinstance(exc, ConfigError):
        return 400
    return 500


async def _error(request: Request, exc: Exception) -> Response:
    """A TrainproofError as its one line (what happened and what to do), never a traceback."""
    assert isinstance(exc, TrainproofError)
    status = _status_of(exc)
    if wants_json(request):
        return json_response({"error": exc.message}, status)
    return page(request, "error.html", {"title": "Error", "message": exc.message}, status)


def create_app(
    settings: Callable[[], Settings],
    engine: StoreEngine,
    *,
    token: LoginToken,
    host: str = "127.0.0.1",
    extra_hosts: Iterable[str] = (),
    read_only: bool = False,
) -> Starlette:
    """The console for the store `engine`; `settings` reads them (again when trainproof.toml changes);
    `token` is the one-time sign-in secret the server printed."""
    hosts: Sequence[str] = allowed_hosts(host, extra_hosts)
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False),
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secrets.token_urlsafe(32),
            session_cookie=SESSION_COOKIE,
            max_age=None,  # a browser-session cookie: closing the browser signs out
            same_site="strict",
        ),
        Middleware(
            CSRFMiddleware,
            secret=secrets.token_urlsafe(32),
            cookie_name=CSRF_COOKIE,
            cookie_httponly=True,  # pages carry the token for htmx; no script needs to read the cookie
            cookie_samesite="strict",
            header_name=CSRF_HEADER,
        ),
        Middleware(SignIn, token=token),
    ]
    app = Starlette(routes=_routes(), middleware=middleware, exception_handlers={TrainproofError: _error})
    app.state.console = ConsoleState(load_settings=settings, engine=engine, read_only=read_only)
    return app
