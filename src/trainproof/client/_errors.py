"""The only place where KnowBe4 answers become trainproof errors.

Hierarchy (every class is a `TrainproofError`, so the CLI prints one line and exits with `exit_code`)::

    KnowBe4Error                      any failure talking to the Reporting API
    ├── AuthError                     401, or a 200 whose body is only {"message": "Invalid Token"} (exit 2)
    ├── ForbiddenError                403: no Platinum/Diamond subscription or no permission (exit 2)
    ├── NotFoundError                 404: names the object that was not found
    ├── APIStatusError                any other 4xx (400, 406, ...)
    │   └── RedirectError             a 3xx: never followed (the token would go with it)
    ├── RateLimitedError              429 after every retry
    ├── ServerError                   5xx after every retry
    ├── APIConnectionError            timeouts and dropped connections after every retry
    │   └── DeadlineExceeded          an answer still incomplete at the request deadline (a drip)
    ├── QuotaExhausted                the daily request budget is spent (raised before sending)
    ├── PaginationLoopError           a repeated cursor or a page identical to the previous one
    └── MalformedResponse             not JSON, HTML, wrong content type, truncated
        ├── ResponseTooLarge          a body past [knowbe4.limits] max_response_bytes
        └── ResponseValidationError   JSON of the wrong shape; names the field

Messages are built from our own words, the endpoint, ids, status codes and the X-Request-Id only:
never from request objects or headers, which hold the token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, cast

import httpx2
from pydantic import ValidationError

from trainproof.client._endpoints import Endpoint
from trainproof.errors import TrainproofError

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthError",
    "DeadlineExceeded",
    "ForbiddenError",
    "KnowBe4Error",
    "MalformedResponse",
    "NotFoundError",
    "PaginationLoopError",
    "QuotaExhausted",
    "RateLimitedError",
    "RedirectError",
    "ResponseTooLarge",
    "ResponseValidationError",
    "ServerError",
]


class KnowBe4Error(TrainproofError):
    """A failure talking to the KnowBe4 Reporting API."""

    def __init__(
        self,
        what: str,
        todo: str = "",
        *,
        request_id: str | None = None,
        status_code: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(what, todo, request_id=request_id)
        self.status_code = status_code
        self.endpoint = endpoint


class AuthError(KnowBe4Error):
    """KnowBe4 rejected the token (401 or the 200 "Invalid Token" body)."""

    exit_code = 2


class ForbiddenError(KnowBe4Error):
    """403: the account has no Reporting API access, or the token lacks permission."""

    exit_code = 2


class NotFoundError(KnowBe4Error):
    """404: the object named in the path does not exist (or is not visible to this token)."""


class APIStatusError(KnowBe4Error):
    """Any other client error status (400, 406, ...)."""


class RedirectError(APIStatusError):
    """A 3xx answer. Redirects are never followed: the Authorization header would go along."""


class RateLimitedError(KnowBe4Error):
    """429 Too Many Requests, still answered after every retry.

    `retry_after` is the wait KnowBe4's last answer asked for (Retry-After, in seconds), or None when it
    sent none (it usually does not; its burst lockout lasts about five minutes).
    """

    def __init__(
        self,
        what: str,
        todo: str = "",
        *,
        request_id: str | None = None,
        status_code: int | None = None,
        endpoint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(what, todo, request_id=request_id, status_code=status_code, endpoint=endpoint)
        self.retry_after = retry_after


class ServerError(KnowBe4Error):
    """5xx, still answered after every retry."""


class APIConnectionError(KnowBe4Error):
    """Timeouts or dropped connections, still failing after every retry."""


class DeadlineExceeded(APIConnectionError):
    """The answer was still incomplete at the request deadline (a body dripping in); not retried."""


class QuotaExhausted(KnowBe4Error):
    """The day's request budget (2,000 + seats) is spent; raised before sending anything."""


class PaginationLoopError(KnowBe4Error):
    """The API sent a cursor it had sent before, or the same page twice: stopping instead of looping."""


class MalformedResponse(KnowBe4Error):
    """The body is not the JSON the endpoint documents (HTML, invalid or truncated JSON, wrong type)."""


class ResponseTooLarge(MalformedResponse):
    """The body passed the response size cap; reading stopped there, so memory stays bounded."""


class ResponseValidationError(MalformedResponse):
    """The JSON parsed but a field has the wrong type; the message names the field."""


def request_id_of(response: httpx2.Response) -> str | None:
    return response.headers.get("x-request-id")


