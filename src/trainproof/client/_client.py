"""KnowBe4Client: one async client for every Reporting API endpoint.

Layers, each testable alone: `request_json` sends one GET through the daily budget, the rate limiter,
the retry policy and the status map; `iter_raw` walks a list with the pagination loop and yields the
API's own JSON objects unchanged; the typed methods (`users()`, `enrollments()`, ...) validate those
objects into models. Nothing here prints, stores or logs the token.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import anyio
import httpx2
from pydantic import BaseModel, ValidationError

from trainproof import __version__
from trainproof.base_url import check_base_url
from trainproof.client._endpoints import Endpoint, endpoint
from trainproof.client._errors import (
    KnowBe4Error,
    NotFoundError,
    ResponseValidationError,
    auth_error,
    decode_json,
    error_for_status,
    exhausted_error,
    is_invalid_token_body,
    redirect_error,
    request_id_of,
    too_large,
    validation_error,
)
from trainproof.client._limits import DailyBudget, RateLimiter, shared_limiter
from trainproof.client._pagination import MAX_PER_PAGE, list_params, page_limit, paginate
from trainproof.client._retry import RETRY_STATUSES, Overrun, Retryable, RetryPolicy, parse_retry_after
from trainproof.client.models import (
    Account,
    Enrollment,
    Group,
    PhishingCampaign,
    Policy,
    Recipient,
    RiskScore,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
)
from trainproof.config import Limits, Secret, Settings, load_settings

__all__ = ["ClientStats", "KnowBe4Client", "parse_record"]

logger = logging.getLogger("trainproof.client")

M = TypeVar("M", bound=BaseModel)
FilterValue = bool | int | str | None

USER_AGENT = f"trainproof/{__version__}"

_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
"""Describe the bytes on the wire, not the decoded body kept: dropped from the kept response."""


@dataclass
class ClientStats:
    """What this client instance sent: for progress lines, sync reports and tests."""

    requests: int = 0
    retries: int = 0
    request_ids: list[str] = field(default_factory=list[str])
    by_endpoint: Counter[str] = field(default_factory=Counter[str])
    statuses: Counter[int] = field(default_factory=Counter[int])
    data_problems: list[str] = field(default_factory=list[str])
    """Records KnowBe4 sent that were skipped (ids <= 0, repeats), one line per list walked."""


def _query_value(value: FilterValue) -> str | None:
    if value is None or value is False:
        return None  # absent means false for every documented boolean flag
    if value is True:
        return "true"
    return str(value)


def parse_record(model: type[M], obj: Any, where: str = "", request_id: str | None = None) -> M:
    """Validate one API object into `model`; a bad field raises ResponseValidationError naming it."""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise validation_error(exc, model.__name__, where or "a request", request_id) from None


class KnowBe4Client:
    """Async client for the KnowBe4 Reporting API (GET only).

    **Parameters:**

    * `settings`: from `trainproof.config.load_settings()`; when omitted it is loaded from the
      environment, and the keyword arguments below override it.
    * `base_url`, `token`, `limits`, `state_dir`: override the settings (the token as `Secret` or str).
    * `transport`: an httpx2 transport, for faults a real server cannot produce (tests only).
    * `seats`: licensed seats, if known; otherwise learned from `/v1/account` (persisted).
    * `per_page`: page size for list walks (KnowBe4's maximum, 500, by default).

    >>> async with KnowBe4Client(load_settings()) as kb4:        # doctest: +SKIP
    ...     async for enrollment in kb4.enrollments(campaign_id=101):
    ...         print(enrollment.state, enrollment.module_key)
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        token: Secret | str | None = None,
        limits: Limits | None = None,
        state_dir: Path | str | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        seats: int | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> None:
        base = settings if settings is not None else load_settings()
        secret = Secret(token) if isinstance(token, str) else token
        changes: dict[str, Any] = {}
        if base_url is not None:  # a program passing a URL asks for it on purpose; the rest of the rule holds
            changes["base_url"] = check_base_url(base_url, explicit=True, origin="base_url")
        if secret is not None:
            changes["token"] = secret
        if limits is not None:
            changes["limits"] = limits
        if state_dir is not None:
            changes["state_dir"] = Path(state_dir)
        self.settings = dataclasses.replace(base, **changes) if changes else base
        self._token = self.settings.require_token()
        self.base_url = self.settings.base_url.rstrip("/")
        self.limits = self.settings.limits
        self.per_page = max(1, min(per_page, MAX_PER_PAGE))
        self.stats = ClientStats()
        self.limiter: RateLimiter = shared_limiter(self.base_url, self.limits, self._token.fingerprint())
        self.budget = DailyBudget(
            self.settings.state_dir, self.base_url, self._token.fingerprint(), self.limits.daily_base, seats
        )
        self.retry = RetryPolicy.from_limits(self.limits)
        self._http = httpx2.AsyncClient(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {self._token.get()}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=httpx2.Timeout(self.limits.timeout_s),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"KnowBe4Client(base_url={self.base_url!r}, token={self._token!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one request ---------------------------------------------------------------------------
    async def _attempt(self, ep: Endpoint, path: str, params: Mapping[str, str], allowed_s: float) -> httpx2.Response:
        """One send: limiter, budget, HTTP. Retryable answers raise Retryable; others are returned.

        The exchange (not the wait for the limiter) must be complete within `allowed_s`, or Overrun.
        """
        async with self.limiter.hold():
            self.budget.spend()
            self.stats.requests += 1
            self.stats.by_endpoint[ep.name] += 1
            response: httpx2.Response | None = None
            with anyio.move_on_after(allowed_s) as scope:
                try:
                    response = await self._get(path, params, f"GET {path}")
                except httpx2.TimeoutException:
                    raise Retryable(kind=f"no answer within {self.limits.timeout_s:g} s (timeout)") from None
                except httpx2.TransportError as exc:
                    raise Retryable(kind=f"connection failed ({type(exc).__name__})") from None
            if scope.cancelled_caught or response is None:
                raise Overrun
        self.stats.statuses[response.status_code] += 1
        rid = request_id_of(response)
        if rid:
            self.stats.request_ids.append(rid)
        if response.status_code in RETRY_STATUSES:
            raise Retryable(status_code=response.status_code, retry_after=parse_retry_after(response), request_id=rid)
        return response

    async def _get(self, path: str, params: Mapping[str, str], where: str) -> httpx2.Response:
        """GET, reading the body in chunks up to `Limits.max_response_bytes` (a Content-Length past it
        is refused before reading): a 300 MB answer must not become 300 MB of memory."""
        cap = self.limits.max_response_bytes
        async with self._http.stream("GET", path, params=dict(params)) as streamed:
            length = streamed.headers.get("content-length", "").strip()
            declared = int(length) if length.isdigit() else None
            if declared is not None and declared > cap and "content-encoding" not in streamed.headers:
                raise too_large(streamed, where, cap, declared=declared, read=0)
            body = bytearray()
            async for chunk in streamed.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    raise too_large(streamed, where, cap, declared=None, read=len(body))
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _BODY_HEADERS]
        return httpx2.Response(streamed.status_code, headers=headers, content=bytes(body), request=streamed.request)

    def _on_retry(self, failure: Retryable, wait: float) -> None:
        self.stats.retries += 1
        logger.info("KnowBe4 answered %s; retrying in %.2f s", failure.kind, wait)

    async def request_json(
        self, ep: Endpoint | str, ids: Mapping[str, int | str] | None = None, params: Mapping[str, str] | None = None
    ) -> tuple[Any, httpx2.Response]:
        """Send one GET and return (decoded JSON body, response); every failure is a KnowBe4Error."""
        spec = endpoint(ep) if isinstance(ep, str) else ep
        ids = ids or {}
        try:
            path = spec.url_path(ids)
        except ValueError as exc:
            raise KnowBe4Error(f"bad id for {spec.cli_name}: {exc}", "ids are positive integers") from None
        query = dict(params or {})
        where = f"GET {path}"
        response, failure = await self.retry.run(
            lambda allowed_s: self._attempt(spec, path, query, allowed_s), self._on_retry
        )
        if failure is not None:
            last, why = failure
            raise exhausted_error(
                status_code=last.status_code,
                kind=last.kind,
                where=where,
                request_id=last.request_id,
                bound=why,
                base_url=self.base_url,
                retry_after=last.retry_after,
                deadline=last.deadline,
            )
        assert response is not None
        if 300 <= response.status_code < 400:
            raise redirect_error(response, where)
        if response.status_code >= 400:
            raise error_for_status(response, spec, ids)
        body = decode_json(response, where)
        if is_invalid_token_body(body):
            raise auth_error(request_id=request_id_of(response), status_code=response.status_code, endpoint=where)
        if spec.name == "account" and isinstance(body, dict):
            seats = cast(dict[str, Any], body).get("number_of_seats")
            self.budget.set_seats(seats if isinstance(seats, int) and not isinstance(seats, bool) else 0)
        return cast(Any, body), response

    # -- raw access ----------------------------------------------------------------------------
    def _split(self, spec: Endpoint, kwargs: Mapping[str, FilterValue]) -> tuple[dict[str, int | str], dict[str, str]]:
        """Separate path ids from documented filters; unknown or paging filters are refused."""
        ids: dict[str, int | str] = {}
        params: dict[str, str] = {}
        allowed = {f.name: f for f in spec.filters if f.name not in {"page", "per_page", "cursor"}}
        for name, value in kwargs.items():
            if name in spec.path_params:
                if value is None or isinstance(value, bool):
                    raise KnowBe4Error(f"{spec.cli_name} needs {name}", "ids are positive integers")
                ids[name] = value
                continue
            if name not in allowed:
                accepted = ", ".join(allowed) or "no filters"
                raise KnowBe4Error(
                    f"'{name}' is not a filter of {spec.cli_name}", f"it accepts {accepted} (the client pages for you)"
                )
            flt = allowed[name]
            if flt.choices and value is not None and str(value) not in flt.choices:
                raise KnowBe4Error(
                    f"'{value}' is not a valid {name} for {spec.cli_name}", f"use one of {', '.join(flt.choices)}"
                )
            text = "false" if name == "exclude_percentages" and value is False else _query_value(value)
            if text is not None:
                params[name] = text
        missing = [p for p in spec.path_params if p not in ids]
        if missing:
            raise KnowBe4Error(f"{spec.cli_name} needs {', '.join(missing)}", "give the id(s) of the parent object")
        return ids, params

    async def iter_raw(self, resource: str | Endpoint, /, **kwargs: FilterValue) -> AsyncIterator[dict[str, Any]]:
        """Yield the API's own JSON objects for any endpoint, every page joined.

        Records whose id is 0 or negative, and repeats of an id already listed, are skipped and
        reported (a warning, and `stats.data_problems`); see `_pagination`.

        Path ids and filters are keyword arguments named as in the API (`pst_id=16142`,
        `campaign_id=101`, `exclude_archived_users=True`). For a single-object endpoint this yields
        the object (each element when the API wraps it in an array, as phishing endpoints do).
        """
        spec = endpoint(resource) if isinstance(resource, str) else resource
        ids, filters = self._split(spec, kwargs)
        if spec.kind == "single":
            body, _ = await self.request_json(spec, ids, filters)
            for item in cast(list[Any], body) if isinstance(body, list) else [body]:
                yield item
            return
        params, size = list_params(spec, filters, self.per_page)
        path = spec.describe(ids)

        async def fetch(query: dict[str, str]) -> tuple[Any, httpx2.Response]:
            return await self.request_json(spec, ids, query)

        limit = page_limit(self.budget.limit, self.budget.seats)
        where = f"GET {path}"
        async for item in paginate(spec, fetch, params, size, where, limit=limit, on_problem=self._data_problem):
            yield item

    def _data_problem(self, line: str) -> None:
        self.stats.data_problems.append(line)
        logger.warning("%s", line)

    async def get_raw(self, resource: str | Endpoint, /, **kwargs: FilterValue) -> dict[str, Any]:
        """The API's own JSON object for a single-object endpoint (unwrapping a one-element array)."""
        spec = endpoint(resource) if isinstance(resource, str) else resource
        if spec.kind != "single":
            raise KnowBe4Error(f"{spec.cli_name} is a list", "use iter_raw() for lists")
        ids, filters = self._split(spec, kwargs)
        body, response = await self.request_json(spec, ids, filters)
        if isinstance(body, list):
            items = cast(list[Any], body)
            if not items:
                raise NotFoundError(
                    f"{spec.noun} {', '.join(str(v) for v in ids.values())} not found",
                    f"list {spec.list_hint} to see valid ids",
                    request_id=request_id_of(response),
                    endpoint=f"GET {spec.describe(ids)}",
                )
            body = items[0]
        if not isinstance(body, dict):
            raise ResponseValidationError(
                f"KnowBe4 answered GET {spec.describe(ids)} with {type(body).__name__} "
                f"where a {spec.noun} object belongs",
                "the API changed or the payload is corrupt: report it with the request id",
                request_id=request_id_of(response),
                endpoint=f"GET {spec.describe(ids)}",
            )
        return cast(dict[str, Any], body)

    # -- typed access --------------------------------------------------------------------------
    async def _models(self, name: str, model: type[M], **kwargs: FilterValue) -> AsyncIterator[M]:
        spec = endpoint(name)
        where = f"GET {spec.path}"
        async for obj in self.iter_raw(spec, **kwargs):
            yield parse_record(model, obj, where)

    async def _model(self, name: str, model: type[M], **kwargs: FilterValue) -> M:
        spec = endpoint(name)
        obj = await self.get_raw(spec, **kwargs)
        return parse_record(model, obj, f"GET {spec.path}")

    async def account(self) -> Account:
        """The account (also records its seat count for the daily budget)."""
        return await self._model("account", Account)

    def account_risk_score_history(self, *, full: bool = False) -> AsyncIterator[RiskScore]:
        return self._models("account_risk_score_history", RiskScore, full=full)

    def users(
        self, *, status: str | None = None, group_id: int | None = None, expand: str | None = None
    ) -> AsyncIterator[User]:
        """Users; `status` is "active" or "archived", `expand="group"` expands their groups."""
        return self._models("users", User, status=status, group_id=group_id, expand=expand)

    async def user(self, user_id: int) -> User:
        return await self._model("user", User, user_id=user_id)

    def user_risk_score_history(self, user_id: int, *, full: bool = False) -> AsyncIterator[RiskScore]:
        return self._models("user_risk_score_history", RiskScore, user_id=user_id, full=full)

    def groups(self, *, status: str | None = None) -> AsyncIterator[Group]:
        return self._models("groups", Group, status=status)

    async def group(self, group_id: int) -> Group:
        return await self._model("group", Group, group_id=group_id)

    def group_members(self, group_id: int) -> AsyncIterator[User]:
        return self._models("group_members", User, group_id=group_id)

    def group_risk_score_history(self, group_id: int, *, full: bool = False) -> AsyncIterator[RiskScore]:
        return self._models("group_risk_score_history", RiskScore, group_id=group_id, full=full)

    def phishing_campaigns(self) -> AsyncIterator[PhishingCampaign]:
        return self._models("phishing_campaigns", PhishingCampaign)

    async def phishing_campaign(self, campaign_id: int, *, campaign_type: str | None = None) -> PhishingCampaign:
        return await self._model(
            "phishing_campaign", PhishingCampaign, campaign_id=campaign_id, campaign_type=campaign_type
        )

    def phishing_campaign_security_tests(
        self, campaign_id: int, *, campaign_type: str | None = None
    ) -> AsyncIterator[SecurityTest]:
        return self._models(
            "phishing_campaign_security_tests", SecurityTest, campaign_id=campaign_id, campaign_type=campaign_type
        )

    def security_tests(self, *, campaign_type: str | None = None) -> AsyncIterator[SecurityTest]:
        return self._models("security_tests", SecurityTest, campaign_type=campaign_type)

    async def security_test(self, pst_id: int, *, campaign_type: str | None = None) -> SecurityTest:
        return await self._model("security_test", SecurityTest, pst_id=pst_id, campaign_type=campaign_type)

    def recipients(self, pst_id: int, *, campaign_type: str | None = None) -> AsyncIterator[Recipient]:
        return self._models("recipients", Recipient, pst_id=pst_id, campaign_type=campaign_type)

    async def recipient(self, pst_id: int, recipient_id: int, *, campaign_type: str | None = None) -> Recipient:
        return await self._model(
            "recipient", Recipient, pst_id=pst_id, recipient_id=recipient_id, campaign_type=campaign_type
        )

    def store_purchases(self) -> AsyncIterator[StorePurchase]:
        return self._models("store_purchases", StorePurchase)

    async def store_purchase(self, store_purchase_id: int) -> StorePurchase:
        return await self._model("store_purchase", StorePurchase, store_purchase_id=store_purchase_id)

    def policies(self) -> AsyncIterator[Policy]:
        return self._models("policies", Policy)

    async def policy(self, policy_id: int) -> Policy:
        return await self._model("policy", Policy, policy_id=policy_id)

    def training_campaigns(self, *, include_percentages: bool = False) -> AsyncIterator[TrainingCampaign]:
        """All training campaigns. `include_percentages=True` adds completion_percentage, but KnowBe4
        then caps each answer at 10, so it costs more requests."""
        return self._models("training_campaigns", TrainingCampaign, exclude_percentages=not include_percentages)

    async def training_campaign(self, campaign_id: int) -> TrainingCampaign:
        return await self._model("training_campaign", TrainingCampaign, campaign_id=campaign_id)

    def enrollments(
        self,
        *,
        campaign_id: int | None = None,
        user_id: int | None = None,
        store_purchase_id: int | None = None,
        exclude_archived_users: bool = False,
        include_campaign_id: bool = True,
        include_store_purchase_id: bool = True,
        include_employee_number: bool = True,
    ) -> AsyncIterator[Enrollment]:
        """Training enrollments (cursor-paginated), with campaign id, purchase id and employee number."""
        return self._models(
            "enrollments",
            Enrollment,
            campaign_id=campaign_id,
            user_id=user_id,
            store_purchase_id=store_purchase_id,
            exclude_archived_users=exclude_archived_users,
            include_campaign_id=include_campaign_id,
            include_store_purchase_id=include_store_purchase_id,
            include_employee_number=include_employee_number,
        )

    async def enrollment(self, enrollment_id: int, *, include_campaign_id: bool = True) -> Enrollment:
        return await self._model(
            "enrollment", Enrollment, enrollment_id=enrollment_id, include_campaign_id=include_campaign_id
        )
