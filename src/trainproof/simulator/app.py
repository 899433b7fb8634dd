"""The simulator as an ASGI application: the request pipeline and the admin endpoints.

Every API request goes through the same steps, in this order:

1. reload the tenant file if it changed on disk (`--tenant FILE`);
2. injected faults that answer instead of the API (errors, 429s, HTML pages), after any `slow` delay;
3. `Authorization: Bearer <token>`: otherwise 401 `{"message": "Invalid Token"}` (or the 2021 quirk:
   the same body with 200);
4. a non-Platinum account: 403 `{"message": ...}` on everything;
5. rate limits (429, counted only when accepted);
6. routing: unknown path 404, a method other than GET 405, an Accept header without JSON 406;
7. the handler (unknown id 404, bad cursor 400), then faults that damage the answer.

Every response carries `X-Request-Id` (a uuid4) and, unless a fault says otherwise,
`Content-Type: application/json; charset=utf-8`. Admin endpoints live outside `/v1` under `/_admin`
(see `ADMIN_HELP`); they need no token and are not counted, limited or faulted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from trainproof.simulator.dataset import PRIMARY_KEYS, Tenant, TenantError
from trainproof.simulator.faults import (
    BODY_KINDS,
    RESPONDING,
    DroppedConnection,
    FaultEngine,
    FaultRule,
    FaultSpecError,
    add_records,
    corrupt_records,
    default_message,
    html_page,
    parse_faults,
)
from trainproof.simulator.generator import generate_tenant
from trainproof.simulator.limits import RateLimiter, RateLimits
from trainproof.simulator.pagination import BadRequest
from trainproof.simulator.routes import Context, NotFound, Result, resolve
from trainproof.simulator.stats import RequestRecord, Stats, StatsSnapshot

__all__ = ["ADMIN_HELP", "DEFAULT_TOKEN", "JSON_TYPE", "SimulatorApp", "SimulatorOptions", "create_app"]

logger = logging.getLogger("trainproof.simulator")

DEFAULT_TOKEN = "sim-token"  # noqa: S105 - a public, documented test token, not a secret
JSON_TYPE = "application/json; charset=utf-8"
NOT_PLATINUM = "The Reporting API is available to Platinum and Diamond subscriptions only"

ADMIN_HELP: dict[str, str] = {
    "GET /_admin/health": "200 when the server is up",
    "GET /_admin/stats": "request counters (by path, route, status; 429s by path), limiter state, last requests",
    "POST /_admin/reset": "zero the stats, the rate limiter and the fault counters (rules stay)",
    "GET /_admin/faults": "active fault rules with their counters",
    "POST /_admin/faults": "replace the fault rules with the body (a fault spec); ?append=true adds them",
    "DELETE /_admin/faults": "remove every fault rule",
    "GET /_admin/tenant": "the whole tenant as JSON (the --tenant file format)",
    "PUT /_admin/tenant": "replace the tenant with the body (same format)",
    "POST /_admin/mutate": 'apply ops atomically: {"ops": [{"op": "upsert"|"update"|"delete"|...}]}',
    "POST /_admin/reload": "reload the --tenant file now",
    "GET /_admin/config": "the options in force (never the token)",
    "POST /_admin/config": "change options: platinum, invalid_token_status, retry_after, limits, ...",
}

LimitsMode = Literal["real", "off"]
CursorStyle = Literal["both", "body", "header"]


@dataclass
class SimulatorOptions:
    """How the simulated API behaves; every field can be changed at runtime with `configure`.

    - `limits`: "real" enforces 4/s, 50/min (+ lockout) and the daily quota; "off" disables them.
    - `time_scale`: multiplies every rate-limit duration (0.01: a minute lasts 0.6 s).
    - `rate_limits`: the numbers themselves (tests may shorten the lockout).
    - `retry_after`: add `Retry-After` to rate-limit 429s (KnowBe4 sends none).
    - `invalid_token_status`: 401, or 200 for the 2021 behaviour (a 200 whose body is the error).
    - `platinum`: False answers 403 to everything (a Silver/Gold account).
    - `cursor_everywhere`: accept `cursor` on every list endpoint, not only enrollments.
    - `cursor_style`: "both" (body envelope and X-Next-Cursor), "body" (envelope only) or "header"
      (bare array plus X-Next-Cursor, as the 2026 announcement reads).
    """

    limits: LimitsMode = "real"
    time_scale: float = 1.0
    rate_limits: RateLimits = field(default_factory=RateLimits)
    retry_after: bool = False
    invalid_token_status: int = 401
    platinum: bool = True
    cursor_everywhere: bool = False
    cursor_style: CursorStyle = "both"

    def __post_init__(self) -> None:
        if self.limits not in ("real", "off"):
            raise ValueError(f"limits must be 'real' or 'off', not {self.limits!r}")
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if self.cursor_style not in ("both", "body", "header"):
            raise ValueError(f"cursor_style must be both, body or header, not {self.cursor_style!r}")

    def public(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["rate_limits"] = vars(self.rate_limits)
        return data


def _json(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=JSON_TYPE)


def _message(status: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
    return _json(status, {"message": text}, headers)


class _DroppedResponse(Response):
    """Sends the headers (full Content-Length) and part of the body, then aborts the connection."""

    def __init__(self, body: bytes, keep: float, status: int, headers: Mapping[str, str]) -> None:
        super().__init__(body, status_code=status, headers=dict(headers), media_type=JSON_TYPE)
        self._keep = body[: int(len(body) * keep)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self._keep, "more_body": True})
        raise DroppedConnection("connection dropped on purpose (fault 'drop')")


def _drip(body: bytes, rule: FaultRule, headers: Mapping[str, str]) -> Response:
    """The answer, `size` bytes every `seconds` (real seconds): a 200 that never seems to end."""
    size = 64 if rule.size is None else rule.size
    pause = 0.5 if rule.seconds is None else rule.seconds

    async def chunks() -> AsyncIterator[bytes]:
        for at in range(0, len(body), size):
            yield body[at : at + size]
            await asyncio.sleep(pause)

    return StreamingResponse(chunks(), headers=dict(headers), media_type=JSON_TYPE)


PAD_CHUNK = b" " * (1 << 20)


def _huge(body: bytes, rule: FaultRule, headers: Mapping[str, str]) -> Response:
    """The answer padded with spaces to `size` bytes, made while sending (nothing held in memory)."""
    total = max(len(body), 100 * (1 << 20) if rule.size is None else rule.size)

    async def chunks() -> AsyncIterator[bytes]:
        yield body
        left = total - len(body)
        while left > 0:
            piece = PAD_CHUNK[: min(left, len(PAD_CHUNK))]
            left -= len(piece)
            yield piece

    sent = dict(headers)
    if (rule.mode or "length") == "length":
        sent["Content-Length"] = str(total)
    return StreamingResponse(chunks(), headers=sent, media_type=JSON_TYPE)


class _QuietDrops(logging.Filter):
    """Keeps deliberate drops out of the server log (uvicorn logs every aborted response)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


