"""Across customers: each account's state (`trainproof accounts`), its token checked (`accounts check`), and
`report accounts`, each training's compliance per account, worst first.

KnowBe4 has no cross-account reporting: an MSP holding one token per customer asks here "which customers
are below 90 % on security awareness". Every figure comes from the same use cases a single account uses
(`judging`, `summary`, the overdue report's rule), read through a store handle bound to that account, so
nothing of one customer enters another's row. Evidence, certificates and the other reports stay per
account (`trainproof --account NAME ...`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio

from trainproof import clock
from trainproof.accounts import Account, Accounts
from trainproof.errors import TrainproofError
from trainproof.reports._common import ReportRow

__all__ = [
    "STALE_AFTER",
    "AccountCheck",
    "AccountState",
    "AccountTrainingRow",
    "account_states",
    "below",
    "check_accounts",
    "report_accounts",
]

STALE_AFTER = timedelta(hours=36)
"""A nightly sync older than this has been missed at least once."""


class AccountState(ReportRow):
    """One account as `trainproof accounts` lists it."""

    account: str
    title: str
    region: str
    last_sync: datetime | None
    age_hours: float | None
    requests_today: int | None
    daily_limit: int | None
    health: str
    """ok | stale (last sync older than 36 h) | failing (the last run failed) | never (no sync yet) | no-token"""


class AccountCheck(ReportRow):
    """One account's token tried against its region (`/v1/account`)."""

    account: str
    region: str
    ok: bool
    knowbe4_name: str | None
    detail: str


class AccountTrainingRow(ReportRow):
    """One training of one account: people in scope, % compliant, overdue, and how fresh the data is."""

    account: str
    title: str
    training: str | None
    in_scope: int | None
    compliant: int | None
    percent_compliant: float | None
    overdue: int | None
    last_sync: datetime | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class _Runs:
    ok: datetime | None
    last_failed: bool


def _runs(account: Account) -> _Runs:
    from trainproof.store.freshness import store_version
    from trainproof.store.handle import read
    from trainproof.synced_store import synced_store

    engine = synced_store(account.settings.database_url, account.name)
    if engine is None:
        return _Runs(None, False)
    try:
        version = read(engine, store_version)
    finally:
        engine.dispose()
    last_failed = version.last is not None and version.last.outcome == "failed"
    return _Runs(version.synced_at, last_failed)


def account_states(accounts: Accounts, *, now: datetime | None = None) -> list[AccountState]:
    """Every account with its last sync, its age, the requests spent today and a one-word health."""
    from trainproof.client import DailyBudget

    at = now or clock.now()
    out: list[AccountState] = []
    for account in accounts:
        runs = _runs(account)
        cfg = account.settings
        budget = (
            None
            if cfg.token is None
            else DailyBudget(cfg.state_dir, cfg.base_url, cfg.token.fingerprint(), cfg.limits.daily_base)
        )
        age = None if runs.ok is None else round((at - runs.ok).total_seconds() / 3600, 1)
        if not account.has_token:
            health = "no-token"
        elif runs.last_failed:
            health = "failing"
        elif runs.ok is None:
            health = "never"
        elif at - runs.ok > STALE_AFTER:
            health = "stale"
        else:
            health = "ok"
        out.append(
            AccountState(
                account=account.name,
                title=account.title,
                region=account.settings.region,
                last_sync=runs.ok,
                age_hours=age,
                requests_today=None if budget is None else budget.used,
                daily_limit=None if budget is None else budget.limit,
                health=health,
            )
        )
    return out


async def _check(account: Account) -> AccountCheck:
    from trainproof.region_discovery import account_at

    settings = account.settings
    if settings.token is None:
        return AccountCheck(
            account=account.name,
            region=settings.region,
            ok=False,
            knowbe4_name=None,
            detail=f"no token in {account.token_source}",
        )
    try:
        found = await account_at(settings, settings.base_url, settings.token)
    except TrainproofError as exc:
        return AccountCheck(
            account=account.name, region=settings.region, ok=False, knowbe4_name=None, detail=exc.message
        )
    return AccountCheck(
        account=account.name, region=settings.region, ok=True, knowbe4_name=found.name, detail="token accepted"
    )


async def check_accounts(accounts: Accounts) -> list[AccountCheck]:
    """Every account's token against its own region at once: one slow or refusing account delays no other."""
    results: dict[str, AccountCheck] = {}

    async def one(account: Account) -> None:
        results[account.name] = await _check(account)

    async with anyio.create_task_group() as group:
        for account in accounts:
            group.start_soon(one, account)
    return [results[name] for name in accounts.names]


def _rows_of(account: Account, at: datetime) -> list[AccountTrainingRow]:
    from trainproof.judging import judge
    from trainproof.reports.overdue import past_due_counts
    from trainproof.store.freshness import store_version
    from trainproof.summary import summary_of
    from trainproof.synced_store import synced_store

    def problem(text: str, last_sync: datetime | None = None) -> list[AccountTrainingRow]:
        return [
            AccountTrainingRow(
                account=account.name,
                title=account.title,
                training=None,
                in_scope=None,
                compliant=None,
                percent_compliant=None,
                overdue=None,
                last_sync=last_sync,
                problem=text,
            )
        ]

    engine = synced_store(account.settings.database_url, account.name)
    if engine is None:
        return problem(f"never synced: run trainproof --account {account.name} sync")
    try:
        with engine.connect() as conn:
            synced_at = store_version(conn).synced_at
            try:
                judged = judge(conn, account.settings, at=at)
            except TrainproofError as exc:
                return problem(exc.message, synced_at)
    finally:
        engine.dispose()
    summary = summary_of(judged, synced_at=synced_at, now=at)
    late = past_due_counts(judged, at)
    return [
        AccountTrainingRow(
            account=account.name,
            title=account.title,
            training=t.key,
            in_scope=t.in_scope,
            compliant=t.compliant,
            percent_compliant=None if t.percent_compliant is None else round(t.percent_compliant, 1),
            overdue=late.get(t.key, 0),
            last_sync=synced_at,
        )
        for t in summary.trainings
    ]


def report_accounts(accounts: Accounts, *, at: datetime | None = None) -> list[AccountTrainingRow]:
    """Per account and training: in scope, % compliant, overdue (past due, as `report overdue` marks it),
    last sync; worst first (lowest % compliant, then most overdue); accounts that cannot answer first of all."""
    when = at or clock.now()
    rows = [row for account in accounts for row in _rows_of(account, when)]
    return sorted(rows, key=_worst_first)


def _worst_first(row: AccountTrainingRow) -> tuple[int, float, int, str, str]:
    if row.problem is not None:
        return (0, 0.0, 0, row.account, "")
    pct = 101.0 if row.percent_compliant is None else row.percent_compliant  # nobody in scope: nothing to chase
    return (1, pct, -(row.overdue or 0), row.account, row.training or "")


def below(rows: Sequence[AccountTrainingRow], percent: float) -> list[AccountTrainingRow]:
    """The rows under `percent` compliant ("which customers are below 90 % on security awareness")."""
    return [r for r in rows if r.percent_compliant is not None and r.percent_compliant < percent]
