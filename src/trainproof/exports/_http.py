"""One HTTP path to the GRC platforms: timeouts, pacing, the retry policy and the status map.

Built on the Reporting API client's own parts (`trainproof.client.RetryPolicy` and `RateLimiter`), so
the exports wait, retry and give up the way a sync does: Retry-After is honoured exactly when the
platform sends it, backoff with jitter otherwise, bounded by attempts and a time budget, and the error
names the bound that stopped it. A request that changes something at the platform (an upload) is
retried only when it cannot have been processed (429, or no connection made): a retry after a timeout
or a 5xx could store the same file twice. Redirects are never followed (the credentials would go along).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import anyio
import httpx2

from trainproof import __version__
from trainproof.base_url import check_base_url
from trainproof.client import RateLimiter, RetryPolicy
from trainproof.client._retry import Overrun, Retryable, parse_retry_after
from trainproof.exports._errors import ExportAuthError, ExportError, ExportRateLimited, NotLicensed, PlatformError

__all__ = ["Platform", "PlatformClient", "check_override"]

logger = logging.getLogger("trainproof.exports")

USER_AGENT = f"trainproof/{__version__}"
TIMEOUT_S = 30.0
DEADLINE_S = 120.0
RETRY_ATTEMPTS = 6
RETRY_BUDGET_S = 300.0
SAFETY = 1.05  # windows stretched by 5 %, as the Reporting API limiter does, for clock differences
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def check_override(url: str, variable: str) -> str:
    """A base URL set in the environment: https anywhere, plain http to this machine only, never link-local."""
    return check_base_url(url, explicit=True, origin=variable)


@dataclass(frozen=True, slots=True)
class Platform:
    """Where exports go and how its failures are explained (no secret: names of variables only)."""

    name: str
    base_url: str
    credentials: str  # what to check after a 401
    licence: str  # what to check after a 402 or 403


def _request_id(response: httpx2.Response) -> str | None:
    return response.headers.get("x-request-id") or response.headers.get("x-amzn-requestid")


class PlatformClient:
    """An async HTTP client for one platform, paced to `per_minute` requests when given.

    `time_scale` shrinks the pacing window and the retry backoff together (tests run a minute in 0.6 s,
    as `TRAINPROOF_TIME_SCALE` does for the Reporting API); Retry-After is always taken as real seconds.
    """

    def __init__(
        self,
        platform: Platform,
        *,
        per_minute: float | None = None,
        time_scale: float = 1.0,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self.requests = 0
        self.retries = 0
        self.limiter = (
            RateLimiter([(max(1, int(per_minute)), 60.0 * time_scale * SAFETY)]) if per_minute is not None else None
        )
        self.retry = RetryPolicy(
            attempts=RETRY_ATTEMPTS, budget_s=RETRY_BUDGET_S, time_scale=time_scale, deadline_s=DEADLINE_S
        )
        self._http = httpx2.AsyncClient(
            base_url=platform.base_url.rstrip("/"),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=httpx2.Timeout(TIMEOUT_S),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._http.aclose()

    async def send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx2.Response:
        """Send one request through pacing and retries; any answer that is not retried is returned.

        `what` names the call in messages ("upload the certificate of 1042"). Raises ExportRateLimited or
        PlatformError when the retries ran out, PlatformError for a redirect.
        """

        async def attempt(allowed_s: float) -> httpx2.Response:
            if self.limiter is not None:
                async with self.limiter.hold():
                    return await self._attempt(method, path, allowed_s, idempotent, headers, json, data, files)
            return await self._attempt(method, path, allowed_s, idempotent, headers, json, data, files)

        response, failure = await self.retry.run(attempt, self._on_retry)
        if failure is not None:
            last, bound = failure
            raise self._exhausted(last, bound, what)
        assert response is not None
        if 300 <= response.status_code < 400:
            raise PlatformError(
                f"{self.platform.name} answered with a redirect (HTTP {response.status_code}) when asked to {what}",
                "trainproof never follows redirects (the credentials would go along): check the base URL",
                request_id=_request_id(response),
            )
        return response

    async def _attempt(
        self,
        method: str,
        path: str,
        allowed_s: float,
        idempotent: bool,
        headers: Mapping[str, str] | None,
        json: Any,
        data: Mapping[str, str] | None,
        files: Mapping[str, tuple[str, bytes, str]] | None,
    ) -> httpx2.Response:
        self.requests += 1
        response: httpx2.Response | None = None
        with anyio.move_on_after(allowed_s) as scope:
            try:
                response = await self._http.request(
                    method, path, headers=dict(headers or {}), json=json, data=dict(data) if data else None, files=files
                )
            except httpx2.ConnectError as exc:  # nothing reached the platform: always safe to retry
                raise Retryable(kind=f"connection failed ({type(exc).__name__})") from None
            except httpx2.TimeoutException:
                if idempotent:
                    raise Retryable(kind=f"no answer within {TIMEOUT_S:g} s (timeout)") from None
                raise PlatformError(
                    f"{self.platform.name} did not answer within {TIMEOUT_S:g} s (timeout)",
                    "the request may have been stored or not: check the platform before running again",
                ) from None
            except httpx2.TransportError as exc:
                if idempotent:
                    raise Retryable(kind=f"connection dropped ({type(exc).__name__})") from None
                raise PlatformError(
                    f"the connection to {self.platform.name} dropped ({type(exc).__name__})",
                    "the request may have been stored or not: check the platform before running again",
                ) from None
        if scope.cancelled_caught or response is None:
            raise Overrun
        status = response.status_code
        if status == 429 or (idempotent and status in _RETRY_STATUSES):
            raise Retryable(
                status_code=status, retry_after=parse_retry_after(response), request_id=_request_id(response)
            )
        return response

    def _on_retry(self, failure: Retryable, wait: float) -> None:
        self.retries += 1
        logger.info("%s answered %s; retrying in %.2f s", self.platform.name, failure.kind, wait)

    def _exhausted(self, last: Retryable, bound: str, what: str) -> ExportError:
        name = self.platform.name
        if last.status_code == 429:
            asked = f"; it last asked to wait {last.retry_after:g} s" if last.retry_after is not None else ""
            return ExportRateLimited(
                f"{name} kept answering 429 Too Many Requests when asked to {what} ({bound}{asked})",
                "wait, then run the export again: what was accepted is kept and is not sent twice",
                request_id=last.request_id,
            )
        if last.status_code is not None:
            return PlatformError(
                f"{name} kept failing with HTTP {last.status_code} when asked to {what} ({bound})",
                f"{name} is having trouble: try again later",
                request_id=last.request_id,
            )
        return PlatformError(
            f"could not reach {name} at {self.platform.base_url} to {what}: {last.kind} ({bound})",
            "check the network and the base URL",
        )

    def fail(self, response: httpx2.Response, what: str) -> ExportError:
        """The error for an answer the caller does not handle itself (401, 402, 403, any other)."""
        name, status, rid = self.platform.name, response.status_code, _request_id(response)
        if status == 401:
            return ExportAuthError(
                f"{name} rejected the credentials (401 Unauthorized) when asked to {what}",
                self.platform.credentials,
                request_id=rid,
            )
        if status in (402, 403):
            label = "402 Payment Required" if status == 402 else "403 Forbidden"
            return NotLicensed(f"{name} refused to {what} ({label})", self.platform.licence, request_id=rid)
        return PlatformError(
            f"{name} answered HTTP {status} when asked to {what}",
            "nothing more was sent; if the data looks right, report this with the request id",
            request_id=rid,
        )
