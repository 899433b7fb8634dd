"""The network's hostile edges, injected by the simulator over HTTP into a real `trainproof sync` run.

A 200 answer that drips in, a body of hundreds of MB, a list that never ends, a redirect, text that is
not JSON: each stops the sync within its bound with one line, and the store stays exactly as before.
Records with ids <= 0 or repeated within one list are skipped, counted in a warning, and the store gets
exactly what a clean sync writes (a later copy never replaces the first).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from running import CliResult, in_process
from trainproof.config import load_settings

from ._world import ENROLLMENTS, USERS, World, dump_of, runs_of
from .conftest import EnvFor

HARD_TIMEOUT_S = 45.0


@pytest.fixture
def faults(world: World) -> Iterator[Any]:
    """Install rules on the shared simulator for one test; always cleared afterwards."""
    world.sim.reset()
    yield world.sim.set_faults
    world.sim.clear_faults()
    world.sim.reset()


def _fired(world: World) -> list[int]:
    return [rule["fired"] for rule in world.sim.app.faults.describe()]


def _sync(env: dict[str, str], tmp_path: Path) -> CliResult:
    """`trainproof sync` with a state folder of its own: today's budget starts unspent."""
    return in_process(["sync"], {**env, "TRAINPROOF_STATE_DIR": str(tmp_path / "state")}, timeout=HARD_TIMEOUT_S)


def _stopped_cleanly(result: CliResult, world: World, store: str, runs_before: int) -> str:
    """Exit 1, one `error:` line, no traceback, the store exactly as before, the run recorded failed."""
    assert result.code == 1, result.stdout + result.stderr
    assert all(n > 0 for n in _fired(world)), "the fault never fired: this case would prove nothing"
    assert result.stdout == ""
    assert len(result.err_lines) == 1, result.stderr
    line = result.err_lines[0]
    assert line.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert dump_of(store) == world.before
    runs = runs_of(store)
    assert len(runs) == runs_before + 1
    assert runs[0]["outcome"] == "failed"
    assert runs[0]["error"] == line.removeprefix("error: ")
    return line


def _completed_cleanly(result: CliResult, world: World, store: str) -> list[str]:
    """Exit 0, the store holds exactly what a clean sync writes; the warning lines."""
    assert result.code == 0, result.stderr
    assert all(n > 0 for n in _fired(world)), "the fault never fired: this case would prove nothing"
    assert result.out_lines[-1].startswith("synced ")
    assert dump_of(store) == world.expected
    assert runs_of(store)[0]["outcome"] == "ok"
    assert all(line.startswith("warning: ") for line in result.err_lines), result.stderr
    return result.err_lines


# -- a 200 that drips --------------------------------------------------------------------------------


def test_an_answer_that_drips_ends_at_the_request_deadline(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path
) -> None:
    runs_before = len(runs_of(fault_store))
    faults({"kind": "drip", "path": USERS, "size": 256, "seconds": 0.2})
    result = _sync(env_for(extra="request_deadline_s = 1.5\n"), tmp_path)

    line = _stopped_cleanly(result, world, fault_store, runs_before)
    assert "did not finish answering GET /v1/users within the request deadline of 1.5 s (1 attempt in " in line
    assert "not retried" in line
    assert "request_deadline_s" in line
    assert result.seconds < 1.5 + 3.0  # the deadline, plus the account and start-up; never a retry
    assert world.sim.stats.by_path[USERS] == 1


def test_a_slow_answer_within_the_deadline_is_simply_slow(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path
) -> None:
    faults({"kind": "drip", "path": "/v1/account", "size": 200, "seconds": 0.1})
    result = _sync(env_for(extra="request_deadline_s = 10\n"), tmp_path)
    _completed_cleanly(result, world, fault_store)


# -- a huge body ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "said"),
    [("length", "(Content-Length 314,572,800 bytes)"), ("chunked", "(stopped reading at ")],
)
def test_a_huge_body_is_refused_at_the_size_limit(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path, mode: str, said: str
) -> None:
    runs_before = len(runs_of(fault_store))
    faults({"kind": "huge", "path": USERS, "size": 300 * 1024 * 1024, "mode": mode})
    result = _sync(env_for(extra="max_response_bytes = 2097152\n"), tmp_path)

    line = _stopped_cleanly(result, world, fault_store, runs_before)
    assert "answer to GET /v1/users is larger than the response size limit of 2 MiB" in line
    assert said in line
    assert "raise [knowbe4.limits] max_response_bytes" in line
    if mode == "chunked":  # reading stopped within one chunk of the limit, not at 300 MB
        read = int(line.split("stopped reading at ")[1].split(" bytes")[0].replace(",", ""))
        assert 2 * 1024 * 1024 < read <= 2 * 1024 * 1024 + 1024 * 1024