def _object_label(endpoint: Endpoint, ids: Mapping[str, int | str]) -> str:
    """'training campaign 123' or 'recipient 5 of security test 16142' (innermost object first)."""
    parts = [f"{endpoint.id_nouns[name]} {ids[name]}" for name in reversed(endpoint.path_params) if name in ids]
    return " of ".join(parts) if parts else endpoint.noun


def is_invalid_token_body(body: Any) -> bool:
    """KnowBe4 has been seen answering 200 with only {"message": "Invalid Token"} for a bad key."""
    if not isinstance(body, dict) or set(body) != {"message"}:  # pyright: ignore[reportUnknownArgumentType]
        return False
    message = body.get("message")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return isinstance(message, str) and "invalid token" in message.lower()


def auth_error(*, request_id: str | None, status_code: int | None, endpoint: str) -> AuthError:
    return AuthError(
        "KnowBe4 rejected the API token",
        "check KNOWBE4_API_KEY and KNOWBE4_REGION (the token belongs to one region's server)",
        request_id=request_id,
        status_code=status_code,
        endpoint=endpoint,
    )


def error_for_status(response: httpx2.Response, endpoint: Endpoint, ids: Mapping[str, int | str]) -> KnowBe4Error:
    """The error for a non-retryable 4xx answer (401, 403, 404, others)."""
    status = response.status_code
    rid = request_id_of(response)
    where = f"GET {endpoint.describe(ids)}"
    if status == 401:
        return auth_error(request_id=rid, status_code=status, endpoint=where)
    if status == 403:
        return ForbiddenError(
            f"KnowBe4 refused {where} (403 Forbidden)",
            "the Reporting API needs a Platinum or Diamond subscription, and the token must be enabled "
            "with permission to read reports (Account Settings > Account Integrations > API)",
            request_id=rid,
            status_code=status,
            endpoint=where,
        )
    if status == 404:
        label = _object_label(endpoint, ids)
        return NotFoundError(
            f"{label} not found",
            f"list {endpoint.list_hint} to see valid ids",
            request_id=rid,
            status_code=status,
            endpoint=where,
        )
    if status == 406:
        return APIStatusError(
            f"KnowBe4 answered {where} with 406 Not Acceptable",
            "the API only serves JSON; report this as a trainproof bug",
            request_id=rid,
            status_code=status,
            endpoint=where,
        )
    return APIStatusError(
        f"KnowBe4 answered {where} with HTTP {status}",
        "check the filters given; if they are right, report this with the request id",
        request_id=rid,
        status_code=status,
        endpoint=where,
    )


def exhausted_error(
    *,
    status_code: int | None,
    kind: str,
    where: str,
    request_id: str | None,
    bound: str,
    base_url: str,
    retry_after: float | None = None,
    deadline: bool = False,
) -> KnowBe4Error:
    """The error after the retry policy gave up; `bound` says what limit was reached.

    `retry_after` is the last answer's Retry-After (seconds), carried by a RateLimitedError;
    `deadline` says the request deadline ended it (DeadlineExceeded).
    """
    if deadline:
        return DeadlineExceeded(
            f"KnowBe4 did not finish answering {where} within {kind} ({bound})",
            "the network or a proxy is delivering very slowly: try again later, or raise "
            "[knowbe4.limits] request_deadline_s",
            request_id=request_id,
            endpoint=where,
        )
    if status_code == 429:
        wait = (
            f"KnowBe4 asked to retry after {retry_after:.0f} s"
            if retry_after is not None
            else "the burst lockout lasts about five minutes"
        )
        return RateLimitedError(
            f"KnowBe4 kept answering {where} with 429 Too Many Requests ({bound})",
            f"{wait} and the daily limit resets 24 h after the first "
            "request: wait, then run again (or lower [knowbe4.limits] per_minute)",
            request_id=request_id,
            status_code=status_code,
            endpoint=where,
            retry_after=retry_after,
        )
    if status_code is not None:
        return ServerError(
            f"KnowBe4 kept failing {where} with HTTP {status_code} ({bound})",
            "the KnowBe4 service is having trouble or is in maintenance: try again later",
            request_id=request_id,
            status_code=status_code,
            endpoint=where,
        )
    return APIConnectionError(
        f"could not get an answer for {where} from {base_url}: {kind} ({bound})",
        "check the network, KNOWBE4_REGION / KNOWBE4_BASE_URL, and [knowbe4.limits] timeout_s",
        request_id=request_id,
        endpoint=where,
    )


