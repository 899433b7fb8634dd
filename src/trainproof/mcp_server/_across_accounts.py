"""`report accounts` for the MCP server: every served account's rows, computed once per store versions.

Judging a hundred customers' stores takes a while, and an assistant pages through the answer or asks
again with another threshold, so the rows are computed once in the answer cache's worker thread (never
at the same time as another account's judging) and filtered afterwards. The cache key is every served
account's `StoreVersion` (a few primary-key reads per account through one handle per store), so a sync
of any account shows in the next answer; like the other reports, a result is also reused for two
minutes at most, because overdue counts move with the clock.
"""

from __future__ import annotations

from datetime import datetime

import anyio.to_thread

from trainproof import clock
from trainproof.accounts import Accounts
from trainproof.errors import StoreError
from trainproof.mcp_server._cache import AnswerCache, StoreKey
from trainproof.mcp_server._reports import REPORT_WEIGHT, REUSE_S
from trainproof.reports.accounts import AccountTrainingRow, report_accounts
from trainproof.store.db import create_store_engine, sqlite_path
from trainproof.store.freshness import store_version
from trainproof.store.handle import read
from trainproof.store.scoping import bind_account

NO_VERSION = (-1, -1, -1)
"""An account whose store cannot be read (no file yet, no tables, unreachable): judging it says why."""


def versions_key(accounts: Accounts) -> StoreKey:
    """Every account's store version, as one answer-cache key. Blocking (call it from a thread)."""
    versions: list[int] = []
    by_url: dict[str, list[str]] = {}
    for account in accounts:
        by_url.setdefault(account.settings.database_url, []).append(account.name)
    found: dict[str, tuple[int, ...]] = {}
    for url, names in by_url.items():
        path = sqlite_path(url)
        if path is not None and not path.exists():  # asking must not create an empty store
            continue
        engine = create_store_engine(url)
        try:
            for name in names:
                found[name] = read(bind_account(engine, name), store_version).key
        except StoreError:  # the whole store (no tables, unreachable): judging it will say so in one line
            pass
        finally:
            engine.dispose()
    for account in accounts:
        versions.extend(found.get(account.name, NO_VERSION))
    return ("across accounts", ",".join(accounts.names)), tuple(versions)


async def accounts_rows(cache: AnswerCache, accounts: Accounts) -> tuple[list[AccountTrainingRow], datetime]:
    """`report_accounts` for `accounts` and the instant it judged at, computed unless still current."""
    key = await anyio.to_thread.run_sync(versions_key, accounts)

    def compute() -> tuple[list[AccountTrainingRow], datetime]:
        at = clock.now()
        return report_accounts(accounts, at=at), at

    return await cache.get(key, ("report accounts",), compute, weight=REPORT_WEIGHT, max_age_s=REUSE_S)
