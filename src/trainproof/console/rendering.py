"""Answers in the form the asker wants: an HTML page (Jinja2, every value escaped) or its JSON twin.

Every page has a JSON twin, at the same URL with `.json` or with `Accept: application/json` (as in
datasette), holding the same rows the CLI gives. Values from KnowBe4 are untrusted; Jinja2's autoescape
turns a name like `<script>` into text, and no template marks data safe (a chart is `Drawn`: charts.py
escaped it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from trainproof.console.security import CSRF_COOKIE
from trainproof.errors import TrainproofError

__all__ = ["JSON_SUFFIX", "Drawn", "json_response", "page", "respond", "wants_json"]

JSON_SUFFIX = ".json"

_templates = Environment(
    loader=PackageLoader("trainproof.console", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _day(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 10:
        return value[:10]
    return "" if value is None else str(value)


_templates.filters["day"] = _day  # pyright: ignore[reportArgumentType]


class Drawn:
    """A chart `trainproof.reports.charts` drew (inline SVG), put into a page as markup: charts.py escapes
    every label it draws, the one place text becomes markup without the template engine."""

    __slots__ = ("svg",)

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def __html__(self) -> str:  # Jinja2's autoescape leaves objects with __html__ as they are
        return self.svg


def wants_json(request: Request) -> bool:
    """The `.json` twin, or an Accept header whose first choice is JSON."""
    if request.url.path.endswith(JSON_SUFFIX):
        return True
    first = request.headers.get("accept", "").split(",")[0].split(";")[0].strip().lower()
    return first == "application/json"


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(data: object, status_code: int = 200) -> Response:
    """Compact JSON (orjson: datetimes as ISO 8601, as the CLI writes them). A lone surrogate, which
    KnowBe4 can send escaped and orjson refuses, is written escaped again by the standard library."""
    try:
        body = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        body = json.dumps(data, default=_default, separators=(",", ":")).encode()
    return Response(body, status_code, media_type="application/json")


def _account_shown(console: Any) -> str | None:
    """The account this console serves, when trainproof.toml has several (the header names it and links
    the Accounts page); None for a single account or a configuration that cannot be read."""
    if console is None:
        return None
    try:
        many = len(console.accounts()) > 1
        return str(console.settings.account) if many else None
    except TrainproofError:
        return None


def page(request: Request, template: str, context: Mapping[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page of the console; an htmx request gets only the `main` block, for the element it targets."""
    console = getattr(request.app.state, "console", None)
    values: dict[str, Any] = {
        "account": _account_shown(console),
        "title": "",
        "request": request,
        "path": request.url.path,
        "read_only": bool(getattr(console, "read_only", True)),
        "csrf": request.cookies.get(CSRF_COOKIE, ""),
        "signed_in": bool(request.scope.get("session", {}).get("signed_in")),
        **context,
    }
    tmpl = _templates.get_template(template)
    if request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true":
        body = "".join(tmpl.blocks["main"](tmpl.new_context(values)))
    else:
        body = tmpl.render(values)
    return HTMLResponse(body, status_code)


def respond(
    request: Request, template: str, context: Mapping[str, Any], data: object, status_code: int = 200
) -> Response:
    """The page, or `data` as its JSON twin."""
    if wants_json(request):
        return json_response(data, status_code)
    return page(request, template, context, status_code)