QUIET_DROPS = _QuietDrops()


def _accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    ranges = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(ranges & {"*/*", "application/*", "application/json", ""})


class SimulatorApp:
    """The simulated Reporting API as an ASGI app (Starlette inside), with its state as attributes.

    `tenant` is the live `Tenant`; `stats()`, `faults`, `limiter` and `options` are the other state.
    Use it in process with `httpx2.ASGITransport(app=sim_app)`, or serve it with uvicorn (see `Simulator`).
    """

    def __init__(
        self,
        tenant: Tenant | Mapping[str, Any] | str | Path | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        faults: object = None,
        options: SimulatorOptions | None = None,
        users: int = 200,
        seed: int = 1,
    ) -> None:
        self._tenant_path: Path | None = None
        self._stamp: tuple[int, int] | None = None
        self._bad_stamp: tuple[int, int] | None = None
        if tenant is None:
            self.tenant = generate_tenant(users, seed)
        elif isinstance(tenant, Tenant):
            self.tenant = tenant
        elif isinstance(tenant, str | Path):
            self._tenant_path = Path(tenant)
            self._stamp = self._file_stamp()
            self.tenant = Tenant.load(self._tenant_path)
        else:
            self.tenant = Tenant.from_dict(tenant)
        if not token:
            raise ValueError("token must not be empty")
        self._token = token
        self.options = options or SimulatorOptions()
        self.stats_counter = Stats()
        self.faults = FaultEngine(parse_faults(faults), time_scale=self.options.time_scale)
        self.limiter = RateLimiter(
            self.options.rate_limits, time_scale=self.options.time_scale, seats=self.tenant.seats
        )
        self._app = Starlette(
            routes=[
                StarletteRoute(
                    "/{path:path}",
                    self._handle,
                    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                )
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self._app(scope, receive, send)

    # state helpers

    def stats(self) -> StatsSnapshot:
        return self.stats_counter.snapshot()

    def configure(self, **changes: Any) -> SimulatorOptions:
        """Change options at runtime (see SimulatorOptions); returns the new options."""
        unknown = set(changes) - set(SimulatorOptions.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown option(s): {', '.join(sorted(unknown))}")
        if isinstance(changes.get("rate_limits"), Mapping):
            changes["rate_limits"] = RateLimits(**cast(Mapping[str, Any], changes["rate_limits"]))
        self.options = replace(self.options, **changes)
        self.limiter.limits = self.options.rate_limits
        self.limiter.time_scale = self.options.time_scale
        self.faults.time_scale = self.options.time_scale
        return self.options

    def reset(self) -> None:
        """Zero the stats, the limiter and the fault counters."""
        self.stats_counter.reset()
        self.limiter.reset()
        self.faults.reset_counters()

    def _file_stamp(self) -> tuple[int, int] | None:
        assert self._tenant_path is not None
        try:
            st = self._tenant_path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def reload(self) -> bool:
        """Reload the tenant file; True when it was read (an unreadable file keeps the old tenant)."""
        if self._tenant_path is None:
            raise TenantError("this simulator was not started from a tenant file", "start it with --tenant FILE")
        stamp = self._file_stamp()
        try:
            self.tenant.replace(Tenant.load(self._tenant_path))
        except TenantError as exc:
            if stamp != self._bad_stamp:
                logger.warning("tenant file not reloaded, keeping the previous tenant: %s", exc.message)
            self._bad_stamp = stamp
            return False
        self._stamp = stamp
        return True

    def _maybe_reload(self) -> None:
        if self._tenant_path is None:
            return
        stamp = self._file_stamp()
        if stamp is not None and stamp != self._stamp and stamp != self._bad_stamp:
            self.reload()

    # the pipeline

    async def _handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        path = request.url.path
        if path == "/_admin" or path.startswith("/_admin/"):
            response = await self._admin(request, path)
            response.headers["X-Request-Id"] = request_id
            return response
        self._maybe_reload()
        found = resolve(path)
        fired = self.faults.match(path, time.monotonic())
        delay = sum(r.seconds if r.seconds is not None else 5.0 for r in fired if r.kind == "slow")
        if delay:
            await asyncio.sleep(delay)
        responding = next((r for r in fired if r.kind in RESPONDING), None)
        response = self._fault_response(responding) if responding is not None else self._api(request, found, fired)
        response.headers["X-Request-Id"] = request_id
        response.headers["X-Runtime"] = f"{time.perf_counter() - started:.6f}"
        response.headers.setdefault("Cache-Control", "no-cache, no-store")
        self.stats_counter.record(
            RequestRecord(
                method=request.method,
                path=path,
                route=found[0].template if found else None,
                query=request.url.query,
                status=response.status_code,
                request_id=request_id,
                faults=tuple(r.kind for r in fired),
            )
        )
        return response

    def _fault_response(self, rule: FaultRule) -> Response:
        headers: dict[str, str] = {}
        if rule.retry_after is not None:
            value = rule.retry_after
            headers["Retry-After"] = str(int(value)) if float(value).is_integer() else str(value)
        if rule.kind == "html":
            return Response(html_page(rule.status or 502), status_code=rule.status or 502, media_type="text/html")
        if rule.kind == "redirect":
            headers["Location"] = rule.location or "https://login.example.net/v1/account"
            return Response(b"", status_code=rule.status or 302, headers=headers)
        if rule.kind == "not_json":
            text = (rule.message or "Service temporarily unavailable") + "\n"
            return Response(text.encode(), headers=headers, media_type=JSON_TYPE)
        if rule.kind == "status":
            status = rule.status or 503
            return _message(status, rule.message or default_message(status), headers)
        if rule.kind == "daily_quota":
            quota = self.limiter.daily_quota()
            text = f"API daily limit of {quota} requests exceeded; it resets about 24 hours after the first request"
            return _message(429, rule.message or text, headers)
        if rule.kind == "lockout":
            if rule.retry_after is None and self.options.retry_after:
                left = self.faults.lockout_left(rule, time.monotonic())
                headers["Retry-After"] = str(max(1, round(left + 0.5)))
            text = "API burst limit exceeded (50 requests per minute): locked out for about 5 minutes"
            return _message(429, rule.message or text, headers)
        return _message(429, rule.message or "API rate limit exceeded", headers)

    def _api(self, request: Request, found: tuple[Any, dict[str, str]] | None, fired: Sequence[FaultRule]) -> Response:
        opts = self.options
        if request.headers.get("authorization") != f"Bearer {self._token}":
            return _message(opts.invalid_token_status, "Invalid Token")
        if not opts.platinum:
            return _message(403, NOT_PLATINUM)
        if opts.limits == "real":
            rejection = self.limiter.check()
            if rejection is not None:
                headers = {"Retry-After": rejection.retry_after()} if opts.retry_after else {}
                return _message(429, rejection.message, headers)
        if found is None:
            return _message(404, "Not Found")
        if request.method != "GET":
            return _message(405, "Method Not Allowed", {"Allow": "GET"})
        if not _accepts_json(request.headers.get("accept")):
            return _message(406, "The output must be in JSON format")
        route, params = found
        ctx = Context(
            tenant=self.tenant,
            query=request.query_params,
            cursor_everywhere=opts.cursor_everywhere,
            cursor_style=opts.cursor_style,
            transforms=fired,
        )
        try:
            with self.tenant.lock:
                result: Result = route.handler(ctx, **params)
        except NotFound as exc:
            return _message(404, exc.message)
        except BadRequest as exc:
            return _message(400, exc.message)
        payload = result.payload
        for rule in fired:
            if rule.kind == "wrong_types":
                payload = corrupt_records(payload, rule, result.id_key)
            elif rule.kind in ("bad_ids", "duplicates"):
                payload = add_records(payload, rule, result.id_key)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        damage = next((r for r in fired if r.kind in BODY_KINDS), None)
        if damage is None:
            return Response(body, headers=result.headers, media_type=JSON_TYPE)
        if damage.kind == "drop":
            return _DroppedResponse(body, 0.5 if damage.keep is None else damage.keep, 200, result.headers)
        if damage.kind == "drip":
            return _drip(body, damage, result.headers)
        if damage.kind == "huge":
            return _huge(body, damage, result.headers)
        if damage.kind == "truncate":
            keep = 0.5 if damage.keep is None else damage.keep
            cut = body[: min(len(body) - 1, int(len(body) * keep))]
            return Response(cut, headers=result.headers, media_type=JSON_TYPE)
        return Response(body, headers=result.headers, media_type=damage.content_type or "text/plain; charset=utf-8")

    # admin

    async def _admin(self, request: Request, path: str) -> Response:
        name = path.removeprefix("/_admin").strip("/")
        method = request.method
        try:
            if name in ("", "help"):
                return _json(200, ADMIN_HELP)
            if name == "health":
                return _json(200, {"ok": True})
            if name == "stats" and method == "GET":
                data = self.stats().to_dict()
                data["limits"] = self.limiter.snapshot()
                return _json(200, data)
            if name == "reset" and method == "POST":
                self.reset()
                return _json(200, {"reset": True})
            if name == "faults":
                if method == "GET":
                    return _json(200, {"rules": self.faults.describe()})
                if method == "DELETE":
                    self.faults.clear()
                    return _json(200, {"rules": []})
                if method in ("POST", "PUT"):
                    rules = parse_faults((await request.body()).decode() or "[]")
                    if request.query_params.get("append", "").lower() == "true":
                        self.faults.add(rules)
                    else:
                        self.faults.set(rules)
                    return _json(200, {"rules": self.faults.describe()})
            if name == "tenant":
                if method == "GET":
                    return StreamingResponse(
                        (chunk.encode() for chunk in self.tenant.iter_json()), media_type=JSON_TYPE
                    )
                if method == "PUT":
                    self.tenant.replace(Tenant.from_dict(await self._body_json(request)))
                    return _json(200, {"counts": {k: self.tenant.count(k) for k in PRIMARY_KEYS}})
            if name == "mutate" and method == "POST":
                body = await self._body_json(request)
                ops: Any = cast(dict[str, Any], body).get("ops", []) if isinstance(body, dict) else body
                if not isinstance(ops, list):
                    raise TenantError("mutate takes a list of ops", 'send {"ops": [...]}')
                return _json(200, self.tenant.apply(cast(list[Any], ops)))
            if name == "reload" and method == "POST":
                return _json(200, {"reloaded": self.reload()})
            if name == "config":
                if method == "GET":
                    return _json(200, self.options.public())
                if method == "POST":
                    body = await self._body_json(request)
                    if not isinstance(body, dict):
                        raise TenantError("config takes a JSON object", 'e.g. {"platinum": false}')
                    return _json(200, self.configure(**cast(dict[str, Any], body)).public())
        except (TenantError, FaultSpecError) as exc:
            return _message(400, exc.message)
        except (TypeError, ValueError) as exc:
            return _message(400, str(exc))
        return _message(404, f"no admin endpoint {method} {path}: see GET /_admin/help")

    @staticmethod
    async def _body_json(request: Request) -> Any:
        raw = await request.body()
        try:
            return json.loads(raw or b"null")
        except ValueError as exc:
            raise TenantError(f"the request body is not JSON ({exc})", "send JSON") from None


def create_app(
    tenant: Tenant | Mapping[str, Any] | str | Path | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    faults: object = None,
    users: int = 200,
    seed: int = 1,
    **options: Any,
) -> SimulatorApp:
    """An ASGI app serving `tenant` (a Tenant, its dict form, a JSON file, or None to generate one).

    `options` are SimulatorOptions fields (limits, time_scale, retry_after, ...).
    """
    return SimulatorApp(tenant, token=token, faults=faults, options=SimulatorOptions(**options), users=users, seed=seed)
