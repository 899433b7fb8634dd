"""Every network and payload fault KnowBe4 can produce, sent by the simulator over HTTP into a `trainproof sync`.

Each case starts from a store that holds a previous successful sync, while the tenant has changed since:

- transient faults: the sync completes and the store's canonical dump equals the one a clean sync writes;
- persistent faults: exit code non-zero, exactly one line on stderr (naming the bound when the tool
  waited), the failed run recorded in `sync_runs` with that message, and the store's canonical dump
  exactly as before.

Every run has a hard time limit (the `trainproof` fixture's): no fault may hang a sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from running import Trainproof

from ._world import ENROLLMENTS, USERS, World, dump_of, runs_of
from .conftest import EnvFor

HARD_TIMEOUT_S = 45.0


@dataclass(frozen=True)
class Case:
    """One fault: the rules given to the simulator, the client settings, and what must be said."""

    id: str
    rules: list[dict[str, Any]]
    words: tuple[str | tuple[str, ...], ...] = ()
    """Persistent faults: substrings of the one error line (the bound, when the tool waited); a tuple
    means any one of them (which bound is reached first can depend on timing)."""
    options: dict[str, Any] = field(default_factory=dict[str, Any])
    min_seconds: float = 0.0
    retried: int = 0
    """Transient faults: at least this many retries in the summary line."""
    exit_code: int = 1


ATTEMPTS = "8 attempts in "
LIMIT_ATTEMPTS = "limit 8 attempts"

TRANSIENT = [
    Case("429-storm-no-retry-after", [{"kind": "rate_limit", "times": 4}], retried=4),
    Case(
        "429-storm-retry-after",
        [{"kind": "rate_limit", "times": 3, "retry_after": 0.25, "path": ENROLLMENTS}],
        retried=3,
        min_seconds=0.75,  # Retry-After is honoured (the scaled backoff alone would take ~70 ms)
    ),
    Case(
        "burst-lockout-shorter-than-retries",
        [{"kind": "lockout", "seconds": 25, "times": 1, "path": ENROLLMENTS}],  # 0.25 s at this scale
        retried=2,
    ),
    *[
        Case(f"{status}-twice", [{"kind": "status", "status": status, "times": 2, "path": ENROLLMENTS}], retried=2)
        for status in (500, 502, 503, 504)
    ],
    Case(
        "slow-answer-past-timeout-once",
        [{"kind": "slow", "seconds": 1.5, "times": 1, "path": ENROLLMENTS}],
        options={"timeout_s": 0.5},
        retried=1,
    ),
    Case("dropped-connection-twice", [{"kind": "drop", "times": 2, "path": USERS}], retried=2),
    Case("html-502-page-twice", [{"kind": "html", "times": 2}], retried=2),
    Case("cursor-advancing-to-empty-pages", [{"kind": "cursor_loop", "mode": "advance", "path": ENROLLMENTS}]),
]

PERSISTENT = [
    Case(
        "429-forever-no-retry-after",
        [{"kind": "rate_limit", "path": ENROLLMENTS}],
        ("429 Too Many Requests", ATTEMPTS, LIMIT_ATTEMPTS),
    ),
    Case(
        "429-retry-after-beyond-budget",
        [{"kind": "rate_limit", "retry_after": 3600, "path": ENROLLMENTS}],
        ("429 Too Many Requests", "the next wait of 3600.0 s asked by Retry-After", "retry budget of 3 s"),
    ),
    Case(
        "burst-lockout-5-minutes",
        [{"kind": "lockout", "times": 1, "path": ENROLLMENTS}],  # 300 s scaled: outlasts every retry
        ("429 Too Many Requests", LIMIT_ATTEMPTS, "lockout lasts about five minutes"),
    ),
    Case(
        "daily-quota-runs-out-mid-sync",
        [{"kind": "daily_quota", "after": 12}],
        ("429 Too Many Requests", LIMIT_ATTEMPTS, "daily limit resets 24 h after the first request"),
    ),
    *[
        Case(
            f"{status}-forever",
            [{"kind": "status", "status": status, "path": ENROLLMENTS}],
            (f"HTTP {status}", ATTEMPTS),
        )
        for status in (500, 502, 503, 504)
    ],
    Case(
        "slow-answers-past-timeout",
        [{"kind": "slow", "seconds": 3, "path": ENROLLMENTS}],
        ("no answer within 0.3 s (timeout)", (LIMIT_ATTEMPTS, "retry budget of 3 s")),
        options={"timeout_s": 0.3},
    ),
    Case(
        "dropped-connections",
        [{"kind": "drop", "path": ENROLLMENTS}],
        ("connection failed", LIMIT_ATTEMPTS),
    ),
    Case("truncated-json", [{"kind": "truncate", "times": 1, "path": ENROLLMENTS}], ("truncated JSON",)),
    Case(
        "wrong-content-type",
        [{"kind": "content_type", "times": 1, "path": USERS}],
        ("text/plain instead of JSON", "GET /v1/users"),
    ),
    Case("html-page-with-200", [{"kind": "html", "status": 200, "times": 1}], ("an HTML page (text/html)",)),
    Case("html-502-page-forever", [{"kind": "html", "path": USERS}], ("HTTP 502", LIMIT_ATTEMPTS)),
    Case("repeated-page-page-mode", [{"kind": "repeat_page", "path": USERS}], ("the same page twice", "/v1/users")),
    Case(
        "repeated-page-cursor-mode",
        [{"kind": "repeat_page", "path": ENROLLMENTS}],
        ("the same page twice", ENROLLMENTS),
    ),
    Case(
        "cursor-never-ends",
        [{"kind": "cursor_loop", "path": ENROLLMENTS}],
        (ENROLLMENTS, "stopping instead of looping"),
    ),
    Case(
        "wrong-types-string-id-number-date",
        [{"kind": "wrong_types", "times": 1, "path": ENROLLMENTS}],
        ("an Enrollment whose field 'enrollment_date' is invalid", ENROLLMENTS, "(X-Request-Id "),
    ),
    Case(
        "wrong-types-non-numeric-id",
        [{"kind": "wrong_types", "times": 1, "path": USERS, "fields": {"id": "u-17"}}],
        ("a User whose field 'id' is invalid", "GET /v1/users", "(X-Request-Id "),
    ),
    Case(
        "wrong-types-id-beyond-64-bits",
        [{"kind": "wrong_types", "times": 1, "path": USERS, "fields": {"id": 2**64}}],
        ("field 'id' holds 18446744073709551616, a number beyond 64 bits", "(X-Request-Id "),
    ),
]


@pytest.fixture
def faults(world: World) -> Iterator[Any]:
    """Install rules on the shared simulator for one test; always cleared afterwards."""
    world.sim.reset()
    yield world.sim.set_faults
    world.sim.clear_faults()
    world.sim.reset()


def _fired(world: World) -> list[int]:
    return [rule["fired"] for rule in world.sim.app.faults.describe()]


@pytest.mark.parametrize("case", TRANSIENT, ids=[c.id for c in TRANSIENT])
def test_transient_fault_sync_completes_with_the_clean_content(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, case: Case, trainproof: Trainproof
) -> None:
    faults(*case.rules)
    result = trainproof("sync", env=env_for(**case.options), timeout=HARD_TIMEOUT_S)

    assert result.code == 0, result.stderr
    assert all(n > 0 for n in _fired(world)), "the fault never fired: this case would prove nothing"
    assert all(line.startswith("warning: ") for line in result.err_lines), result.stderr
    summary = result.out_lines[-1]
    assert summary.startswith("synced ")
    retried = int(summary.split(" retried")[0].rsplit(" ", 1)[-1])
    assert retried >= case.retried
    assert result.seconds >= case.min_seconds
    assert dump_of(fault_store) == world.expected
    latest = runs_of(fault_store)[0]
    assert latest["outcome"] == "ok"
    assert latest["retries"] == retried


@pytest.mark.parametrize("case", PERSISTENT, ids=[c.id for c in PERSISTENT])
def test_persistent_fault_stops_with_one_line_and_changes_nothing(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, case: Case, trainproof: Trainproof
) -> None:
    runs_before = runs_of(fault_store)
    faults(*case.rules)
    result = trainproof("sync", env=env_for(**case.options), timeout=HARD_TIMEOUT_S)

    assert result.code == case.exit_code, result.stdout + result.stderr
    assert all(n > 0 for n in _fired(world)), "the fault never fired: this case would prove nothing"
    assert result.stdout == ""
    assert len(result.err_lines) == 1, result.stderr
    line = result.err_lines[0]
    assert line.startswith("error: ")
    for words in case.words:
        assert any(w in line for w in ((words,) if isinstance(words, str) else words)), (words, line)
    assert "Traceback" not in result.stderr

    assert dump_of(fault_store) == world.before  # exactly as before: nothing half-written
    runs = runs_of(fault_store)
    assert len(runs) == len(runs_before) + 1
    failed = runs[0]
    assert failed["outcome"] == "failed"
    assert failed["error"] == line.removeprefix("error: ")
    assert failed["requests"] > 0
    assert failed["finished_at"] is not None