def test_the_size_limit_is_a_setting() -> None:
    assert load_settings(env={}).limits.max_response_bytes == 64 * 1024 * 1024


# -- lists that never end -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [USERS, ENROLLMENTS], ids=["page-mode", "cursor-mode"])
def test_endless_distinct_pages_stop_well_before_a_tenth_of_the_days_budget(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path, path: str
) -> None:
    runs_before = len(runs_of(fault_store))
    faults({"kind": "endless_pages", "path": path})
    daily_base = 400
    result = _sync(env_for(daily_base=daily_base), tmp_path)

    line = _stopped_cleanly(result, world, fault_store, runs_before)
    limit = daily_base + world.sim.tenant.seats()
    assert f"KnowBe4 kept sending new pages for GET {path}" in line
    assert f"5% of today's budget of {limit:,} requests, for {world.sim.tenant.seats()} seats)" in line
    spent = runs_of(fault_store)[0]["requests"]
    assert spent < limit * 0.10, (spent, limit)
    walked = world.sim.stats.by_path[path]
    assert walked == int(limit * 0.05)  # exactly the bound's pages of this list, not one more


# -- records that cannot be what they claim ----------------------------------------------------------


def test_ids_not_positive_are_skipped_counted_and_the_store_is_the_clean_one(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path
) -> None:
    faults({"kind": "bad_ids", "path": USERS, "count": 3, "times": 1})
    lines = _completed_cleanly(_sync(env_for(), tmp_path), world, fault_store)
    assert "warning: KnowBe4 answered GET /v1/users with 3 records whose id is 0 or negative (skipped)" in lines


def test_records_repeated_in_one_answer_keep_the_first_copy_and_are_counted(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path
) -> None:
    # The copies say "Passed" with a completion date: had a copy replaced the first, the dump would differ.
    copies = {"status": "Passed", "completion_date": "2026-11-02T09:00:00.000Z", "first_name": "Copy"}
    faults({"kind": "duplicates", "path": ENROLLMENTS, "count": 4, "times": 1, "fields": copies})
    lines = _completed_cleanly(_sync(env_for(), tmp_path), world, fault_store)
    assert any("with 4 repeated records (the first copy kept)" in line and ENROLLMENTS in line for line in lines)


# -- answers that are not answers -------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port on 127.0.0.1 that records whether anything connected (a redirect's target)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def test_a_redirect_to_another_host_is_reported_and_never_followed(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    runs_before = len(runs_of(fault_store))
    faults({"kind": "redirect", "path": USERS, "location": f"http://localhost:{port}/v1/users?sig=s3cr3t#x"})
    line = _stopped_cleanly(_sync(env_for(), tmp_path), world, fault_store, runs_before)

    assert "KnowBe4 answered GET /v1/users with a redirect (HTTP 302) to http://localhost" in line
    assert "never follows redirects" in line
    assert "s3cr3t" not in line
    assert str(port) not in line
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing ever connected: the token went nowhere


def test_a_redirect_on_the_same_host_names_no_path(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path
) -> None:
    runs_before = len(runs_of(fault_store))
    faults({"kind": "redirect", "status": 301, "path": USERS, "location": "/v2/users?token=abc"})
    line = _stopped_cleanly(_sync(env_for(), tmp_path), world, fault_store, runs_before)
    assert "with a redirect (HTTP 301) to another path on the same host" in line
    assert "token=abc" not in line
    assert "/v2" not in line


def test_text_that_is_not_json_is_called_so_not_truncated_json(
    world: World, fault_store: str, env_for: EnvFor, faults: Any, tmp_path: Path
) -> None:
    runs_before = len(runs_of(fault_store))
    faults({"kind": "not_json", "path": USERS, "times": 1})
    line = _stopped_cleanly(_sync(env_for(), tmp_path), world, fault_store, runs_before)
    assert "KnowBe4 answered GET /v1/users with text that is not JSON (32 bytes)" in line
    assert "truncated" not in line