def malformed(response: httpx2.Response, where: str, problem: str) -> MalformedResponse:
    return MalformedResponse(
        f"KnowBe4 answered {where} with {problem}",
        "this is usually a proxy or an outage: try again later; if it persists, report it with the request id",
        request_id=request_id_of(response),
        status_code=response.status_code,
        endpoint=where,
    )


def redirect_error(response: httpx2.Response, where: str) -> RedirectError:
    """A 3xx names only the scheme and host it points to: a path or query may carry a signed secret."""
    status = response.status_code
    target = "nowhere (no Location)"
    location = response.headers.get("location")
    if location:
        try:
            url = response.url.join(location)
        except (httpx2.InvalidURL, ValueError):
            target = "an unreadable Location"
        else:
            host = _SAFE_HOST.sub("", url.host)[:100] or "?"
            same = url.host == response.url.host and url.port == response.url.port
            target = "another path on the same host" if same else f"{url.scheme}://{host}"
    return RedirectError(
        f"KnowBe4 answered {where} with a redirect (HTTP {status}) to {target}",
        "trainproof never follows redirects (the token would go along): check KNOWBE4_REGION / "
        "KNOWBE4_BASE_URL, or a proxy in between",
        request_id=request_id_of(response),
        status_code=status,
        endpoint=where,
    )


_SAFE_HOST = re.compile(r"[^A-Za-z0-9.\-\[\]:]")


def too_large(
    response: httpx2.Response, where: str, limit: int, *, declared: int | None, read: int
) -> ResponseTooLarge:
    """The answer passed `limit` bytes: as announced by Content-Length, or while reading."""
    size = f"Content-Length {declared:,} bytes" if declared is not None else f"stopped reading at {read:,} bytes"
    return ResponseTooLarge(
        f"KnowBe4's answer to {where} is larger than the response size limit of {_bytes(limit)} ({size})",
        "a page of 500 records is a few MB at most: if this answer is genuine, raise "
        "[knowbe4.limits] max_response_bytes",
        request_id=request_id_of(response),
        status_code=response.status_code,
        endpoint=where,
    )


def _bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n:,} bytes"


def _json_problem(content: bytes, exc: ValueError) -> str:
    """'truncated JSON' only for a JSON document cut short; text that never was JSON is 'not JSON'."""
    text = content.lstrip()
    if not text:
        return "an empty body"
    if text[:1] not in b'{["-0123456789tfn':
        return "text that is not JSON"
    # Cut short: the parser ran into the end, or a string never closed (it runs to the end).
    if (
        isinstance(exc, json.JSONDecodeError)
        and text[:1] in b"{["
        and (exc.msg.startswith("Unterminated string") or exc.pos >= len(exc.doc.rstrip()))
    ):
        return "truncated JSON"
    return "invalid JSON"


def decode_json(response: httpx2.Response, where: str) -> Any:
    """The JSON body, or MalformedResponse naming the endpoint (HTML page, wrong type, truncated, not JSON)."""
    ctype = response.headers.get("content-type", "")
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        looks_html = response.content.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))
        shown = media or "no content type"
        return_problem = f"an HTML page ({shown}) instead of JSON" if looks_html else f"{shown} instead of JSON"
        raise malformed(response, where, return_problem)
    try:
        body = json.loads(response.content)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError
        problem = _json_problem(response.content, exc)
        raise malformed(response, where, f"{problem} ({len(response.content):,} bytes)") from None
    if _SURROGATE_ESCAPE.search(response.content):
        body = _replace_lone_surrogates(body)
    return body


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(value: Any) -> Any:
    """JSON may escape half of a UTF-16 pair ("\\ud800"); no UTF-8 store or output can hold that half,
    so it becomes U+FFFD (a whole pair was already decoded to its character and is kept)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_lone_surrogates(v) for v in cast(list[Any], value)]
    if isinstance(value, dict):
        items = cast(dict[Any, Any], value).items()
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in items}
    return value


def validation_error(exc: ValidationError, model: str, where: str, request_id: str | None) -> ResponseValidationError:
    """Name the first failing field (with its index in the list) and the expected type."""
    first = exc.errors(include_url=False, include_input=False)[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(the object)"
    extra = f" and {exc.error_count() - 1} more problem(s)" if exc.error_count() > 1 else ""
    article = "an" if model[:1] in "AEIO" else "a"  # a User, an Enrollment
    return ResponseValidationError(
        f"KnowBe4 answered {where} with {article} {model} whose field '{loc}' is invalid ({first['msg']}){extra}",
        "the API changed or the payload is corrupt: report it with the request id; `trainproof api` shows the raw JSON",
        request_id=request_id,
        endpoint=where,
    )
