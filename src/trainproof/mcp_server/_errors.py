"""The only place where failures become the tool errors an assistant reads.

Every message is built here from our own words, object kinds, ids, status codes and numbers: never from
a KnowBe4 response body or a name KnowBe4 sent (those can carry text written to steer an assistant), and
never from anything that could hold the token. The texts follow the error table of
KnowBe4's Training Campaign Management guide.
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from mcp.server.mcpserver.exceptions import ToolError

from trainproof import clock
from trainproof.client import (
    APIConnectionError,
    APIStatusError,
    AuthError,
    ForbiddenError,
    KnowBe4Error,
    MalformedResponse,
    NotFoundError,
    PaginationLoopError,
    QuotaExhausted,
    RateLimitedError,
    ServerError,
)
from trainproof.errors import ConfigError, StoreError, TrainproofError
from trainproof.selection import SelectionError

# KnowBe4's burst lockout lasts about five minutes (API docs, "Rate Limiting").
BURST_LOCKOUT_S = 300

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")

AUTH_TEXT = (
    "KnowBe4 rejected the API token (401 Unauthorized): verify KNOWBE4_API_KEY "
    "(and KNOWBE4_REGION: a token only works on its own region's server)"
)
FORBIDDEN_TEXT = (
    "KnowBe4 refused the request (403 Forbidden): the token needs training permissions; the Reporting API "
    "requires a Platinum or Diamond subscription and a token allowed to read training reports"
)


_SELECTION = {
    "unknown_campaign_id": "an id no campaign in the store has",
    "unknown_campaign_name": "a name no campaign in the store has",
    "ambiguous_campaign_name": "a name several campaigns share",
}


@dataclass(frozen=True)
class Kind:
    """An object kind as the assistant reads it: "Campaign 123 not found: list campaigns to see valid ids"."""

    noun: str
    plural: str


CAMPAIGN = Kind("Campaign", "campaigns")
ENROLLMENT = Kind("Enrollment", "enrollments")
MODULE = Kind("Module", "modules")
STORE_PURCHASE = Kind("Store purchase", "store purchases")


def not_found(kind: Kind, object_id: int) -> ToolError:
    return ToolError(f"{kind.noun} {object_id} not found: list {kind.plural} to see valid ids")


def unknown_training(key: str, known: list[str]) -> ToolError:
    """Training keys come from trainproof.toml (the operator's words), never from KnowBe4."""
    if not known:
        return ToolError("no trainings are configured: add [trainings.<key>] tables with campaigns to trainproof.toml")
    return ToolError(f"unknown training '{key[:64]}': the configured trainings are {', '.join(known)}")


def person_not_found() -> ToolError:
    return ToolError(
        "Person not found: give an email address, KnowBe4 alias, employee number or KnowBe4 user id of someone "
        "in the store; knowbe4_training_list_noncompliant lists people"
    )


def bad_argument(text: str) -> ToolError:
    """A rejected argument; `text` is ours (it may quote the caller's own argument, never KnowBe4 text)."""
    return ToolError(text)


def _retry_after(exc: Exception, default: float) -> int:
    value = getattr(exc, "retry_after", None)
    seconds = float(value) if isinstance(value, int | float) and value >= 0 else default
    return max(1, math.ceil(seconds))


def _until_utc_midnight() -> float:
    """The daily budget is counted per UTC day (client/_limits.py), so it frees up at 00:00 UTC."""
    now = clock.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)
    return (midnight - now).total_seconds()


def _with_request_id(text: str, exc: TrainproofError) -> str:
    rid = exc.request_id
    if rid and _REQUEST_ID.match(rid):
        return f"{text} (X-Request-Id {rid})"
    return text


def to_tool_error(exc: Exception, *, kind: Kind | None = None, object_id: int | None = None) -> ToolError:
    """The tool error for an expected failure; `kind`/`object_id` name the object a 404 refers to."""
    if isinstance(exc, ToolError):
        return exc
    if isinstance(exc, AuthError):
        return ToolError(_with_request_id(AUTH_TEXT, exc))
    if isinstance(exc, ForbiddenError):
        return ToolError(_with_request_id(FORBIDDEN_TEXT, exc))
    if isinstance(exc, NotFoundError):
        if kind is not None and object_id is not None:
            return not_found(kind, object_id)
        return ToolError(_with_request_id("KnowBe4 answered 404 Not Found: list the objects to see valid ids", exc))
    if isinstance(exc, QuotaExhausted):
        seconds = _retry_after(exc, _until_utc_midnight())
        return ToolError(
            f"KnowBe4 rate limit: the daily request budget is spent; retry after {seconds} seconds "
            "(or run `trainproof sync` earlier in the day so answers come from the local store)"
        )
    if isinstance(exc, RateLimitedError):
        seconds = _retry_after(exc, BURST_LOCKOUT_S)
        text = f"KnowBe4 rate limit exceeded (429 Too Many Requests): retry after {seconds} seconds"
        if exc.retry_after is None:  # KnowBe4 usually names no wait
            text += " (KnowBe4 sent no Retry-After; its burst lockout lasts about 5 minutes)"
        return ToolError(_with_request_id(text, exc))
    if isinstance(exc, ServerError):
        code = exc.status_code or 500
        return ToolError(_with_request_id(f"KnowBe4 is failing (HTTP {code}) after retries: try again later", exc))
    if isinstance(exc, APIConnectionError):
        return ToolError(
            "could not get an answer from KnowBe4 (timeout or dropped connection) after retries: "
            "check the network and KNOWBE4_REGION / KNOWBE4_BASE_URL, then try again"
        )
    if isinstance(exc, MalformedResponse | PaginationLoopError):
        return ToolError(
            _with_request_id(
                "KnowBe4 sent an answer trainproof cannot read: try again later; "
                "`trainproof api` shows the raw response",
                exc,
            )
        )
    if isinstance(exc, APIStatusError):
        code = exc.status_code or 400
        return ToolError(
            _with_request_id(f"KnowBe4 rejected the request (HTTP {code}): verify the ids and filters given", exc)
        )
    if isinstance(exc, KnowBe4Error):
        return ToolError(_with_request_id("the KnowBe4 request failed: try again later", exc))
    if isinstance(exc, SelectionError):
        # Its hint suggests the closest campaign names, which KnowBe4 sent: not ours to relay.
        return ToolError(
            f"[{exc.table[:80]}] campaigns in trainproof.toml selects {_SELECTION[exc.code]}: "
            "run `trainproof check` to see which, and select campaigns by id"
        )
    if isinstance(exc, ConfigError | StoreError):
        # Our own words about our own configuration and files (no KnowBe4 text, no token).
        return ToolError(exc.message)
    if isinstance(exc, TrainproofError):
        return ToolError(exc.message)
    raise exc


@contextmanager
def mapped(kind: Kind | None = None, object_id: int | None = None) -> Generator[None]:
    """Turn expected failures inside the block into tool errors; bugs propagate (the SDK hides their text)."""
    try:
        yield
    except TrainproofError as exc:
        raise to_tool_error(exc, kind=kind, object_id=object_id) from None
